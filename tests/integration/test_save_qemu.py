#!/usr/bin/python3
"""Save and restore of a real TCG guest through virtkitd's QEMU driver (issue #6).

The guest (tests/guest's vkguest.elf) prints numbered heartbeats and checks
its own memory.  python3-libvirt saves it to a file (the driver opens the
file and hands QEMU the fd); the domain is shut off (saved), its QEMU gone,
the file starts with our header.  Debian's virsh restores it: running
(restored), and the guest's heartbeat continues from where it stopped with
its memory check clean.  A listener sees SUSPENDED, STOPPED_SAVED and
STARTED_RESTORED.  Also: restore --paused, save --paused, managed save
(start from the image, --force-boot, managedsave-remove, undefine refused),
a garbage file, saving an inactive domain, and qemu.conf save_image_format
gzip and zstd (the stream in the file is compressed, the restore works).  Every QEMU pid is recorded and killed on the way out.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402
from test_qemu import (QEMU, EventListener, guest_xml, kill_qemus, process_gone,  # noqa: E402
                       qemu_pid, wait_for)

RUNNING, PAUSED, SHUTOFF = 1, 3, 5
RUNNING_RESTORED, SHUTOFF_SAVED = 3, 5
STARTED, SUSPENDED, STOPPED = 2, 3, 5


def heartbeats(d, name):
    path = os.path.join(d.root, name + ".serial")
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return [], ""
    return [int(n) for n in re.findall(r"^HEARTBEAT (\d+) ", text, re.M)], text


def test_save_restore(d, libvirt):
    conn = libvirt.open(d.uri(driver="qemu", path="/system"))
    listener = EventListener(libvirt, d.uri(driver="qemu", path="/system"))
    try:
        dom = conn.defineXML(guest_xml(d.root, "sv"))
        dom.create()
        pid = qemu_pid(d, "sv")
        t.check(wait_for(lambda: len(heartbeats(d, "sv")[0]) >= 3, timeout=30),
                "the guest beats", heartbeats(d, "sv")[1][-500:])

        path = os.path.join(d.root, "sv.save")
        dom.save(path)
        t.check_eq(dom.state(), [SHUTOFF, SHUTOFF_SAVED], "saved: shut off (saved)")
        t.check(wait_for(lambda: process_gone(pid), timeout=10), "saved: its QEMU is gone")
        with open(path, "rb") as f:
            head = f.read(16)
        t.check_eq(head, b"VirtkitQemuSave\n", "the image starts with our magic")
        t.check(os.path.getsize(path) > 1024 * 1024, "the image holds the guest's RAM",
                str(os.path.getsize(path)))
        last = max(heartbeats(d, "sv")[0])
        xml = conn.saveImageGetXMLDesc(path, 0)
        t.check("<name>sv</name>" in xml, "save-image XML names the domain", xml[:200])

        rc, out, err = t.virsh(d.uri(driver="qemu", path="/system"), "restore", path)
        t.check_eq((rc, out.strip()), (0, "Domain restored from %s" % path),
                   "virsh restore: %s" % err)
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED], "restored: running (restored)")
        qemu_pid(d, "sv")

        def resumed():
            beats, _ = heartbeats(d, "sv")
            return [b for b in beats if b > last]
        t.check(wait_for(lambda: len(resumed()) >= 3, timeout=30),
                "the heartbeat continues after the restore", heartbeats(d, "sv")[1][-800:])
        beats, text = heartbeats(d, "sv")
        t.check(beats and beats[0] == last + 1,
                "the first heartbeat after the restore is %d" % (last + 1), str(beats[:5]))
        t.check(wait_for(lambda: "CHECK OK" in heartbeats(d, "sv")[1], timeout=30) and
                "CHECK FAILED" not in heartbeats(d, "sv")[1],
                "the guest's memory check is clean after the restore", text[-800:])

        ev = lambda: listener.of("sv")  # noqa: E731
        want = [(SUSPENDED, 0), (STOPPED, 4), (STARTED, 2)]
        t.check(wait_for(lambda: all(w in ev() for w in want), timeout=10),
                "events: SUSPENDED_PAUSED, STOPPED_SAVED, STARTED_RESTORED", str(ev()))

        # restore --paused: paused until resumed, then it beats on
        dom.save(path)
        last = max(heartbeats(d, "sv")[0] or [0])
        rc, out, err = t.virsh(d.uri(driver="qemu", path="/system"), "restore", path, "--paused")
        t.check(rc == 0, "virsh restore --paused", err)
        t.check_eq(dom.state()[0], PAUSED, "restored --paused: paused")
        qemu_pid(d, "sv")
        dom.resume()
        t.check(wait_for(lambda: len(resumed()) >= 2, timeout=30),
                "after resume the heartbeat continues", heartbeats(d, "sv")[1][-500:])

        # managed save: the image under the driver's directory, start resumes from it
        uri = d.uri(driver="qemu", path="/system")
        image = os.path.join(d.root, "var", "lib", "virtkit", "qemu", "save", "sv.save")
        last = max(heartbeats(d, "sv")[0] or [0])
        rc, out, err = t.virsh(uri, "managedsave", "sv")
        t.check_eq((rc, out.strip()), (0, "Domain 'sv' state saved by libvirt"),
                   "virsh managedsave: %s" % err)
        t.check(os.path.exists(image), "the managed image is %s" % image)
        t.check_eq((dom.state(), dom.hasManagedSaveImage(0)), ([SHUTOFF, SHUTOFF_SAVED], 1),
                   "managed save: shut off (saved), image present")
        rc, out, err = t.virsh(uri, "undefine", "sv")
        t.check(rc == 1 and "managed save image exists" in err,
                "undefine refuses while the image exists", err)
        rc, out, err = t.virsh(uri, "start", "sv")
        t.check(rc == 0, "virsh start from the managed image", err)
        qemu_pid(d, "sv")
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED], "started: running (restored)")
        t.check(not os.path.exists(image) and dom.hasManagedSaveImage(0) == 0,
                "the image is gone after the start")
        t.check(wait_for(lambda: len(resumed()) >= 2, timeout=30) and
                heartbeats(d, "sv")[0][0] == last + 1,
                "the heartbeat continues from the managed image", heartbeats(d, "sv")[1][-300:])

        dom.managedSave(0)
        rc, out, err = t.virsh(uri, "start", "sv", "--force-boot")
        t.check(rc == 0, "virsh start --force-boot", err)
        qemu_pid(d, "sv")
        t.check(not os.path.exists(image), "--force-boot discarded the image")
        t.check(wait_for(lambda: 0 in heartbeats(d, "sv")[0], timeout=30),
                "--force-boot booted afresh (heartbeat 0)", heartbeats(d, "sv")[1][-300:])
        t.check_eq(dom.state()[1], 1, "force-booted: running (booted)")
        dom.managedSave(0)
        rc, out, err = t.virsh(uri, "managedsave-remove", "sv")
        t.check_eq((rc, out.strip()), (0, "Removed managedsave image for domain 'sv'"),
                   "virsh managedsave-remove: %s" % err)
        t.check(not os.path.exists(image), "managedsave-remove deleted the image")
        dom.create()
        qemu_pid(d, "sv")

        # save --paused: the image restores paused without a flag at restore
        rc, out, err = t.virsh(uri, "save", "sv", path, "--paused")
        t.check(rc == 0, "virsh save --paused", err)
        rc, out, err = t.virsh(uri, "restore", path)
        t.check(rc == 0, "virsh restore of a --paused image", err)
        qemu_pid(d, "sv")
        t.check_eq(dom.state()[0], PAUSED, "an image saved --paused restores paused")
        dom.resume()

        def code_of(f):
            try:
                f()
            except libvirt.libvirtError as e:
                return e.get_error_code()
            return 0

        garbage = os.path.join(d.root, "garbage.save")
        with open(garbage, "wb") as f:
            f.write(os.urandom(4096))
        t.check_eq(code_of(lambda: conn.restore(garbage)), libvirt.VIR_ERR_INVALID_ARG,
                   "restoring a garbage file is VIR_ERR_INVALID_ARG")
        dom.destroy()
        t.check_eq(code_of(lambda: dom.save(path)), libvirt.VIR_ERR_OPERATION_INVALID,
                   "saving an inactive domain is VIR_ERR_OPERATION_INVALID")
        dom.undefine()
    finally:
        listener.close()
        conn.close()


def test_compressed(libvirt, fmt, magic):
    """qemu.conf save_image_format: the stream goes through the compressor."""
    import shutil
    import struct
    if not shutil.which(fmt):
        t.log("%s is not installed, not tested" % fmt)
        return
    d = t.Daemon(start=False)
    try:
        os.makedirs(os.path.join(d.root, "etc", "virtkit"), exist_ok=True)
        with open(os.path.join(d.root, "etc", "virtkit", "qemu.conf"), "w") as f:
            f.write('save_image_format = "%s"\n' % fmt)
        d.start()
        uri = d.uri(driver="qemu", path="/system")
        conn = libvirt.open(uri)
        name = "cz" + fmt
        dom = conn.defineXML(guest_xml(d.root, name))
        dom.create()
        qemu_pid(d, name)
        t.check(wait_for(lambda: len(heartbeats(d, name)[0]) >= 2, timeout=30),
                "%s: the guest beats" % fmt)
        path = os.path.join(d.root, name + ".save")
        dom.save(path)
        with open(path, "rb") as f:
            head = f.read(64)
            xml_len, running, compression = struct.unpack("<III", head[20:32])
            f.seek(64 + xml_len)
            stream = f.read(len(magic))
        t.check_eq((running, compression, stream), (1, {"gzip": 1, "zstd": 5}[fmt], magic),
                   "%s: the header names the compressor and the stream is %s" % (fmt, fmt))
        last = max(heartbeats(d, name)[0])
        conn.restore(path)
        qemu_pid(d, name)
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED], "%s: restored" % fmt)
        t.check(wait_for(lambda: [b for b in heartbeats(d, name)[0] if b > last][:1] ==
                         [last + 1], timeout=30),
                "%s: the heartbeat continues after the restore" % fmt,
                heartbeats(d, name)[1][-300:])
        dom.destroy()
        conn.close()
        t.check_eq(d.terminate(), 0, "%s: daemon stops cleanly" % fmt)
    except BaseException:
        t.log("daemon log:\n" + d.log()[-4000:])
        raise
    finally:
        kill_qemus()
        d.kill()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not os.access(QEMU, os.X_OK):
        t.skip("%s is not installed" % QEMU)
    if not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("the test guest (VKGUEST) is not built")
    import libvirt
    libvirt.virEventRegisterDefaultImpl()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)

    d = t.Daemon()
    try:
        test_save_restore(d, libvirt)
        t.check_eq(d.terminate(), 0, "daemon stops cleanly (SIGTERM)")
    except BaseException:
        t.log("daemon log:\n" + d.log()[-4000:])
        raise
    finally:
        kill_qemus()
        d.kill()
    test_compressed(libvirt, "gzip", b"\x1f\x8b")
    test_compressed(libvirt, "zstd", b"\x28\xb5\x2f\xfd")


if __name__ == "__main__":
    t.run(main, timeout=200)
