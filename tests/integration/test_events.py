#!/usr/bin/python3
"""Domain events through virtkitd: caused by one client, received by others.

- Debian's `virsh event --all --loop --timeout` sees the lifecycle events
  that a second virsh causes.
- Raw clients check the wire form: CALLBACK_REGISTER_ANY gives
  DOMAIN_EVENT_CALLBACK_LIFECYCLE (318) messages carrying the callback
  number, serial 1; the legacy REGISTER_ANY gives DOMAIN_EVENT_LIFECYCLE
  (107) messages; deregistration stops them; errors as libvirtd's.
"""

import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

DOMAIN_XML = """<domain type='test'>
  <name>{name}</name>
  <memory>65536</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""

ACTIONS = ["define {xml}", "start evt", "suspend evt", "resume evt", "destroy evt",
           "undefine evt"]
EXPECTED = [
    "event 'lifecycle' for domain 'evt': Defined Added",
    "event 'lifecycle' for domain 'evt': Started Booted",
    "event 'lifecycle' for domain 'evt': Suspended Paused",
    "event 'lifecycle' for domain 'evt': Resumed Unpaused",
    "event 'lifecycle' for domain 'evt': Stopped Destroyed",
    "event 'lifecycle' for domain 'evt': Undefined Removed",
]


def write_xml(d, name):
    path = os.path.join(d.root, name + ".xml")
    with open(path, "w") as f:
        f.write(DOMAIN_XML.format(name=name))
    return path


def wait_registered(d, proc, lines):
    """Defines a probe domain until the listener reports it: then it is registered."""
    probe = write_xml(d, "probe")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        t.virsh(d.uri(), "define", probe)
        t.virsh(d.uri(), "undefine", "probe")
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            r, _, _ = select.select([proc.stdout], [], [], 0.1)
            if r:
                line = proc.stdout.readline()
                if not line:
                    return False
                lines.append(line.rstrip("\n"))
                if "'probe'" in line and "Undefined" in line:
                    return True
    return False


def test_virsh_event(d):
    xml = write_xml(d, "evt")
    proc = subprocess.Popen(["stdbuf", "-oL", "virsh", "-c", d.uri(), "event", "--all",
                             "--loop", "--timeout", "8"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    try:
        lines = []
        t.check(wait_registered(d, proc, lines), "virsh event is listening", "\n".join(lines))
        for action in ACTIONS:
            rc, out, err = t.virsh(d.uri(), *action.format(xml=xml).split())
            t.check(rc == 0, "second client: virsh %s" % action.split()[0], err)
        out, err = proc.communicate(timeout=30)
        lines += out.splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    got = [x for x in lines if "'evt'" in x]
    t.check_eq(got, EXPECTED, "virsh event received the second client's events in order")
    t.check("event loop timed out" in lines, "virsh event --timeout ended the loop",
            "\n".join(lines))
    total = [x for x in lines if x.startswith("events received:")]
    t.check(len(total) == 1, "virsh event printed its count", "\n".join(lines))


def lifecycle_of(p, callback):
    r = p.reader()
    cb = r.int() if callback else None
    name, uuid, ident = r.domain()
    return cb, name, r.int(), r.int()


def test_raw_events(d):
    xml = write_xml(d, "raw")
    modern = t.RawClient(d.sock)
    modern.open()
    legacy = t.RawClient(d.sock_ro)
    legacy.open()

    # Callback registration for all domains, then one filtered on "test".
    r = modern.call(t.PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                    t.xdr_int(0) + t.xdr_uint(0))
    t.check(r.status == t.OK, "CALLBACK_REGISTER_ANY succeeds", r.error())
    cbid = r.reader().int()
    r = modern.call(t.PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                    t.xdr_int(99) + t.xdr_uint(0))
    t.check_eq((r.status, r.error()[0]), (t.ERROR, t.VIR_ERR_INTERNAL_ERROR),
               "an unknown event ID is refused")

    # Legacy registration, allowed on the read-only socket.
    r = legacy.call(t.PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, t.xdr_int(0))
    t.check(r.status == t.OK, "legacy REGISTER_ANY succeeds (read-only socket)", r.error())
    r = legacy.call(t.PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, t.xdr_int(0))
    t.check_eq((r.status, r.error()[0]), (t.ERROR, t.VIR_ERR_INTERNAL_ERROR),
               "a second legacy registration of the same event is refused")

    rc, out, err = t.virsh(d.uri(), "define", xml)
    t.check(rc == 0, "a third client defines a domain", err)
    rc, out, err = t.virsh(d.uri(), "start", "raw")
    t.check(rc == 0, "a third client starts it", err)

    got = []
    while len(got) < 2:
        p = modern.recv_packet(timeout=10)
        if p is None:
            break
        if p.prog == t.REMOTE_PROGRAM and p.type == t.MESSAGE:
            got.append(p)
    t.check_eq([(p.proc, p.type, p.serial, p.status) for p in got],
               [(t.PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, t.MESSAGE, 1, t.OK)] * 2,
               "callback events: procedure 318, MESSAGE, serial 1")
    t.check_eq([lifecycle_of(p, True) for p in got],
               [(cbid, "raw", 0, 0), (cbid, "raw", 2, 0)],
               "callback events: callback ID, domain, (DEFINED, ADDED), (STARTED, BOOTED)")

    got = []
    while len(got) < 2:
        p = legacy.recv_packet(timeout=10)
        if p is None:
            break
        if p.type == t.MESSAGE and p.prog == t.REMOTE_PROGRAM:
            got.append(p)
    t.check_eq([p.proc for p in got], [t.PROC_DOMAIN_EVENT_LIFECYCLE] * 2,
               "legacy events: procedure 107")
    t.check_eq([lifecycle_of(p, False)[1:] for p in got], [("raw", 0, 0), ("raw", 2, 0)],
               "legacy events: domain and lifecycle values")

    # After deregistration nothing more arrives; the connection still answers.
    r = legacy.call(t.PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, t.xdr_int(0))
    t.check(r.status == t.OK, "legacy DEREGISTER_ANY succeeds", r.error())
    r = legacy.call(t.PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, t.xdr_int(0))
    t.check(r.status == t.ERROR, "deregistering twice is an error")
    r = modern.call(317, t.xdr_int(cbid))
    t.check(r.status == t.OK, "CALLBACK_DEREGISTER_ANY succeeds", r.error())
    r = modern.call(317, t.xdr_int(cbid))
    t.check(r.status == t.ERROR, "deregistering an unknown callback is an error")
    t.virsh(d.uri(), "destroy", "raw")
    t.virsh(d.uri(), "undefine", "raw")
    r = modern.call(t.PROC_CONNECT_GET_LIB_VERSION)
    r2 = legacy.call(t.PROC_CONNECT_GET_LIB_VERSION)
    t.check(r.status == t.OK and r2.status == t.OK, "both clients still answered")
    t.check_eq([p.proc for p in modern.events + legacy.events], [],
               "no event after deregistration")

    # A client that closes with callbacks registered leaves nothing behind.
    r = modern.call(t.PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
                    t.xdr_int(0) + t.xdr_uint(0))
    modern.close()
    legacy.close()
    rc, out, err = t.virsh(d.uri(), "define", xml)
    t.check(rc == 0, "events for a closed client are dropped quietly", err)
    t.virsh(d.uri(), "undefine", "raw")


def main():
    t.need_virsh()
    if not t.shutil.which("stdbuf"):
        t.skip("stdbuf (coreutils) is missing")
    with t.Daemon() as d:
        test_virsh_event(d)
        test_raw_events(d)
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
