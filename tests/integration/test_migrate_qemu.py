#!/usr/bin/python3
"""Real QEMU migration between two virtkitd hosts (issues #6, #7, #8).

Two daemons serving qemu:///system, each in its own network namespace
(tests/hosts/hostpair.py); the QEMU migration stream goes over the veth
addresses (--migrateuri tcp://ADDR).  The guest is tests/guest's
vkguest.elf under TCG (64 MiB), its serial console a file opened with
append='on' by both QEMUs, so the destination's heartbeats follow the
source's in one log.  python3-libvirt listens for lifecycle and
job-completed events on both daemons all along.

Cases (each ends with the invariants of issue #8: the guest runs on
exactly one host, no QEMU process beyond the domains the daemons show, no
job left):
- managed direct (virsh migrate --live) A -> B: heartbeat continues with
  the next number on B, no CORRUPT, A's QEMU gone, events as events.md;
- peer-to-peer (virsh --p2p --persistent --undefinesource) B -> A;
- python3-libvirt migrate3 with POSTCOPY, switched by migrateStartPostCopy
  (abortJob after the switch is refused if it still catches post-copy), and
  virsh --postcopy --postcopy-after-precopy of a dirtying guest;
- faults after the switch-over: abortJobFlags(POSTCOPY) (paused with
  POSTCOPY_FAILED on both hosts), the destination QEMU killed during
  post-copy (paused on A, never resumed), the link cut during post-copy
  and post-copy interrupted (paused on both);
- issue #7: a guest dirtying memory under 4 MiB/s: dominfo, domjobinfo,
  domstats answer < 100 ms in one session of virsh and of our CLI;
  migrate-setspeed / migrate-setmaxdowntime reach QEMU
  (query-migrate-parameters); domjobabort leaves it running on A;
- faults during the pre-copy transfer: the destination QEMU killed, the
  destination daemon killed (then restarted), the source daemon killed and
  restarted (the table's recovery: the guest runs on A), the link cut
  (veth down) then the job aborted;
- crash points (VIRTKIT_TEST_MIGRATION_CRASH=PHASE makes a daemon SIGKILL
  itself right after recording PHASE): B in D_INCOMING, A in S_SWITCHOVER,
  then the table's recovery after the restart (guest running on A).
The recoveries are compared with what src/migration/migration_table.def
predicts.  docs/migration.md lists the cases and what they found.
Skipped (77) without root, QEMU, the test guest or Debian's clients.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hosts"))
import vkdtest as t  # noqa: E402
import hostpair  # noqa: E402

QEMU = "/usr/bin/qemu-system-x86_64"
QUERY_LIMIT_MS = 100

STARTED_MIGRATED = (2, 1)
SUSPENDED_MIGRATED = (3, 1)
SUSPENDED_POSTCOPY = (3, 7)
RESUMED_MIGRATED = (4, 1)
RESUMED_POSTCOPY = (4, 3)
STOPPED_MIGRATED = (5, 3)
STOPPED_FAILED = (5, 5)
SUSPENDED_POSTCOPY_FAILED = (3, 8)
JOB_OUT = ("job", 5)

HEARTBEAT_RE = re.compile(r"^HEARTBEAT (\d+) ms=", re.M)


def guest_xml(pair, name, mib=64, dirty=0, wss=16, check=500):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel>
    <cmdline>heartbeat_ms=50 dirty_mib_s=%d wss_mib=%d check_ms=%d</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='%s' append='on'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, mib, os.environ["VKGUEST"], dirty, wss, check, serial_path(pair, name))


def serial_path(pair, name):
    return os.path.join(pair.dir, name + ".serial")


def uri(h):
    return h.uri("/system", "qemu")


def tcp_uri(h):
    return h.tcp_uri("/system", "qemu")


def qemu_pid(h, name):
    try:
        with open(os.path.join(h.root, "run", "virtkit", "qemu", name + ".pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def process_gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def pair_qemus(pair):
    """PIDs of live QEMU processes started by either daemon of @pair."""
    return [pid for pid in pair.guest_pids() if not process_gone(pid)]


def kill_pair_qemus(pair):
    for pid in pair_qemus(pair):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_for(lambda: process_gone(pid), 5)


def wait_for(pred, timeout=10, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def heartbeats(pair, name):
    try:
        with open(serial_path(pair, name), errors="replace") as f:
            text = f.read()
    except OSError:
        return [], ""
    return [int(x) for x in HEARTBEAT_RE.findall(text)], text


def check_guest_alive(pair, name, what, exact=True):
    """The guest's heartbeats go on, numbered without a gap or repeat
    (unless not @exact), no CORRUPT."""
    before, _ = heartbeats(pair, name)
    t.check(wait_for(lambda: len(heartbeats(pair, name)[0]) >= len(before) + 3, 10),
            "%s: the heartbeat goes on" % what)
    beats, text = heartbeats(pair, name)
    t.check(not exact or
            (beats == list(range(beats[0], beats[0] + len(beats))) if beats else False),
            "%s: heartbeats numbered without gap or repeat" % what,
            str([b for i, b in enumerate(beats) if i and b != beats[i - 1] + 1][:5]))
    t.check("CORRUPT" not in text and "CHECK FAILED" not in text and "EXCEPTION" not in text,
            "%s: no CORRUPT" % what, text[-800:])


class Listener(t.EventLog):
    def __init__(self, libvirt, u):
        super().__init__()
        self.uri = u
        self.libvirt = libvirt
        self.conn = None
        self.open()

    def open(self):
        lv = self.libvirt
        self.conn = lv.open(self.uri)
        self.conn.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         self._lifecycle, None)
        self.conn.domainEventRegisterAny(None, lv.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                         self._job, None)

    def _lifecycle(self, conn, dom, event, detail, opaque):
        self.add(dom.name(), (event, detail))

    def _job(self, conn, dom, params, opaque):
        self.add(dom.name(), ("job", params.get("operation")))

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass


def start_event_loop(libvirt):
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()


def vk(u, *args, timeout=60):
    p = subprocess.run([os.environ["VIRTKIT"], "-c", u] + list(args), capture_output=True,
                       text=True, env=dict(t.client_env()), timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def names(conn):
    return sorted(d.name() for d in conn.listAllDomains(1))   # ACTIVE


def check_invariants(pair, ctx, name, what, where=None):
    """Issue #8's invariants after a case: @name runs on exactly one host (@where
    when given), every QEMU of the pair belongs to a domain a daemon shows,
    no job is left."""
    ca, cb = ctx["ca"], ctx["cb"]
    on = [h for h, c in (("A", ca), ("B", cb)) if name in names(c)]
    t.check(len(on) == 1 and (where is None or on == [where]),
            "%s: %s is active on exactly one host (%s)" % (what, name, where or "any"), str(on))
    for c in (ca, cb):
        for dom in c.listAllDomains(1):
            t.check_eq(dom.jobInfo()[0], 0, "%s: no job left on %s" % (what, dom.name()))
    ok = wait_for(lambda: len(pair_qemus(pair)) == len(names(ca)) + len(names(cb)), 10)
    t.check(ok, "%s: no leaked QEMU process" % what,
            "%s vs %s / %s" % (pair_qemus(pair), names(ca), names(cb)))
    for h, c in ((pair.a, ca), (pair.b, cb)):
        d = os.path.join(h.root, "run", "virtkit", "qemu")
        left = [f for f in (os.listdir(d) if os.path.isdir(d) else [])
                if f.split(".")[0] not in names(c)]
        t.check(not left, "%s: no files of gone guests in %s's run dir" % (what, h.netns or "host"),
                str(left))


def create(pair, conn, name, **kw):
    dom = conn.createXML(guest_xml(pair, name, **kw), 0)
    wait_for(lambda: len(heartbeats(pair, name)[0]) >= 3, 20)
    return dom


def wait_transfer(dom, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info = dom.jobInfo()
            if info[0] != 0 and info[4] > 0:
                return True
        except Exception:
            pass
        time.sleep(0.02)
    return False


# --- the table (src/migration/migration_table.def) ------------------------

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src",
                     "migration", "migration_table.def")


def load_table():
    """{(phase, event): (action, next, next on error)} and {phase: (kind, state)}."""
    with open(TABLE) as f:
        text = f.read()
    rows = {}
    for m in re.finditer(r"^MIG_ROW\((\w+), (\w+), (\w+), (\w+), (\w+)\)", text, re.M):
        rows[(m.group(1), m.group(2))] = m.group(3, 4, 5)
    phases = {}
    for m in re.finditer(r"^MIG_PHASE\((\w+), (\w+), (\w+), \d,\s*(\w+),", text, re.M):
        phases[m.group(1)] = (m.group(3), m.group(4))
    return rows, phases


def predicted_recovery(phase, qemu_status):
    """The phase a daemon restarted in @phase ends in when QEMU answers
    query-migrate with @qemu_status (a table event such as Q_ACTIVE)."""
    rows, phases = load_table()
    action, nxt, _ = rows[(phase, "RESTART")]
    if action == "QUERY":
        row = rows.get((nxt, qemu_status))
        if row:
            nxt = row[1]
    return nxt, phases[nxt]


# --- cases -----------------------------------------------------------------

def test_managed(pair, lv, ctx):
    ca, cb, la, lb = ctx["ca"], ctx["cb"], ctx["la"], ctx["lb"]
    create(pair, ca, "g1")
    la.take("g1")
    pid = qemu_pid(pair.a, "g1")
    rc, out, err = t.virsh(uri(pair.a), "migrate", "--live", "g1", "--desturi", uri(pair.b),
                           "--migrateuri", "tcp://%s" % pair.b.addr, timeout=60)
    t.check(rc == 0, "virsh migrate --live (managed direct) A -> B", out + err)
    t.check(wait_for(lambda: process_gone(pid), 5), "A's QEMU is gone")
    t.check_eq(cb.lookupByName("g1").state(), [1, 2], "B: running/migrated")
    check_guest_alive(pair, "g1", "managed")
    la.expect("g1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_OUT],
              "A: SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED")
    lb.expect("g1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, RESUMED_MIGRATED")
    rc, out, err = t.virsh(uri(pair.b), "domjobinfo", "g1", "--completed")
    t.check(rc == 0 and "Incoming migration" in out and "Completed" in out,
            "virsh domjobinfo --completed on B", out + err)
    check_invariants(pair, ctx, "g1", "managed", "B")


def test_p2p_persist(pair, lv, ctx):
    ca, cb, la, lb = ctx["ca"], ctx["cb"], ctx["la"], ctx["lb"]
    dom = cb.lookupByName("g1")
    cb.defineXML(dom.XMLDesc(0))       # persistent on B, so UNDEFINE_SOURCE has work
    lb.take("g1")
    pid = qemu_pid(pair.b, "g1")
    rc, out, err = t.virsh(uri(pair.b), "migrate", "--live", "--p2p", "--persistent",
                           "--undefinesource", "g1", tcp_uri(pair.a),
                           "tcp://%s" % pair.a.addr, timeout=60)
    t.check(rc == 0, "virsh migrate --live --p2p --persistent --undefinesource B -> A",
            out + err)
    t.check(wait_for(lambda: process_gone(pid), 5), "B's QEMU is gone")
    check_guest_alive(pair, "g1", "p2p")
    t.check(ca.lookupByName("g1").isPersistent() == 1, "PERSIST_DEST: persistent on A")
    t.check("g1" not in [d.name() for d in cb.listAllDomains(0)],
            "UNDEFINE_SOURCE: B keeps no definition")
    evb = lb.take("g1")
    t.check(evb[:3] == [SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_OUT] or
            evb[:2] == [SUSPENDED_MIGRATED, STOPPED_MIGRATED],
            "B: SUSPENDED_MIGRATED, STOPPED_MIGRATED (+ UNDEFINED)", str(evb))
    eva = la.take("g1")
    t.check(eva[:1] == [STARTED_MIGRATED] and RESUMED_MIGRATED in eva,
            "A: STARTED_MIGRATED ... RESUMED_MIGRATED (+ DEFINED)", str(eva))
    check_invariants(pair, ctx, "g1", "p2p", "A")
    dom = ca.lookupByName("g1")
    dom.destroy()
    dom.undefine()
    la.take("g1", settle=0.1)


def migrate3_thread(pair, lv, name, flags):
    """python3-libvirt migrate3(@flags) of @name from A to B in a thread, on
    its own connections: Debian's client library holds a second thread's
    call on a connection whose Perform3 is pending until the next keepalive
    (up to 5 s), so the caller's queries use ctx's connections.  Returns
    (thread, result): result gets "dom" or "error"."""
    result = {}

    def run():
        src = lv.open(uri(pair.a))
        dst = lv.open(uri(pair.b))
        try:
            result["dom"] = src.lookupByName(name).migrate3(
                dst, {lv.VIR_MIGRATE_PARAM_URI: "tcp://%s" % pair.b.addr}, flags)
        except lv.libvirtError as e:
            result["error"] = e
        finally:
            src.close()
            dst.close()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th, result


def test_postcopy(pair, lv, ctx):
    ca, cb, la, lb = ctx["ca"], ctx["cb"], ctx["la"], ctx["lb"]
    # a guest that does not touch its working set between verification
    # passes (every 4 s): the destination does not fault its pages in, so
    # the post-copy phase lasts while the rest goes at 8 MiB/s
    dom = create(pair, ca, "g2", wss=24, check=4000)
    la.take("g2")
    dom.migrateSetMaxSpeed(4)
    dom.migrateSetMaxSpeed(8, lv.VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)
    th, result = migrate3_thread(pair, lv, "g2", lv.VIR_MIGRATE_LIVE | lv.VIR_MIGRATE_POSTCOPY)
    t.check(wait_transfer(dom), "post-copy: the pre-copy transfer runs")
    dom.migrateStartPostCopy()
    # QEMU serves the destination's page faults at once, so post-copy may
    # complete before a client gets a look: abortJob is tried only while
    # the guest still shows paused/post-copy on A
    try:
        if wait_for(lambda: dom.state() == [3, 12], 5):
            try:
                dom.abortJob()
                t.check(False, "abortJob after the switch to post-copy is refused")
            except lv.libvirtError as e:
                t.check("post-copy" in e.get_error_message() or
                        not result.get("dom") is None,
                        "abortJob after the switch to post-copy is refused",
                        e.get_error_message())
    except lv.libvirtError as e:
        t.log("post-copy completed before it could be looked at (%s)" % e.get_error_message())
    th.join(60)
    t.check("dom" in result, "migrate3 with POSTCOPY completes", str(result.get("error")))
    check_guest_alive(pair, "g2", "post-copy")
    la.expect("g2", [SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED, JOB_OUT],
              "A: SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED, JOB_COMPLETED")
    lb.expect("g2", [STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED")
    check_invariants(pair, ctx, "g2", "post-copy", "B")

    cb.lookupByName("g2").destroy()
    lb.take("g2", settle=0.1)

    # virsh --postcopy --postcopy-after-precopy B -> A: virsh switches on the
    # MIGRATION_ITERATION event of the second pass, so the guest dirties
    # memory (pre-copy alone would not converge at 4 MiB/s)
    create(pair, cb, "g2b", dirty=16, wss=8)
    lb.take("g2b")
    pid = qemu_pid(pair.b, "g2b")
    rc, out, err = t.virsh(uri(pair.b), "migrate", "--live", "--postcopy",
                           "--postcopy-after-precopy", "g2b", "--desturi", uri(pair.a),
                           "--migrateuri", "tcp://%s" % pair.a.addr, "--bandwidth", "4",
                           timeout=60)
    t.check(rc == 0, "virsh migrate --postcopy --postcopy-after-precopy B -> A", out + err)
    t.check(wait_for(lambda: process_gone(pid), 5), "B's QEMU is gone")
    # not exact: QEMU 7.2 under TCG loses the source's last writes to pages
    # it sent during pre-copy when a dirtying guest switches to post-copy
    # (raw QEMU, no daemon, shows the same repeat of heartbeats; see
    # docs/migration.md)
    check_guest_alive(pair, "g2b", "post-copy after pre-copy", exact=False)
    lb.expect("g2b", [SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED,
                      JOB_OUT],
              "B: SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED, JOB_COMPLETED")
    la.expect("g2b", [STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED],
              "A: STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED")
    check_invariants(pair, ctx, "g2b", "post-copy after pre-copy", "A")
    ca.lookupByName("g2b").destroy()
    la.take("g2b", settle=0.1)


def postcopy_running(pair, lv, ctx, name):
    """Starts migrate3(POSTCOPY) of a new guest @name from A to B in a thread
    and switches it to post-copy; the rest of the memory goes at 1 MiB/s, so
    the post-copy phase lasts.  Returns (thread, result) once A shows
    paused/post-copy and B running/post-copy."""
    ca, cb, la, lb = ctx["ca"], ctx["cb"], ctx["la"], ctx["lb"]
    dom = create(pair, ca, name, wss=24, check=4000)
    la.take(name)
    dom.migrateSetMaxSpeed(4)
    dom.migrateSetMaxSpeed(1, lv.VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)
    th, result = migrate3_thread(pair, lv, name, lv.VIR_MIGRATE_LIVE | lv.VIR_MIGRATE_POSTCOPY)
    t.check(wait_transfer(dom), "%s: the pre-copy transfer runs" % name)
    dom.migrateStartPostCopy()
    t.check(wait_for(lambda: dom.state() == [3, 12], 10), "%s: A paused/post-copy" % name,
            str(dom.state()))
    t.check(wait_for(lambda: name in names(cb) and cb.lookupByName(name).state() == [1, 10], 10),
            "%s: B running/post-copy" % name)
    return th, result


def test_postcopy_faults(pair, lv, ctx):
    """Faults after the switch-over, between two daemons: the guest is never
    resumed on the source; it is paused (POSTCOPY_FAILED) wherever its
    QEMU is left."""
    la, lb = ctx["la"], ctx["lb"]

    # virDomainAbortJobFlags(POSTCOPY) over RPC: QEMU's migrate-pause
    th, result = postcopy_running(pair, lv, ctx, "g6")
    dom = ctx["ca"].lookupByName("g6")
    dom.abortJobFlags(lv.VIR_DOMAIN_ABORT_JOB_POSTCOPY)
    th.join(60)
    t.check("error" in result, "post-copy interrupted: migrate3 fails", str(result))
    t.check(wait_for(lambda: dom.state() == [3, 13], 10),
            "post-copy interrupted: A paused/postcopy-failed", str(dom.state()))
    dd = ctx["cb"].lookupByName("g6")
    t.check(wait_for(lambda: dd.state() == [3, 13], 10),
            "post-copy interrupted: B paused/postcopy-failed", str(dd.state()))
    before, _ = heartbeats(pair, "g6")
    time.sleep(1)
    after, text = heartbeats(pair, "g6")
    t.check(before == after and "CORRUPT" not in text,
            "post-copy interrupted: the guest runs nowhere, no CORRUPT")
    la.expect("g6", [SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY,
                     SUSPENDED_POSTCOPY_FAILED],
              "post-copy interrupted: A SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, "
              "SUSPENDED_POSTCOPY_FAILED")
    lb.expect("g6", [STARTED_MIGRATED, RESUMED_POSTCOPY, SUSPENDED_POSTCOPY_FAILED],
              "post-copy interrupted: B STARTED_MIGRATED, RESUMED_POSTCOPY, "
              "SUSPENDED_POSTCOPY_FAILED")
    dom.destroy()
    dd.destroy()
    la.take("g6", settle=0.1)
    lb.take("g6", settle=0.1)

    # the destination's QEMU killed after the switch: paused on A, never resumed
    th, result = postcopy_running(pair, lv, ctx, "g7")
    dom = ctx["ca"].lookupByName("g7")
    pid = qemu_pid(pair.b, "g7")
    t.check(pid is not None, "B has g7's QEMU")
    os.kill(pid, signal.SIGKILL)
    th.join(60)
    t.check("error" in result, "destination QEMU killed after the switch: migrate3 fails",
            str(result))
    t.check(wait_for(lambda: dom.state() == [3, 13], 10),
            "destination QEMU killed after the switch: A paused/postcopy-failed",
            str(dom.state()))
    before, _ = heartbeats(pair, "g7")
    time.sleep(1)
    t.check(heartbeats(pair, "g7")[0] == before,
            "destination QEMU killed after the switch: never resumed on A")
    t.check(wait_for(lambda: "g7" not in names(ctx["cb"]), 10),
            "destination QEMU killed after the switch: B keeps nothing")
    lb.expect("g7", [STARTED_MIGRATED, RESUMED_POSTCOPY, STOPPED_FAILED],
              "destination QEMU killed after the switch: B STARTED_MIGRATED, "
              "RESUMED_POSTCOPY, STOPPED_FAILED")
    t.check_eq(la.take("g7")[-1:], [SUSPENDED_POSTCOPY_FAILED],
               "destination QEMU killed after the switch: A ends with "
               "SUSPENDED_POSTCOPY_FAILED")
    t.check(wait_for(lambda: len(pair_qemus(pair)) == 1, 10),
            "destination QEMU killed after the switch: only A's QEMU is left",
            str(pair_qemus(pair)))
    dom.destroy()
    la.take("g7", settle=0.1)

    if pair.loopback:
        return
    # the network cut after the switch: QEMU would wait for TCP to give up,
    # so the user interrupts post-copy (libvirt's remedy); once the link is
    # back the destination's QEMU sees the source's end closed
    th, result = postcopy_running(pair, lv, ctx, "g8")
    dom = ctx["ca"].lookupByName("g8")
    try:
        pair.link(False)
        time.sleep(0.5)
        dom.abortJobFlags(lv.VIR_DOMAIN_ABORT_JOB_POSTCOPY)
        t.check(wait_for(lambda: dom.state() == [3, 13], 10),
                "network cut after the switch: A paused/postcopy-failed", str(dom.state()))
    finally:
        pair.link(True)
    th.join(60)
    t.check("error" in result, "network cut after the switch: migrate3 fails", str(result))
    dd = ctx["cb"].lookupByName("g8")
    t.check(wait_for(lambda: dd.state() == [3, 13], 30),
            "network cut after the switch: B paused/postcopy-failed once the link is back",
            str(dd.state()))
    before, _ = heartbeats(pair, "g8")
    time.sleep(1)
    after, text = heartbeats(pair, "g8")
    t.check(before == after and "CORRUPT" not in text,
            "network cut after the switch: the guest runs nowhere, no CORRUPT")
    dom.destroy()
    dd.destroy()
    la.take("g8", settle=0.1)
    lb.take("g8", settle=0.1)


def session_times(out):
    return [float(x) for x in re.findall(r"\(Time: ([0-9.]+) ms\)", out)]


def qmp(u, name, cmd):
    rc, out, err = t.virsh(u, "qemu-monitor-command", name, json.dumps({"execute": cmd}))
    if rc != 0:
        return {"error": err}
    return json.loads(out).get("return", {})


def slow_migration(pair, name, src, dst, mib=4):
    """virsh migrate --live of a dirtying guest at @mib MiB/s, in the background."""
    return subprocess.Popen(["virsh", "-c", uri(src), "migrate", "--live", name,
                             "--desturi", uri(dst), "--migrateuri", "tcp://%s" % dst.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())


def finish(proc, timeout=60):
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err


def test_responsive(pair, lv, ctx):
    ca, cb, la, lb = ctx["ca"], ctx["cb"], ctx["la"], ctx["lb"]
    dom = create(pair, ca, "g3", dirty=8, wss=32)
    la.take("g3")
    dom.migrateSetMaxSpeed(4)
    proc = slow_migration(pair, "g3", pair.a, pair.b)
    try:
        t.check(wait_transfer(dom), "issue 7: the migration runs")
        queries = "dominfo g3; domjobinfo g3; domstats g3"
        for tool, run in (("virsh", t.virsh), ("virtkit", vk)):
            for attempt in range(3):
                rc, out, err = run(uri(pair.a), "-t", queries)
                times = session_times(out)
                t.log("%s during the migration: %s ms" % (tool, times))
                if times and max(times) < QUERY_LIMIT_MS:
                    break
            t.check(rc == 0 and len(times) == 3 and "Outgoing migration" in out,
                    "%s: queries answer during the migration" % tool, out + err)
            t.check(max(times or [1e9]) < QUERY_LIMIT_MS,
                    "%s: each query < %d ms during the migration" % (tool, QUERY_LIMIT_MS),
                    str(times))
        rc, out, err = t.virsh(uri(pair.a), "migrate-setspeed", "g3", "6")
        t.check(rc == 0, "migrate-setspeed during the migration", err)
        rc, out, err = t.virsh(uri(pair.a), "migrate-setmaxdowntime", "g3", "123")
        t.check(rc == 0, "migrate-setmaxdowntime during the migration", err)
        # the XBZRLE cache over RPC (procedures 299/300): virsh sets and
        # prints it, our CLI prints the same line
        rc, out, err = t.virsh(uri(pair.a), "migrate-compcache", "g3", "--size", str(32 << 20))
        t.check(rc == 0 and out.strip() == "Compression cache: 32.000 MiB",
                "virsh migrate-compcache --size during the migration", out + err)
        rc2, out2, err2 = vk(uri(pair.a), "migrate-compcache", "g3")
        t.check(rc2 == 0 and out2 == out, "virtkit migrate-compcache prints what virsh printed",
                "%r against %r %s" % (out2, out, err2))
        rc, out, err = t.virsh(uri(pair.a), "domjobabort", "g3")
        t.check(rc == 0, "virsh domjobabort", err)
        rc, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(rc != 0 and "operation aborted" in err, "aborted: virsh migrate reports it", err)
    t.check_eq(dom.state(), [1, 1], "aborted: the guest runs on A (running/booted)")
    # QEMU keeps the parameters set during the migration (qemu-monitor-command
    # needs a job of its own: it waits while the migration runs, as in libvirt)
    params = qmp(uri(pair.a), "g3", "query-migrate-parameters")
    t.check(params.get("max-bandwidth") == 6 << 20 and params.get("downtime-limit") == 123 and
            params.get("xbzrle-cache-size") == 32 << 20,
            "QEMU's max-bandwidth, downtime-limit and xbzrle-cache-size were changed on the fly",
            str(params))
    la.expect("g3", [], "aborted: no lifecycle event on A")
    lb.expect("g3", [STARTED_MIGRATED, STOPPED_FAILED],
              "aborted: B shows STARTED_MIGRATED, STOPPED_FAILED")
    check_guest_alive(pair, "g3", "aborted")
    check_invariants(pair, ctx, "g3", "abort", "A")


def fault_case(pair, lv, ctx, what, inject, after=None):
    """Migrates g3 (on A, dirtying) slowly to B, calls @inject() during the
    transfer, then checks the guest still runs on A and the invariants."""
    ca = ctx["ca"]
    dom = ca.lookupByName("g3")
    dom.migrateSetMaxSpeed(4)
    proc = slow_migration(pair, "g3", pair.a, pair.b)
    try:
        t.check(wait_transfer(dom), "%s: the migration runs" % what)
        inject(dom)
        rc, out, err = finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(rc != 0, "%s: virsh migrate fails" % what, out + err)
    if after:
        after()
    ca = ctx["ca"]
    t.check(wait_for(lambda: ca.lookupByName("g3").state()[0] == 1, 10),
            "%s: the guest runs on A" % what, str(ca.lookupByName("g3").state()))
    check_guest_alive(pair, "g3", what)
    check_invariants(pair, ctx, "g3", what, "A")
    return err


def test_faults(pair, lv, ctx):
    la, lb = ctx["la"], ctx["lb"]
    if "g3" not in names(ctx["ca"]):
        create(pair, ctx["ca"], "g3", dirty=8, wss=32)
        la.take("g3")

    def kill_dest_qemu(dom):
        pid = qemu_pid(pair.b, "g3")
        t.check(pid is not None, "B has the incoming QEMU")
        os.kill(pid, signal.SIGKILL)
    err = fault_case(pair, lv, ctx, "destination QEMU killed", kill_dest_qemu)
    lb.expect("g3", [STARTED_MIGRATED, STOPPED_FAILED],
              "destination QEMU killed: B shows STARTED_MIGRATED, STOPPED_FAILED")
    la.expect("g3", [], "destination QEMU killed: no event on A")

    phase, (kind, state) = predicted_recovery("D_INCOMING", "Q_ACTIVE")
    t.check(phase == "D_FAILED" and kind == "FAILED" and state == "VIR_DOMAIN_SHUTOFF",
            "table: D_INCOMING + RESTART (QEMU active) -> D_FAILED, guest stopped",
            "%s %s %s" % (phase, kind, state))

    def kill_dest_daemon(dom):
        # restarted at once: its recovery of the incoming guest (table row
        # RESTART of the destination's phase) ends B's side, the source's
        # transfer fails; its QEMU would otherwise wait for a daemon
        pair.b.kill()
        pair.b.start()
        ctx["cb"] = lv.open(uri(pair.b))
        lb.open()
    err = fault_case(pair, lv, ctx, "destination daemon killed and restarted",
                     kill_dest_daemon)
    t.check(la.take("g3") in ([], [SUSPENDED_MIGRATED, RESUMED_MIGRATED]),
            "destination daemon killed: A shows nothing, or (failed after the switch-over "
            "began) SUSPENDED_MIGRATED, RESUMED_MIGRATED")
    lb.take("g3", settle=0)

    def kill_source_daemon(dom):
        pair.a.kill()

    # what the table predicts: the source restarted in S_PERFORM asks QEMU,
    # which still migrates for a daemon that no longer drives it (Q_ACTIVE):
    # S_CANCELLED, a failed outcome that cancels and keeps the guest as it
    # was (running); B's QEMU sees the stream end and B stops its guest
    phase, (kind, state) = predicted_recovery("S_PERFORM", "Q_ACTIVE")
    t.check(phase == "S_CANCELLED" and kind == "FAILED" and state == "MIG_KEEP",
            "table: S_PERFORM + RESTART (QEMU active) -> S_CANCELLED, guest kept",
            "%s %s %s" % (phase, kind, state))

    def restart_a():
        pair.a.start()
        ctx["ca"] = lv.open(uri(pair.a))
        la.open()
        t.check(wait_for(lambda: "g3" not in names(ctx["cb"]), 15),
                "source daemon restarted: B's incoming guest goes away")
    fault_case(pair, lv, ctx, "source daemon killed and restarted", kill_source_daemon,
               restart_a)
    t.check_eq(ctx["ca"].lookupByName("g3").state(), [1, 1],
               "source daemon restarted: running (booted) on A, as S_CANCELLED keeps it")
    la.expect("g3", [], "source daemon restarted: no lifecycle event on A")
    lb.expect("g3", [STARTED_MIGRATED, STOPPED_FAILED],
              "source daemon restarted: B shows STARTED_MIGRATED, STOPPED_FAILED")

    if not pair.loopback:
        def cut(dom):
            pair.link(False)
            time.sleep(1)
            dom.abortJob()

        try:
            err = fault_case(pair, lv, ctx, "network cut, then abort", cut)
        finally:
            pair.link(True)
        t.check("operation aborted" in err, "network cut: the abort is the reported error", err)
        la.take("g3", settle=0)
        lb.take("g3", settle=0)
    ctx["ca"].lookupByName("g3").destroy()


def restart_with_crash(pair, lv, ctx, h, phase):
    """Restarts @h's daemon with VIRTKIT_TEST_MIGRATION_CRASH=@phase (its
    guests' QEMUs survive and are reconnected)."""
    key = "la" if h is pair.a else "lb"
    h.kill(signal.SIGTERM)
    if phase:
        os.environ["VIRTKIT_TEST_MIGRATION_CRASH"] = phase
    try:
        h.start()
    finally:
        os.environ.pop("VIRTKIT_TEST_MIGRATION_CRASH", None)
    ctx["c" + key[1]] = lv.open(uri(h))
    ctx[key].open()


