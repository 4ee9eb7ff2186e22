#!/usr/bin/python3
"""Tunnelled migration between two virtkitd hosts (issue #6), test driver.

The source daemon drives the destination daemon (peer-to-peer) and the
simulated memory data goes through a DOMAIN_MIGRATE_PREPARE_TUNNEL3_PARAMS
stream between them (docs/migration.md, "Tunnelled migration"):

- Debian's virsh `migrate --live --p2p --tunnelled`, our CLI likewise;
  events on both hosts as reference/events.md; state on both hosts.
- --tunnelled without --p2p: libvirt's error (our CLI and library).
- abortJob during the transfer: OPERATION_ABORTED, the guest keeps running
  on the source, the destination shows STARTED_MIGRATED, STOPPED_FAILED.
- the destination daemon killed during the transfer: the guest runs on the
  source only, no job left.
- a real QEMU guest (tests/guest, when VKGUEST and QEMU are there): virsh
  `migrate --p2p --tunnelled` moves it, its heartbeat goes on on the
  destination, no CORRUPT, the source QEMU is gone, events on both hosts;
  back, with the destination daemon killed during the transfer: the guest
  keeps running on the source only, and the restarted destination kills
  its half-received QEMU.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hosts"))
import vkdtest as t  # noqa: E402
import hostpair  # noqa: E402
from test_migrate import (Listener, start_event_loop, names, create_guest,  # noqa: E402
                          wait_transfer, STARTED_BOOTED, STARTED_MIGRATED,
                          SUSPENDED_MIGRATED, RESUMED_MIGRATED, STOPPED_MIGRATED,
                          STOPPED_FAILED)


def test_virsh_tunnelled(pair, libvirt, la, lb, ca, cb):
    create_guest(ca, "t1", mib=32)
    la.take_until("t1", STARTED_BOOTED)
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--p2p", "--tunnelled", "t1",
                           pair.b.tcp_uri())
    t.check(rc == 0, "virsh migrate --live --p2p --tunnelled A -> B", out + err)
    t.check("t1" not in names(ca) and "t1" in names(cb), "the guest moved from A to B",
            "%s / %s" % (names(ca), names(cb)))
    t.check_eq(cb.lookupByName("t1").state(), [1, 2], "B: running/migrated")
    la.expect("t1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "A: SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED (MIGRATION_OUT)")
    lb.expect("t1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, RESUMED_MIGRATED")
    # python3-libvirt, back to A
    dom = cb.lookupByName("t1")
    dom.migrateToURI3(pair.a.tcp_uri(), {}, libvirt.VIR_MIGRATE_LIVE |
                      libvirt.VIR_MIGRATE_PEER2PEER | libvirt.VIR_MIGRATE_TUNNELLED)
    t.check("t1" in names(ca) and "t1" not in names(cb),
            "python3-libvirt migrateToURI3 P2P|TUNNELLED B -> A")
    lb.expect("t1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "B (source): SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED")
    la.expect("t1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "A (destination): STARTED_MIGRATED, RESUMED_MIGRATED")
    ca.lookupByName("t1").destroy()
    la.take("t1", settle=0.1)


def test_our_cli(pair, libvirt, la, lb, ca, cb):
    cli = os.environ.get("VIRTKIT")
    if not cli:
        t.log("VIRTKIT not set: our CLI is not tested here")
        return
    env = dict(os.environ, LC_ALL="C")
    create_guest(ca, "t2")
    la.take_until("t2", STARTED_BOOTED)
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate", "--live", "--tunnelled", "t2",
                        pair.b.uri()], capture_output=True, text=True, env=env, timeout=30)
    t.check(p.returncode != 0 and
            "cannot perform tunnelled migration without using peer2peer flag" in p.stderr,
            "virtkit migrate --tunnelled without --p2p: libvirt's error", p.stderr)
    t.check("t2" in names(ca) and "t2" not in names(cb), "refused: the guest stays on A")
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate", "--live", "--p2p", "--tunnelled",
                        "--verbose", "t2", pair.b.tcp_uri()],
                       capture_output=True, text=True, env=env, timeout=60)
    t.check(p.returncode == 0 and "t2" in names(cb) and "t2" not in names(ca),
            "virtkit migrate --live --p2p --tunnelled --verbose", p.stdout + p.stderr)
    la.expect("t2", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "A: events of our CLI's tunnelled migration")
    lb.expect("t2", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B: events of our CLI's tunnelled migration")
    cb.lookupByName("t2").destroy()
    lb.take("t2", settle=0.1)


def slow_tunnelled(pair, name, conn, src, dst):
    """virsh migrate --p2p --tunnelled of a 16 MiB guest at 4 MiB/s, in the background."""
    dom = create_guest(conn, name, mib=16)
    dom.migrateSetMaxSpeed(4)
    proc = subprocess.Popen(["virsh", "-c", src.uri(), "migrate", "--live", "--p2p",
                             "--tunnelled", name, dst.tcp_uri()],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    return dom, proc


def test_abort(pair, libvirt, la, lb, ca, cb):
    dom, proc = slow_tunnelled(pair, "t3", ca, pair.a, pair.b)
    try:
        la.take_until("t3", STARTED_BOOTED)
        t.check(wait_transfer(dom), "the tunnelled migration runs and reports progress")
        dom.abortJob()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0 and "operation aborted" in err,
            "virsh migrate --tunnelled fails: operation aborted", err)
    t.check_eq(dom.state(), [1, 1], "A: the guest keeps running")
    t.check("t3" not in names(cb), "B keeps nothing", names(cb))
    la.expect("t3", [], "A: no lifecycle event for an aborted live migration")
    lb.expect("t3", [STARTED_MIGRATED, STOPPED_FAILED],
              "B: STARTED_MIGRATED, STOPPED_FAILED")
    t.check_eq(dom.jobInfo()[0], 0, "A: no job left behind")
    # the same guest migrates fine afterwards (nothing left of the stream)
    dom.migrateSetMaxSpeed(8192)
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--p2p", "--tunnelled", "t3",
                           pair.b.tcp_uri())
    t.check(rc == 0 and "t3" in names(cb), "after the abort a tunnelled migration succeeds",
            out + err)
    cb.lookupByName("t3").destroy()
    la.take("t3", settle=0.1)
    lb.take("t3", settle=0.1)


def qemu_guest_xml(root, name, mib=64):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>
      <cmdline>heartbeat_ms=50 dirty_mib_s=4 wss_mib=8</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, mib, os.environ["VKGUEST"], root, name)


def qemu_pid(host, name):
    path = os.path.join(host.root, "run", "virtkit", "qemu", name + ".pid")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # a zombie whose parent (a killed daemon) is gone is reaped by init
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(cond, timeout=30, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return False


def serial(host, name):
    try:
        with open(os.path.join(host.root, name + ".serial"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def last_heartbeat(host, name):
    beats = re.findall(r"^HEARTBEAT (\d+) ", serial(host, name), re.M)
    return int(beats[-1]) if beats else -1


def qemu_ready():
    guest = os.environ.get("VKGUEST", "")
    if not os.path.exists(guest) or not shutil.which("qemu-system-x86_64"):
        return False
    return True


def dest_xml(dom, src, dst, path):
    xml = dom.XMLDesc(0).replace(src.root, dst.root)
    with open(path, "w") as f:
        f.write(xml)
    return path


def test_qemu_tunnelled(pair, libvirt, tmp):
    """A real guest: virsh migrate --p2p --tunnelled A -> B; then B -> A with A killed."""
    if not qemu_ready():
        t.log("qemu-system-x86_64 or VKGUEST missing: the QEMU part is not tested")
        return
    qa, qb = pair.a.uri("/system", "qemu"), pair.b.uri("/system", "qemu")
    ca, cb = libvirt.open(qa), libvirt.open(qb)
    la, lb = Listener(libvirt, qa), Listener(libvirt, qb)
    orphans = []
    try:
        dom = ca.createXML(qemu_guest_xml(pair.a.root, "tq"), 0)
        src_pid = qemu_pid(pair.a, "tq")
        t.check(wait_for(lambda: "CHECK OK" in serial(pair.a, "tq")), "QEMU guest runs on A")
        la.take("tq")
        xml = dest_xml(dom, pair.a, pair.b, os.path.join(tmp, "tq-b.xml"))
        rc, out, err = t.virsh(qa, "migrate", "--live", "--p2p", "--tunnelled", "--xml", xml,
                               "tq", pair.b.tcp_uri("/system", "qemu"))
        t.check(rc == 0, "virsh migrate --live --p2p --tunnelled (QEMU) A -> B", out + err)
        hb = last_heartbeat(pair.a, "tq")
        t.check("tq" in names(cb) and "tq" not in names(ca), "the QEMU guest moved to B",
                "%s / %s" % (names(ca), names(cb)))
        t.check(wait_for(lambda: last_heartbeat(pair.b, "tq") >= hb + 5),
                "the heartbeat continues on B (from %d)" % hb, serial(pair.b, "tq")[-300:])
        t.check("CORRUPT" not in serial(pair.a, "tq") + serial(pair.b, "tq") and
                "HEARTBEAT 0 " not in serial(pair.b, "tq"),
                "no CORRUPT, B continued the guest (did not boot it)")
        t.check(src_pid and wait_for(lambda: not pid_alive(src_pid)), "the source QEMU is gone")
        t.check_eq(cb.lookupByName("tq").state(), [1, 2], "B: running/migrated")
        la.expect("tq", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
                  "A: SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED")
        lb.expect("tq", [STARTED_MIGRATED, RESUMED_MIGRATED],
                  "B: STARTED_MIGRATED, RESUMED_MIGRATED")

        # back to A at 2 MiB/s, and A (the destination) dies during the transfer
        bdom = cb.lookupByName("tq")
        bdom.migrateSetMaxSpeed(2)
        xml = dest_xml(bdom, pair.b, pair.a, os.path.join(tmp, "tq-a.xml"))
        os.unlink(os.path.join(pair.a.root, "tq.serial"))
        proc = subprocess.Popen(["virsh", "-c", qb, "migrate", "--live", "--p2p", "--tunnelled",
                                 "--xml", xml, "tq", pair.a.tcp_uri("/system", "qemu")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=t.client_env())
        try:
            t.check(wait_transfer(bdom, timeout=60), "the tunnelled transfer to A is under way")
            dst_pid = qemu_pid(pair.a, "tq")
            if dst_pid:
                orphans.append(dst_pid)
            la.close()
            la = None
            ca.close()
            ca = None
            pair.a.kill()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        t.check(proc.returncode != 0, "virsh migrate fails when the destination daemon dies", err)
        t.check(wait_for(lambda: bdom.state()[0] == 1), "B: the guest runs on the source",
                bdom.state())
        hb = last_heartbeat(pair.b, "tq")
        t.check(wait_for(lambda: last_heartbeat(pair.b, "tq") >= hb + 5),
                "B: the heartbeat goes on on the source")
        t.check_eq(bdom.jobInfo()[0], 0, "B: no job left behind")
        lb.expect("tq", [], "B: no lifecycle event for the failed live migration")
        # A comes back: it kills its half-received guest (the guest runs on B only)
        pair.a.start()
        ca = libvirt.open(qa)
        t.check("tq" not in names(ca), "A after its restart keeps no guest", names(ca))
        t.check(not dst_pid or wait_for(lambda: not pid_alive(dst_pid)),
                "A's incoming QEMU is gone after A's restart")
        bdom.destroy()
        lb.take("tq", settle=0.1)
    finally:
        for pid in orphans:
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for c in (la, lb, ca, cb):
            if c is not None:
                try:
                    c.close()
                except Exception:
                    pass


def test_kill_destination(pair, libvirt, la, lb, ca, cb):
    # B -> A, and A dies (B is stopped cleanly at the end: sanitizer builds check it)
    dom, proc = slow_tunnelled(pair, "t4", cb, pair.b, pair.a)
    try:
        t.check(wait_transfer(dom), "the tunnelled migration to A is under way")
        pair.a.kill()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0, "virsh migrate --tunnelled fails when the destination dies",
            err)
    t.check_eq(dom.state()[0], 1, "B: the guest runs on the source")
    t.check(not pair.a.alive(), "A is gone: the guest runs on exactly one host")
    t.check_eq(dom.jobInfo()[0], 0, "B: no job left behind")
    dom.destroy()
    lb.take("t4", settle=0.1)


def main():
    t.need_virsh()
    t.need_libvirt_python()
    ok, why = hostpair.available()
    if ok and os.environ.get("VKD_HOSTPAIR_LOOPBACK"):
        ok, why = False, "VKD_HOSTPAIR_LOOPBACK is set"
    if not ok:
        t.log("%s: both daemons on 127.0.0.1 instead" % why)
    import libvirt
    start_event_loop(libvirt)
    pair = hostpair.HostPair(loopback=not ok)
    with pair:
        ca = libvirt.open(pair.a.uri())
        cb = libvirt.open(pair.b.uri())
        la = Listener(libvirt, pair.a.uri())
        lb = Listener(libvirt, pair.b.uri())
        try:
            test_virsh_tunnelled(pair, libvirt, la, lb, ca, cb)
            test_our_cli(pair, libvirt, la, lb, ca, cb)
            test_abort(pair, libvirt, la, lb, ca, cb)
            for c in (la, ca):
                c.close()
            la = ca = None
            with tempfile.TemporaryDirectory() as tmp:
                test_qemu_tunnelled(pair, libvirt, tmp)
            test_kill_destination(pair, libvirt, la, lb, ca, cb)
            for h in (pair.a, pair.b):
                log = h.log()
                t.check("runtime error" not in log and "AddressSanitizer" not in log,
                        "no sanitizer report in the log of %s" % (h.netns or h.port), log[-2000:])
        finally:
            for c in (la, lb, ca, cb):
                if c is None:
                    continue
                try:
                    c.close()
                except Exception:
                    pass
    t.check_eq(pair.b.exit_status, 0, "B exits cleanly on SIGTERM (sanitizer builds: no report)")


if __name__ == "__main__":
    t.run(main, timeout=200)
