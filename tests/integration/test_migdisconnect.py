#!/usr/bin/python3
"""A migration's client goes away: two virtkitd hosts (test driver) clean up at once.

As libvirt's connection close callbacks: when the connection a managed-direct
migration's last step came on closes while that side only waits for the
client's next step, the side applies the table's PEER_ERROR at once instead
of its TIMEOUT (here VIRTKIT_MIGRATION_TIMEOUT_MS=60000 for both daemons, so
anything that happens within seconds was the close).  The steps are driven
by tests/migration/migstepclient (our library; MIGSTEPCLIENT), the hosts
watched with python3-libvirt.

- Prepare, then the client closes its destination connection: B's incoming
  guest is gone at once (STARTED_MIGRATED, STOPPED_FAILED); A keeps its job
  until the source connection closes too, then runs on without one.
- Begin, then the client closes its source connection: the job is dropped,
  a new migration can begin.
- Closing connections that ran no step (same client, same hosts) changes
  nothing.
- Debian's virsh killed (SIGKILL, by PID) during a managed-direct transfer:
  the guest runs on A only, nothing is left on B.
- Peer-to-peer with the source daemon killed (SIGKILL) mid-transfer: B, whose
  client was that daemon, removes the incoming guest within seconds.
Two network namespaces as test_migrate.py, or both daemons on 127.0.0.1
without root.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hosts"))
import vkdtest as t  # noqa: E402
import hostpair  # noqa: E402
from test_migrate import (Listener, start_event_loop, names, create_guest,  # noqa: E402
                          wait_transfer, STARTED_BOOTED)

STARTED_MIGRATED = (2, 1)
STOPPED_FAILED = (5, 5)
FAST_S = 5.0          # "at once": well under the 60 s timeout


class StepClient:
    """migstepclient driving the steps; killed by PID on every path."""

    def __init__(self, pair, name, last_step):
        self.proc = subprocess.Popen([os.environ["MIGSTEPCLIENT"], pair.a.uri(), pair.b.uri(),
                                      name, last_step, "tcp://%s" % pair.b.addr],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.ready = self.proc.stdout.readline().strip()

    def do(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip() == "done"

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("exit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()


def wait_until(cond, timeout=FAST_S):
    """Seconds until cond() held, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if cond():
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def job_type(dom):
    return dom.jobInfo()[0]


def test_after_prepare(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "d1")
    la.take_until("d1", STARTED_BOOTED)
    c = StepClient(pair, "d1", "prepare")
    try:
        t.check_eq(c.ready, "ready", "Begin3 + Prepare3 on A and B")
        t.check_eq(cb.lookupByName("d1").state(), [3, 2], "B: the incoming guest, paused/migration")
        time.sleep(1)
        t.check("d1" in names(cb), "B keeps waiting while the client is connected")
        t.check(c.do("close-dst"), "the client closes its connection to B")
        took = wait_until(lambda: "d1" not in names(cb))
        t.check(took is not None, "B: the incoming guest is gone at once (%.1f s, timeout 60 s)"
                % (took if took is not None else -1))
        lb.expect("d1", [STARTED_MIGRATED, STOPPED_FAILED],
                  "B: STARTED_MIGRATED, STOPPED_FAILED")
        t.check(job_type(dom) != 0, "A still waits for Perform on its open connection")
        t.check(c.do("close-src"), "the client closes its connection to A")
        took = wait_until(lambda: job_type(dom) == 0)
        t.check(took is not None, "A: the job is dropped at once")
        t.check_eq(dom.state(), [1, 1], "A: the guest runs on (running/booted)")
        t.check_eq(la.take("d1", settle=0.2), [], "A: no events")
    finally:
        c.close()
    dom.destroy()
    la.take("d1", settle=0.1)


def test_after_begin(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "d2")
    la.take_until("d2", STARTED_BOOTED)
    c = StepClient(pair, "d2", "begin")
    try:
        t.check_eq(c.ready, "ready", "Begin3 on A")
        t.check(job_type(dom) != 0, "A: a migration job after Begin3")
        t.check(c.do("close-src"), "the client closes its connection to A")
        took = wait_until(lambda: job_type(dom) == 0)
        t.check(took is not None, "A: the job is dropped at once (timeout 60 s)")
        t.check_eq(dom.state()[0], 1, "A: the guest runs on")
    finally:
        c.close()
    again = StepClient(pair, "d2", "begin")
    try:
        t.check_eq(again.ready, "ready", "a new migration can begin")
    finally:
        again.close()
    t.check(wait_until(lambda: job_type(dom) == 0) is not None,
            "the second client left: no job either")
    t.check_eq(la.take("d2", settle=0.2), [], "A: no events")
    dom.destroy()
    la.take("d2", settle=0.1)


