#!/usr/bin/python3
"""Save and restore of a real TCG guest through virtkitd's QEMU driver (issue #6).

The guest (tests/guest's vkguest.elf) prints numbered heartbeats and checks
its own memory.  python3-libvirt saves it to a file (the driver opens the
file and hands QEMU the fd); the domain is shut off (saved), its QEMU gone,
the file starts with our header.  Debian's virsh restores it: running
(restored), and the guest's heartbeat continues from where it stopped with
its memory check clean.  A listener sees SUSPENDED, STOPPED_SAVED and
STARTED_RESTORED; the save's statistics stay as the completed job's
(GetJobStats COMPLETED, virsh domjobinfo --completed).  Also: restore --paused, save --paused, managed save
(start from the image, --force-boot, managedsave-remove, undefine refused),
a garbage file, saving an inactive domain, and qemu.conf save_image_format
gzip and zstd (the stream in the file is compressed, the restore works).

The XML of images: save-image-define / managedsave-define (Debian's virsh
and our CLI) store a compatible changed XML (a <description>) with
--running/--paused, the restored or started guest shows it; another memory
size, uuid or name and an XML too long for the image's room are refused;
save --xml / restore --xml; virDomainSaveParams / RestoreParams with their
checks; a version 1 image (no room) still restores; an XML defined into a
compressed image.  Every QEMU pid is recorded and killed on the way out.
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

        # the save's statistics stay as the last completed job's (libvirt 9.0)
        stats = dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED |
                             libvirt.VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED)
        t.check_eq((stats.get("type"), stats.get("operation")),
                   (libvirt.VIR_DOMAIN_JOB_COMPLETED, libvirt.VIR_DOMAIN_JOB_OPERATION_SAVE),
                   "completed job stats after the save: COMPLETED, operation SAVE")
        t.check(stats.get("time_elapsed", 0) > 0 and stats.get("data_total", 0) > 1024 * 1024 and
                stats.get("data_remaining") == 0 and
                stats.get("memory_processed", 0) > 1024 * 1024,
                "completed save stats: time, data and memory figures", str(stats))
        rc, out, err = t.virsh(d.uri(driver="qemu", path="/system"), "domjobinfo", "sv",
                               "--completed", "--keep-completed")
        t.check(rc == 0 and re.search(r"^Job type:\s+Completed\s*$", out, re.M) and
                re.search(r"^Operation:\s+Save\s*$", out, re.M),
                "virsh domjobinfo --completed shows the save", out + err)
        dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
        t.check_eq(dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED).get("type"),
                   libvirt.VIR_DOMAIN_JOB_NONE,
                   "without KEEP_COMPLETED the completed stats are read once")

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
        rc, out, err = t.virsh(uri, "managedsave", "sv")
        t.check_eq((rc, out.strip()), (0, "Domain 'sv' state saved by libvirt"),
                   "virsh managedsave: %s" % err)
        # read once QEMU is gone: beats written while virsh was still on its way count
        last = max(heartbeats(d, "sv")[0] or [0])
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


def with_description(xml, text):
    """@xml with <description>@text</description> (replacing one already there)."""
    xml = re.sub(r"\s*<description>.*?</description>", "", xml, flags=re.S)
    return re.sub(r"(<name>[^<]*</name>)", r"\1\n  <description>%s</description>" % text, xml,
                  count=1)


def description(xml):
    m = re.search(r"<description>(.*?)</description>", xml, re.S)
    return m.group(1) if m else None


def image_header(path):
    """(version, XML area length, running, compression) of a save image."""
    import struct
    with open(path, "rb") as f:
        return struct.unpack("<IIII", f.read(32)[16:32])


def error_of(libvirt, f):
    try:
        f()
    except libvirt.libvirtError as e:
        return (e.get_error_code(), e.get_error_message())
    return (0, None)


def test_image_xml(d, libvirt):
    """The XML of save images and managed save images: dumpxml, define,
    save/restore with a replacement XML, the Params calls."""
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    name = "sx"
    path = os.path.join(d.root, "sx.save")
    xmlfile = os.path.join(d.root, "sx-new.xml")
    vkbin = os.environ.get("VIRTKIT")

    def write_xml(xml):
        with open(xmlfile, "w") as f:
            f.write(xml)

    def beats_after(last):
        return [b for b in heartbeats(d, name)[0] if b > last]

    try:
        dom = conn.defineXML(guest_xml(d.root, name))
        dom.create()
        qemu_pid(d, name)
        t.check(wait_for(lambda: len(heartbeats(d, name)[0]) >= 2, timeout=30),
                "xml: the guest beats", heartbeats(d, name)[1][-300:])

        # -- save-image-define on a plain save image (Debian's virsh) --
        dom.save(path)
        version, area, running, _ = image_header(path)
        base = conn.saveImageGetXMLDesc(path, 0)
        t.check(version == 2 and area > len(base) + 60000 and running == 1,
                "a new image is version 2 with room after its XML",
                str(image_header(path)))
        write_xml(with_description(base, "edited in the image"))
        rc, out, err = t.virsh(uri, "save-image-define", path, xmlfile, "--paused")
        t.check_eq((rc, out.strip()), (0, "State file %s updated." % path),
                   "virsh save-image-define --paused: %s" % err)
        t.check_eq(description(conn.saveImageGetXMLDesc(path, 0)), "edited in the image",
                   "save-image-dumpxml shows the new description")
        t.check_eq(image_header(path)[2], 0, "--paused: the image now restores paused")

        code, msg = error_of(libvirt, lambda: conn.saveImageDefineXML(
            path, base.replace("<memory unit='KiB'>32768</memory>",
                               "<memory unit='KiB'>65536</memory>"), 0))
        t.check_eq(code, libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
                   "another memory size is refused: %s" % msg)
        other_uuid = re.sub(r"<uuid>[^<]*</uuid>",
                            "<uuid>11111111-2222-3333-4444-555555555555</uuid>", base)
        code, msg = error_of(libvirt, lambda: conn.saveImageDefineXML(path, other_uuid, 0))
        t.check_eq(code, libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
                   "another uuid is refused: %s" % msg)
        other_name = base.replace("<name>sx</name>", "<name>sy</name>")
        code, msg = error_of(libvirt, lambda: conn.saveImageDefineXML(path, other_name, 0))
        t.check_eq(code, libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "another name is refused: %s" % msg)
        code, msg = error_of(libvirt, lambda: conn.saveImageDefineXML(
            path, with_description(base, "x" * 70000), 0))
        t.check_eq((code, msg), (libvirt.VIR_ERR_OPERATION_FAILED,
                                 "operation failed: new xml too large to fit in file"),
                   "an XML longer than the image's room is refused as by libvirt")
        t.check_eq(description(conn.saveImageGetXMLDesc(path, 0)), "edited in the image",
                   "refused definitions left the image alone")

        last = max(heartbeats(d, name)[0])
        rc, out, err = t.virsh(uri, "restore", path)
        t.check(rc == 0, "virsh restore of the redefined image", err)
        qemu_pid(d, name)
        t.check_eq(dom.state()[0], PAUSED, "the image restores paused as redefined")
        t.check_eq(description(dom.XMLDesc(0)), "edited in the image",
                   "the restored guest has the new definition")
        dom.resume()
        t.check(wait_for(lambda: beats_after(last)[:1] == [last + 1], timeout=30),
                "the heartbeat continues after the restore", heartbeats(d, name)[1][-300:])

        # -- managed save image: dumpxml and define (virsh, our CLI, python) --
        dom.managedSave(0)
        rc, out, err = t.virsh(uri, "managedsave-dumpxml", name)
        t.check(rc == 0 and description(out) == "edited in the image",
                "virsh managedsave-dumpxml", err + out[:300])
        write_xml(with_description(out, "edited in the managed image"))
        rc, out, err = t.virsh(uri, "managedsave-define", name, xmlfile, "--paused")
        t.check_eq((rc, out.strip()),
                   (0, "Managed save state file of domain '%s' updated." % name),
                   "virsh managedsave-define --paused: %s" % err)
        t.check_eq(description(dom.managedSaveGetXMLDesc(0)), "edited in the managed image",
                   "python managedSaveGetXMLDesc shows it")
        managed = os.path.join(d.root, "var", "lib", "virtkit", "qemu", "save", name + ".save")
        t.check_eq(image_header(managed)[2], 0, "--paused: the managed image now starts paused")
        code, msg = error_of(libvirt, lambda: dom.managedSaveDefineXML(
            base.replace("<memory unit='KiB'>32768</memory>",
                         "<memory unit='KiB'>65536</memory>"), 0))
        t.check_eq(code, libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
                   "managed image: another memory size is refused: %s" % msg)
        if vkbin:
            from test_qemu import vk
            write_xml(with_description(base, "edited by virtkit"))
            rc, out, err = vk(uri, "managedsave-define", name, xmlfile, "--running")
            t.check_eq((rc, out.strip()),
                       (0, "Managed save state file of domain '%s' updated." % name),
                       "virtkit managedsave-define --running: %s" % err)
            rc, out, err = vk(uri, "managedsave-dumpxml", name)
            t.check(rc == 0 and description(out) == "edited by virtkit",
                    "virtkit managedsave-dumpxml", err + out[:300])
        else:
            dom.managedSaveDefineXML(with_description(base, "edited by virtkit"),
                                     libvirt.VIR_DOMAIN_SAVE_RUNNING)
        last = max(heartbeats(d, name)[0])
        dom.create()
        qemu_pid(d, name)
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED],
                   "started from the managed image: running (--running honoured)")
        t.check_eq(description(dom.XMLDesc(0)), "edited by virtkit",
                   "the started guest has the managed image's new definition")
        t.check(wait_for(lambda: beats_after(last)[:1] == [last + 1], timeout=30),
                "the heartbeat continues from the managed image", heartbeats(d, name)[1][-300:])
        code, msg = error_of(libvirt, lambda: dom.managedSaveGetXMLDesc(0))
        t.check_eq((code, msg), (libvirt.VIR_ERR_OPERATION_INVALID,
                                 "Requested operation is not valid: "
                                 "domain does not have managed save image"),
                   "managedSaveGetXMLDesc without an image")

        # -- save --xml / restore --xml (Debian's virsh) --
        write_xml(with_description(base, "given to save"))
        rc, out, err = t.virsh(uri, "save", name, path, "--xml", xmlfile)
        t.check(rc == 0, "virsh save --xml", err)
        t.check_eq(description(conn.saveImageGetXMLDesc(path, 0)), "given to save",
                   "the image holds the XML given to save")
        write_xml(with_description(base, "given to restore"))
        rc, out, err = t.virsh(uri, "restore", path, "--xml", xmlfile, "--paused")
        t.check(rc == 0, "virsh restore --xml --paused", err)
        qemu_pid(d, name)
        t.check_eq((dom.state()[0], description(dom.XMLDesc(0))), (PAUSED, "given to restore"),
                   "restored paused with the XML given to restore")
        dom.resume()
        code, msg = error_of(libvirt, lambda: dom.saveFlags(
            path, base.replace("<memory unit='KiB'>32768</memory>",
                               "<memory unit='KiB'>65536</memory>"), 0))
        t.check_eq((code, dom.state()[0]), (libvirt.VIR_ERR_CONFIG_UNSUPPORTED, RUNNING),
                   "save with an incompatible XML is refused, the guest runs on: %s" % msg)

        # -- virDomainSaveParams / virDomainRestoreParams (python3-libvirt) --
        P_FILE, P_DXML = libvirt.VIR_DOMAIN_SAVE_PARAM_FILE, libvirt.VIR_DOMAIN_SAVE_PARAM_DXML
        code, msg = error_of(libvirt, lambda: dom.saveParams({P_FILE: path, "bogus": "x"}, 0))
        t.check_eq((code, msg), (libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                                 "argument unsupported: parameter 'bogus' not supported"),
                   "saveParams refuses an unknown parameter")
        dom.saveParams({P_FILE: path, P_DXML: with_description(base, "params")},
                       libvirt.VIR_DOMAIN_SAVE_PAUSED)
        t.check_eq((dom.state()[0], description(conn.saveImageGetXMLDesc(path, 0)),
                    image_header(path)[2]), (SHUTOFF, "params", 0),
                   "saveParams: saved with its XML, to restore paused")
        code, msg = error_of(libvirt, lambda: conn.restoreParams({P_DXML: base}, 0))
        t.check_eq((code, msg), (libvirt.VIR_ERR_INVALID_ARG,
                                 "invalid argument: missing path to restore from"),
                   "restoreParams without a file")
        conn.restoreParams({P_FILE: path, P_DXML: with_description(base, "restore params")},
                           libvirt.VIR_DOMAIN_SAVE_RUNNING)
        qemu_pid(d, name)
        t.check_eq((dom.state(), description(dom.XMLDesc(0))),
                   ([RUNNING, RUNNING_RESTORED], "restore params"),
                   "restoreParams: running (flag over the image) with its XML")
        dom.saveParams({}, 0)
        t.check_eq((dom.state(), dom.hasManagedSaveImage(0)), ([SHUTOFF, SHUTOFF_SAVED], 1),
                   "saveParams without a file is a managed save")
        dom.managedSaveRemove(0)

        # -- a version 1 image (exact XML length, no room) stays readable --
        dom.create()
        qemu_pid(d, name)
        dom.save(path)
        version, area, running, comp = image_header(path)
        with open(path, "rb") as f:
            data = f.read()
        xml1 = data[64:64 + area].split(b"\0", 1)[0]
        import struct
        v1 = (data[:16] + struct.pack("<IIII", 1, len(xml1), running, comp) + data[32:64] +
              xml1 + data[64 + area:])
        with open(path, "wb") as f:
            f.write(v1)
        code, msg = error_of(libvirt, lambda: conn.saveImageDefineXML(
            path, with_description(base, "longer than before"), 0))
        t.check_eq(code, libvirt.VIR_ERR_OPERATION_FAILED,
                   "version 1 image: a longer XML does not fit: %s" % msg)
        conn.restore(path)
        qemu_pid(d, name)
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED], "a version 1 image restores")
        # a version 2 image whose XML area has no NUL is corrupt, not read past
        bad = os.path.join(d.root, "nonul.save")
        with open(bad, "wb") as f:
            f.write(data[:16] + struct.pack("<IIII", 2, 4096, 1, 0) + data[32:64] +
                    b"<" * 4096 + b"\0" * 64)
        code, msg = error_of(libvirt, lambda: conn.saveImageGetXMLDesc(bad, 0))
        t.check_eq((code, msg), (libvirt.VIR_ERR_INVALID_ARG,
                                 "invalid argument: save image '%s' has a corrupt header" % bad),
                   "a version 2 image without a NUL in its XML area is refused")
        dom.destroy()
        dom.undefine()
    finally:
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
        conn.saveImageDefineXML(path, with_description(conn.saveImageGetXMLDesc(path, 0),
                                                       "compressed"), 0)
        conn.restore(path)
        qemu_pid(d, name)
        t.check_eq(dom.state(), [RUNNING, RUNNING_RESTORED], "%s: restored" % fmt)
        t.check_eq(description(dom.XMLDesc(0)), "compressed",
                   "%s: the XML defined into the compressed image is the guest's" % fmt)
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
        test_image_xml(d, libvirt)
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
    t.run(main, timeout=280)