def crash_case(pair, lv, ctx, h, phase, name):
    """Migrates @name (on A, idle enough to reach the switch-over) to B with
    @h's daemon set to kill itself on recording @phase; restarts it and
    returns virsh's (rc, stderr)."""
    restart_with_crash(pair, lv, ctx, h, phase)
    rc, out, err = t.virsh(uri(pair.a), "migrate", "--live", name, "--desturi", uri(pair.b),
                           "--migrateuri", "tcp://%s" % pair.b.addr, timeout=60)
    t.check(not h.alive(), "crash point %s: the daemon killed itself there" % phase)
    h.kill()
    restart_with_crash(pair, lv, ctx, h, None)
    return rc, err


def test_crash_points(pair, lv, ctx):
    """Deterministic daemon crashes at named table phases (after the phase
    is recorded, before its action), then the table's recovery."""
    ca, la, lb = ctx["ca"], ctx["la"], ctx["lb"]
    create(pair, ca, "g4", wss=8)
    la.take("g4")

    # destination killed in Prepare, right after recording D_INCOMING
    # (before its QEMU starts): the restart finds no QEMU; A keeps the guest
    rc, err = crash_case(pair, lv, ctx, pair.b, "D_INCOMING", "g4")
    t.check(rc != 0, "crash in D_INCOMING: virsh migrate fails", err)
    check_guest_alive(pair, "g4", "crash in D_INCOMING")
    check_invariants(pair, ctx, "g4", "crash in D_INCOMING", "A")
    la.expect("g4", [], "crash in D_INCOMING: no lifecycle event on A")
    lb.take("g4", settle=0)

    # source killed right after recording S_SWITCHOVER, before it sends
    # migrate-continue: QEMU waits in pre-switchover with the guest paused.
    # The table: RESTART -> QUERY; a migration before the switch-over whose
    # driver went away answers Q_ACTIVE -> S_CANCELLED: cancel and resume
    phase, (kind, state) = predicted_recovery("S_SWITCHOVER", "Q_ACTIVE")
    t.check(phase == "S_CANCELLED" and kind == "FAILED",
            "table: S_SWITCHOVER + RESTART (QEMU before the switch-over) -> S_CANCELLED",
            "%s %s" % (phase, kind))
    rc, err = crash_case(pair, lv, ctx, pair.a, "S_SWITCHOVER", "g4")
    t.check(rc != 0, "crash in S_SWITCHOVER: virsh migrate fails", err)
    t.check(wait_for(lambda: ctx["ca"].lookupByName("g4").state() == [1, 6], 10),
            "crash in S_SWITCHOVER: after the restart the guest runs on A (running/"
            "migration-canceled)", str(ctx["ca"].lookupByName("g4").state()))
    check_guest_alive(pair, "g4", "crash in S_SWITCHOVER")
    check_invariants(pair, ctx, "g4", "crash in S_SWITCHOVER", "A")
    lb.expect("g4", [STARTED_MIGRATED, STOPPED_FAILED],
              "crash in S_SWITCHOVER: B shows STARTED_MIGRATED, STOPPED_FAILED")
    ctx["la"].take("g4", settle=0)
    ctx["ca"].lookupByName("g4").destroy()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not os.path.exists(QEMU) or not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("QEMU or the test guest is missing")
    if not os.environ.get("VIRTKIT"):
        t.skip("VIRTKIT is not set")
    ok, why = hostpair.available()
    if not ok:
        t.skip(why)
    import libvirt as lv
    start_event_loop(lv)
    pair = hostpair.HostPair()
    ctx = {}
    with pair:
        try:
            ctx["ca"] = lv.open(uri(pair.a))
            ctx["cb"] = lv.open(uri(pair.b))
            ctx["la"] = Listener(lv, uri(pair.a))
            ctx["lb"] = Listener(lv, uri(pair.b))
            cases = (test_managed, test_p2p_persist, test_postcopy, test_postcopy_faults,
                     test_responsive, test_faults, test_crash_points)
            only = os.environ.get("VKD_MIG_CASES")     # e.g. "managed,faults" (debugging)
            if only:
                cases = [c for c in cases if c.__name__[5:] in only.split(",")]
            for case in cases:
                start = time.monotonic()
                case(pair, lv, ctx)
                t.log("%s: %.1f s" % (case.__name__, time.monotonic() - start))
        finally:
            for k in ("la", "lb", "ca", "cb"):
                try:
                    ctx[k].close()
                except Exception:
                    pass
            kill_pair_qemus(pair)
            # SIGTERM: a daemon that exits cleanly runs its leak checks
            for h, n in ((pair.a, "A"), (pair.b, "B")):
                h.kill(signal.SIGTERM, timeout=10)
                log = h.log()
                t.check(h.exit_status == 0 and "AddressSanitizer" not in log and
                        "runtime error" not in log,
                        "%s exits cleanly on SIGTERM (sanitizer builds: no report)" % n,
                        "exit %s\n%s" % (h.exit_status, log[-3000:]))


if __name__ == "__main__":
    t.run(main, timeout=170)