def test_unrelated_close(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "d3")
    la.take_until("d3", STARTED_BOOTED)
    c = StepClient(pair, "d3", "prepare")
    try:
        t.check_eq(c.ready, "ready", "Begin3 + Prepare3 on A and B")
        t.check(c.do("close-other-dst") and c.do("close-other-src"),
                "the client closes its other connections (no step ran on them)")
        time.sleep(1.5)
        t.check("d3" in names(cb) and cb.lookupByName("d3").state() == [3, 2],
                "B: the incoming guest stays", names(cb))
        t.check(job_type(dom) != 0, "A: the migration job stays")
        t.check_eq(lb.take("d3", settle=0), [STARTED_MIGRATED], "B: STARTED_MIGRATED only")
    finally:
        c.close()       # the process leaves: both step connections close
    t.check(wait_until(lambda: "d3" not in names(cb)) is not None,
            "the client process exits: B's guest is gone at once")
    t.check(wait_until(lambda: job_type(dom) == 0) is not None, "and A's job")
    lb.take("d3", settle=0.1)
    dom.destroy()
    la.take("d3", settle=0.1)


def test_virsh_killed(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "d4", mib=16)
    dom.migrateSetMaxSpeed(2)
    la.take_until("d4", STARTED_BOOTED)
    proc = subprocess.Popen(["virsh", "-c", pair.a.uri(), "migrate", "--live", "d4",
                             "--desturi", pair.b.uri(), "--migrateuri",
                             "tcp://%s" % pair.b.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    try:
        t.check(wait_transfer(dom), "virsh migrate (managed direct) transfers to B")
        proc.kill()
        proc.wait()
        took = wait_until(lambda: "d4" not in names(cb))
        t.check(took is not None, "virsh killed: B's incoming guest is gone at once")
        took = wait_until(lambda: job_type(dom) == 0 and dom.state()[0] == 1, timeout=15)
        t.check(took is not None, "A: the transfer ends and the guest runs on", dom.state())
        t.check("d4" in names(ca) and "d4" not in names(cb),
                "the guest is on exactly one host", "%s / %s" % (names(ca), names(cb)))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lb.take("d4", settle=0.1)
    dom.destroy()
    la.take("d4", settle=0.1)


def test_p2p_source_daemon_killed(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "d5", mib=16)
    dom.migrateSetMaxSpeed(2)
    proc = subprocess.Popen(["virsh", "-c", pair.a.uri(), "migrate", "--live", "--p2p", "d5",
                             pair.b.tcp_uri(), "tcp://%s" % pair.b.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    try:
        t.check(wait_transfer(dom), "virsh migrate --p2p: A transfers to B")
        t.check("d5" in names(cb), "B: the incoming guest")
        pair.a.kill()
        took = wait_until(lambda: "d5" not in names(cb))
        t.check(took is not None, "A's daemon killed: B removes the incoming guest at once "
                "(%.1f s, timeout 60 s)" % (took if took is not None else -1))
        lb.expect("d5", [STARTED_MIGRATED, STOPPED_FAILED],
                  "B: STARTED_MIGRATED, STOPPED_FAILED")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not os.environ.get("MIGSTEPCLIENT"):
        t.skip("MIGSTEPCLIENT is not set")
    ok, why = hostpair.available()
    if ok and os.environ.get("VKD_HOSTPAIR_LOOPBACK"):
        ok, why = False, "VKD_HOSTPAIR_LOOPBACK is set"
    if not ok:
        t.log("%s: both daemons on 127.0.0.1 instead" % why)
    # the daemons inherit it: nothing here may wait for the timeout
    os.environ["VIRTKIT_MIGRATION_TIMEOUT_MS"] = "60000"
    import libvirt
    start_event_loop(libvirt)
    pair = hostpair.HostPair(loopback=not ok)
    with pair:
        ca = libvirt.open(pair.a.uri())
        cb = libvirt.open(pair.b.uri())
        la = Listener(libvirt, pair.a.uri())
        lb = Listener(libvirt, pair.b.uri())
        try:
            test_after_prepare(pair, libvirt, la, lb, ca, cb)
            test_after_begin(pair, libvirt, la, lb, ca, cb)
            test_unrelated_close(pair, libvirt, la, lb, ca, cb)
            test_virsh_killed(pair, libvirt, la, lb, ca, cb)
            # last: A is gone afterwards
            test_p2p_source_daemon_killed(pair, libvirt, la, lb, ca, cb)
        finally:
            for c in (la, lb, ca, cb):
                try:
                    c.close()
                except Exception:
                    pass
    t.check_eq(pair.b.exit_status, 0, "B exits cleanly on SIGTERM (sanitizer builds: no report)")


if __name__ == "__main__":
    t.run(main, timeout=150)
