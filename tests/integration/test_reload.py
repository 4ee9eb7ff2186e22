#!/usr/bin/python3
"""SIGHUP: the QEMU driver re-reads its persistent definitions, as libvirtd.

A domain XML written into ROOT/etc/virtkit/qemu/ by hand appears in
`virsh list --all` after SIGHUP (and a client registered for lifecycle
events gets DEFINED/ADDED); a changed file replaces the definition of an
inactive domain; an unparsable file is skipped; the daemon keeps serving.
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

XML = """<domain type='qemu'>
  <name>%s</name>
  <uuid>%s</uuid>
  <memory unit='KiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>
"""


def wait_for(pred, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def names(uri):
    rc, out, err = t.virsh(uri, "list", "--all", "--name")
    return set(out.split()) if rc == 0 else {"<error %s>" % err.strip()}


def main():
    t.need_virsh()
    with t.Daemon() as d:
        uri = d.uri(driver="qemu", path="/system")
        confdir = os.path.join(d.root, "etc", "virtkit", "qemu")
        t.check(os.path.isdir(confdir), "the QEMU driver's config dir exists", confdir)

        # a lifecycle listener through Debian's python3-libvirt, if present
        events = []
        stop = threading.Event()
        listener = None
        try:
            import libvirt
            libvirt.virEventRegisterDefaultImpl()
            conn = libvirt.open(uri)
            conn.domainEventRegisterAny(
                None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                lambda c, dom, ev, det, op: events.append((dom.name(), ev, det)), None)

            def loop():
                while not stop.is_set():
                    libvirt.virEventRunDefaultImpl()
            listener = threading.Thread(target=loop, daemon=True)
            listener.start()
        except ImportError:
            conn = None

        t.check("vkreload" not in names(uri), "not defined before the file exists")
        path = os.path.join(confdir, "vkreload.xml")
        with open(path, "w") as f:
            f.write(XML % ("vkreload", "6f1c3a52-8d44-4b1e-9a51-2d5f0e7c9a11", 131072))
        with open(os.path.join(confdir, "broken.xml"), "w") as f:
            f.write("<domain type='qemu'><name>broken</nam")
        time.sleep(0.5)
        t.check("vkreload" not in names(uri), "a new file alone changes nothing")

        os.kill(d.proc.pid, signal.SIGHUP)
        t.check(wait_for(lambda: "vkreload" in names(uri)),
                "after SIGHUP the domain appears in list --all", names(uri))
        rc, out, err = t.virsh(uri, "dominfo", "vkreload")
        t.check(rc == 0 and "shut off" in out and "Persistent:     yes" in out and
                "131072 KiB" in out, "dominfo: shut off, persistent, memory from the file",
                out + err)
        t.check("broken" not in names(uri), "an unparsable file is skipped")
        if conn is not None:
            t.check(wait_for(lambda: ("vkreload", 0, 0) in events, 5),
                    "lifecycle event DEFINED/ADDED for the reloaded domain", events)

        # a changed file of an inactive domain replaces its definition; a
        # second SIGHUP does not define it again
        n_events = len(events)
        with open(path, "w") as f:
            f.write(XML % ("vkreload", "6f1c3a52-8d44-4b1e-9a51-2d5f0e7c9a11", 262144))
        os.kill(d.proc.pid, signal.SIGHUP)

        def mem_updated():
            rc, out, err = t.virsh(uri, "dominfo", "vkreload")
            return rc == 0 and "262144 KiB" in out
        t.check(wait_for(mem_updated), "after SIGHUP the changed definition is used")
        if conn is not None:
            time.sleep(0.5)
            t.check_eq(events[n_events:], [], "no event for a known domain")

        # removing the file does not undefine (libvirt's reload only loads)
        os.unlink(path)
        os.kill(d.proc.pid, signal.SIGHUP)
        time.sleep(0.5)
        t.check("vkreload" in names(uri), "a removed file does not undefine the domain")
        rc, out, err = t.virsh(uri, "undefine", "vkreload")
        t.check(rc == 0, "undefine still works", out + err)

        if conn is not None:
            stop.set()
            conn.close()
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
