#!/usr/bin/python3
"""Migration between two virtkitd hosts (issue #6), test driver.

Two daemons, each in its own network namespace (tests/hosts/hostpair.py):
the migration data and peer-to-peer connections cross the veth link.
python3-libvirt listens for events on both daemons all along; Debian's
`virsh event --all --loop` and our `virtkit event --all --loop` listen on
both daemons through the first six cases and must print the same events.

- Debian's virsh `migrate --live` (managed direct: virsh drives the five
  steps over both connections) and `migrate --live --p2p` (the source
  daemon connects to the destination over TCP and drives them); event
  sequences as reference/events.md; state and reason on both hosts;
  domjobinfo --completed on the destination; python3-libvirt's migrate().
- our CLI `virtkit migrate` (when VIRTKIT is set), with --verbose progress.
- abortJob during the transfer: the call fails with OPERATION_ABORTED, the
  guest keeps running on the source, the destination shows
  STARTED_MIGRATED then STOPPED_FAILED and keeps nothing.
- the destination daemon killed (SIGKILL, by PID) during the transfer:
  the guest runs on the source only.
Without root (no network namespaces), or with VKD_HOSTPAIR_LOOPBACK=1,
both daemons run on 127.0.0.1 and the network cut is left out; skipped (77) without Debian's clients.
"""

import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hosts"))
import vkdtest as t  # noqa: E402
import hostpair  # noqa: E402

GUEST_XML = """<domain type='test'>
  <name>{name}</name>
  <memory unit='MiB'>{mib}</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""

# (event, detail) numbers: libvirt's virDomainEventType and details
STARTED_BOOTED = (2, 0)
STARTED_MIGRATED = (2, 1)
SUSPENDED_MIGRATED = (3, 1)
RESUMED_MIGRATED = (4, 1)
RESUMED_POSTCOPY = (4, 3)
SUSPENDED_POSTCOPY = (3, 7)
STOPPED_MIGRATED = (5, 3)
STOPPED_FAILED = (5, 5)
SUSPENDED_POSTCOPY_FAILED = (3, 8)
VIR_ERR_OPERATION_ABORTED = 78


class Listener(t.EventLog):
    """python3-libvirt listening on one daemon: lifecycle + job completed."""

    def __init__(self, libvirt, uri):
        super().__init__()
        self.libvirt = libvirt
        self.conn = libvirt.open(uri)
        self.ids = [
            self.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             self._lifecycle, None),
            self.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                             self._job, None),
        ]

    def _lifecycle(self, conn, dom, event, detail, opaque):
        self.add(dom.name(), (event, detail))

    def _job(self, conn, dom, params, opaque):
        self.add(dom.name(), ("job", params.get("operation")))

    def close(self):
        for i in self.ids:
            try:
                self.conn.domainEventDeregisterAny(i)
            except Exception:
                pass
        self.conn.close()


class EventPrinters:
    """Debian's `virsh event --all --loop` and our `virtkit event --all --loop`
    on one daemon: two client libraries listening to the same events.
    Stopped with SIGINT (both print what they got and exit)."""

    def __init__(self, uri, cli):
        self.procs = []
        cmds = [("virsh", ["virsh", "-c", uri, "event", "--all", "--loop"], t.client_env())]
        if cli:
            cmds.append(("virtkit", [cli, "-c", uri, "event", "--all", "--loop"],
                         dict(os.environ, LC_ALL="C")))
        for label, argv, env in cmds:
            p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env)
            self.procs.append((label, p))
        time.sleep(1.0)    # both registered before the first migration

    def stop(self):
        """SIGINT to each (by PID); returns {label: [event lines]}."""
        out = {}
        for label, p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
            try:
                o, e = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                o, e = p.communicate()
            out[label] = [line for line in o.splitlines() if line.startswith("event ")]
        self.procs = []
        return out


def start_event_loop(libvirt):
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()
    th = threading.Thread(target=loop, daemon=True)
    th.start()


def names(conn):
    return sorted(d.name() for d in conn.listAllDomains())


def create_guest(conn, name, mib=8):
    return conn.createXML(GUEST_XML.format(name=name, mib=mib), 0)


def wait_transfer(dom, timeout=20, proc=None):
    """Waits until the migration job of @dom has moved some data.  With
    @proc (the migrating virsh), stops early when it has exited and logs
    what it printed, so that a failure says why."""
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        info = dom.jobInfo()
        if info[0] != 0 and info[4] > 0:   # type, ..., dataProcessed
            return True
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            t.log("virsh migrate exited (%d) before the transfer was seen: %s%s"
                  % (proc.returncode, out, err))
            return False
        time.sleep(0.02)
    t.log("no transfer seen within %d s; last job info %s" % (timeout, info))
    return False


def test_virsh_managed(pair, libvirt, la, lb, ca, cb):
    create_guest(ca, "g1")
    la.take_until("g1", STARTED_BOOTED)
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "g1", "--desturi", pair.b.uri(),
                           "--migrateuri", "tcp://%s" % pair.b.addr)
    t.check(rc == 0, "virsh migrate --live (managed direct) A -> B", out + err)
    t.check("g1" not in names(ca) and "g1" in names(cb), "the guest moved from A to B",
            "%s / %s" % (names(ca), names(cb)))
    t.check_eq(cb.lookupByName("g1").state(), [1, 2], "B: running/migrated")
    la.expect("g1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "A: SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED (MIGRATION_OUT)")
    lb.expect("g1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, RESUMED_MIGRATED, no JOB_COMPLETED")
    rc, out, err = t.virsh(pair.b.uri(), "domjobinfo", "g1", "--completed")
    t.check(rc == 0 and "Completed" in out and "Incoming migration" in out,
            "virsh domjobinfo --completed on B", out + err)


def test_virsh_p2p(pair, libvirt, la, lb, ca, cb):
    rc, out, err = t.virsh(pair.b.uri(), "migrate", "--live", "--p2p", "g1",
                           pair.a.tcp_uri(), "tcp://%s" % pair.a.addr)
    t.check(rc == 0, "virsh migrate --live --p2p B -> A over TCP", out + err)
    t.check("g1" in names(ca) and "g1" not in names(cb), "the guest moved back to A",
            "%s / %s" % (names(ca), names(cb)))
    lb.expect("g1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "B (source): SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED")
    la.expect("g1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "A (destination): STARTED_MIGRATED, RESUMED_MIGRATED")
    # p2p to a daemon that is not there: the source's own error, guest unchanged
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--p2p", "g1",
                           "test+tcp://%s:1/default" % pair.b.addr)
    t.check(rc != 0 and "g1" in names(ca) and ca.lookupByName("g1").state()[0] == 1,
            "p2p to an unreachable daemon fails, guest still running on A", out + err)
    la.expect("g1", [], "no events for the failed p2p attempt")
    try:
        ca.lookupByName("g1").migrateToURI3("test+tcp://%s:1/default" % pair.b.addr, {},
                                            libvirt.VIR_MIGRATE_LIVE |
                                            libvirt.VIR_MIGRATE_PEER2PEER)
        t.check(False, "p2p to an unreachable daemon fails (python)")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_SYSTEM_ERROR,
                   "p2p to an unreachable daemon: SYSTEM_ERROR, as libvirt")
    # the destination refuses in Prepare: its error is the one the caller gets
    other = cb.createXML(GUEST_XML.format(name="g1", mib=8), 0)
    lb.take("g1")
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--p2p", "g1",
                           pair.b.tcp_uri(), "tcp://%s" % pair.b.addr)
    t.check(rc != 0 and "already exists" in err,
            "p2p: the destination's Prepare error reaches the caller", err)
    t.check_eq(ca.lookupByName("g1").state()[0], 1, "p2p refused: the guest still runs on A")
    la.expect("g1", [], "p2p refused: no events on A")
    other.destroy()
    lb.take("g1", settle=0.1)
    # p2p with the destination daemon reached over its unix socket (the
    # socket is a path: it crosses the namespaces), then back over TCP
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--p2p", "g1",
                           pair.b.uri(), "tcp://%s" % pair.b.addr)
    t.check(rc == 0 and "g1" in names(cb) and "g1" not in names(ca),
            "virsh migrate --live --p2p A -> B, the daemons over B's unix socket", out + err)
    lb.expect("g1", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B (destination over unix): STARTED_MIGRATED, RESUMED_MIGRATED")
    la.expect("g1", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "A (source, p2p over unix): SUSPENDED_MIGRATED, STOPPED_MIGRATED, JOB_COMPLETED")
    rc, out, err = t.virsh(pair.b.uri(), "migrate", "--live", "--p2p", "g1",
                           pair.a.tcp_uri(), "tcp://%s" % pair.a.addr)
    t.check(rc == 0 and "g1" in names(ca) and "g1" not in names(cb),
            "virsh migrate --live --p2p B -> A over TCP again", out + err)
    la.take("g1")
    lb.take("g1")


def test_python_migrate(pair, libvirt, la, lb, ca, cb):
    dom = ca.lookupByName("g1")
    params = {libvirt.VIR_MIGRATE_PARAM_URI: "tcp://%s" % pair.b.addr}
    ddom = dom.migrate3(cb, params, libvirt.VIR_MIGRATE_LIVE)
    t.check(ddom is not None and ddom.name() == "g1" and "g1" not in names(ca),
            "python3-libvirt migrate3 A -> B (managed)")
    la.take("g1")
    lb.take("g1")
    ddom.destroy()
    lb.take("g1", settle=0.1)


def test_our_cli(pair, libvirt, la, lb, ca, cb):
    cli = os.environ.get("VIRTKIT")
    if not cli:
        t.log("VIRTKIT not set: our CLI is not tested here")
        return
    create_guest(ca, "g2")
    la.take_until("g2", STARTED_BOOTED)
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate-setspeed", "g2", "--bandwidth", "16"],
                       capture_output=True, text=True, env=env, timeout=30)
    t.check(p.returncode == 0, "virtkit migrate-setspeed", p.stdout + p.stderr)
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate-getspeed", "g2"],
                       capture_output=True, text=True, env=env, timeout=30)
    t.check_eq(p.stdout.strip(), "16", "virtkit migrate-getspeed")
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate", "--live", "--verbose", "g2",
                        pair.b.uri(), "--migrateuri", "tcp://%s" % pair.b.addr],
                       capture_output=True, text=True, env=env, timeout=60)
    t.check(p.returncode == 0 and "g2" in names(cb) and "g2" not in names(ca),
            "virtkit migrate --live --verbose (managed)", p.stdout + p.stderr)
    t.check("Migration: [100 %]" in p.stderr, "--verbose shows virsh's progress line",
            p.stderr)
    la.expect("g2", [SUSPENDED_MIGRATED, STOPPED_MIGRATED, ("job", 5)],
              "A: events of our CLI's migration")
    lb.expect("g2", [STARTED_MIGRATED, RESUMED_MIGRATED],
              "B: events of our CLI's migration")
    p = subprocess.run([cli, "-c", pair.b.uri(), "migrate", "--live", "--p2p", "g2",
                        pair.a.tcp_uri(), "--migrateuri", "tcp://%s" % pair.a.addr],
                       capture_output=True, text=True, env=env, timeout=60)
    t.check(p.returncode == 0 and "g2" in names(ca) and "g2" not in names(cb),
            "virtkit migrate --p2p back to A", p.stdout + p.stderr)
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate-setmaxdowntime", "g2", "150"],
                       capture_output=True, text=True, env=env, timeout=30)
    t.check(p.returncode == 0, "virtkit migrate-setmaxdowntime", p.stdout + p.stderr)
    p = subprocess.run([cli, "-c", pair.a.uri(), "migrate-getmaxdowntime", "g2"],
                       capture_output=True, text=True, env=env, timeout=30)
    t.check_eq(p.stdout.strip(), "150", "virtkit migrate-getmaxdowntime")
    # domjobabort from our CLI while our CLI migrates
    dom = ca.lookupByName("g2")
    dom.migrateSetMaxSpeed(2)
    proc = subprocess.Popen([cli, "-c", pair.a.uri(), "migrate", "--live", "g2", pair.b.uri(),
                             "--migrateuri", "tcp://%s" % pair.b.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        t.check(wait_transfer(dom), "virtkit migrate: the job runs")
        p = subprocess.run([cli, "-c", pair.a.uri(), "domjobinfo", "g2"],
                           capture_output=True, text=True, env=env, timeout=30)
        t.check(p.returncode == 0 and "Unbounded" in p.stdout and "Outgoing migration" in p.stdout,
                "virtkit domjobinfo during the migration", p.stdout + p.stderr)
        p = subprocess.run([cli, "-c", pair.a.uri(), "domjobabort", "g2"],
                           capture_output=True, text=True, env=env, timeout=30)
        t.check(p.returncode == 0, "virtkit domjobabort", p.stdout + p.stderr)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0 and "operation aborted" in err,
            "virtkit migrate reports the abort", err)
    t.check("g2" in names(ca) and "g2" not in names(cb), "aborted: the guest stays on A")
    dom.destroy()
    la.take("g2", settle=0.1)
    lb.take("g2", settle=0.1)


def test_params(pair, libvirt, la, lb, ca, cb):
    """Parameters and the older entry points: --dname, --persistent-xml,
    Migrate2 with a new name, ToURI2 peer-to-peer."""
    create_guest(ca, "gp")
    la.take_until("gp", STARTED_BOOTED)
    pxml = GUEST_XML.format(name="gp-moved", mib=8).replace(
        "<vcpu>", "<description>persistent copy</description>\n  <vcpu>")
    path = os.path.join(pair.a.root, "gp-persist.xml")
    with open(path, "w") as f:
        f.write(pxml)
    # a persistent XML naming another uuid is refused before anything moves
    bad = os.path.join(pair.a.root, "gp-persist-bad.xml")
    with open(bad, "w") as f:
        f.write(pxml.replace("<vcpu>", "<uuid>6f1b0c5e-2d1a-4b7e-9c38-00000000dead</uuid>\n"
                             "  <vcpu>"))
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--persistent",
                           "--persistent-xml", bad, "gp", pair.b.uri(),
                           "--migrateuri", "tcp://%s" % pair.b.addr)
    t.check(rc != 0 and "Target domain uuid 6f1b0c5e-2d1a-4b7e-9c38-00000000dead does not "
            "match source" in err and ca.lookupByName("gp").state()[0] == 1 and
            "gp" not in names(cb), "--persistent-xml with another uuid: refused, runs on A", err)
    t.check_eq(la.take("gp") + lb.take("gp"), [], "refused: no events")
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--persistent", "--dname",
                           "gp-moved", "--persistent-xml", path, "gp", pair.b.uri(),
                           "--migrateuri", "tcp://%s" % pair.b.addr)
    t.check(rc == 0 and "gp" not in names(ca) and "gp-moved" in names(cb),
            "virsh migrate --dname: the guest runs on B under its new name",
            out + err + repr((names(ca), names(cb))))
    dom = cb.lookupByName("gp-moved")
    t.check(dom.isPersistent() == 1 and "persistent copy" in
            dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) and
            "persistent copy" not in dom.XMLDesc(0),
            "--persistent-xml: B's definition is that XML, the live one is the guest's",
            dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
    lb.expect("gp-moved", [STARTED_MIGRATED, (0, 0), RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, DEFINED_ADDED (Finish persists), RESUMED_MIGRATED")
    la.take("gp")
    # Migrate2 (python's migrate2) back to A under the old name
    ddom = dom.migrate2(ca, None, libvirt.VIR_MIGRATE_LIVE, "gp", "tcp://%s" % pair.a.addr, 0)
    t.check(ddom is not None and ddom.name() == "gp" and "gp" in names(ca) and
            ca.lookupByName("gp").state()[0] == 1,
            "virDomainMigrate2 with a new name: runs on A as gp")
    la.take("gp")
    lb.take("gp-moved")
    # B keeps gp-moved's definition (no --undefinesource), with gp's UUID:
    # a guest of that UUID under another name is refused there, as libvirt
    try:
        ca.lookupByName("gp").migrateToURI2(pair.b.tcp_uri(), "tcp://%s" % pair.b.addr, None,
                                            libvirt.VIR_MIGRATE_LIVE |
                                            libvirt.VIR_MIGRATE_PEER2PEER, None, 0)
        t.check(False, "a guest whose UUID B defines under another name is refused")
    except libvirt.libvirtError as e:
        t.check("already defined with uuid" in str(e) and
                ca.lookupByName("gp").state()[0] == 1,
                "a guest whose UUID B defines under another name is refused, runs on A", str(e))
    gm = cb.lookupByName("gp-moved")
    t.check_eq(cb.lookupByUUIDString(gm.UUIDString()).name(), "gp-moved",
               "B: the definition kept from --persistent-xml (no uuid in it) has the guest's uuid")
    gm.undefine()
    lb.take("gp-moved", settle=0.1)
    # ToURI2, peer-to-peer: A's daemon drives B
    ca.lookupByName("gp").migrateToURI2(pair.b.tcp_uri(), "tcp://%s" % pair.b.addr, None,
                                        libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER,
                                        None, 0)
    t.check("gp" in names(cb) and "gp" not in names(ca) and
            cb.lookupByName("gp").state() == [1, 2],
            "virDomainMigrateToURI2 peer-to-peer: running/migrated on B")
    la.take("gp")
    lb.take("gp")
    cb.lookupByName("gp").destroy()
    lb.take("gp", settle=0.1)


def test_postcopy(pair, libvirt, la, lb, ca, cb):
    dom = create_guest(ca, "g5", mib=16)
    la.take_until("g5", STARTED_BOOTED)
    dom.migrateSetMaxSpeed(4)
    try:
        dom.migrateStartPostCopy()
        t.check(False, "migrateStartPostCopy without a migration fails")
    except libvirt.libvirtError as e:
        t.check(e.get_error_code() == libvirt.VIR_ERR_OPERATION_INVALID
                and "outgoing migration is in progress" in e.get_error_message(),
                "migrateStartPostCopy without a migration: OPERATION_INVALID",
                e.get_error_message())
    # virsh switches to post-copy after 1 s (MIGRATE_START_POST_COPY over RPC)
    rc, out, err = t.virsh(pair.a.uri(), "migrate", "--live", "--postcopy", "--timeout", "1",
                           "--timeout-postcopy", "g5", "--desturi", pair.b.uri(),
                           "--migrateuri", "tcp://%s" % pair.b.addr)
    t.check(rc == 0 and "g5" in names(cb) and "g5" not in names(ca),
            "virsh migrate --postcopy --timeout-postcopy", out + err)
    la.expect("g5", [SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED,
                     ("job", 5)],
              "A: SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, STOPPED_MIGRATED, JOB_COMPLETED")
    lb.expect("g5", [STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED],
              "B: STARTED_MIGRATED, RESUMED_POSTCOPY, RESUMED_MIGRATED")
    cb.lookupByName("g5").destroy()
    lb.take("g5", settle=0.1)


def test_postcopy_abort(pair, libvirt, la, lb, ca, cb):
    """virsh domjobabort --postcopy (virDomainAbortJobFlags over RPC) breaks
    a migration in post-copy mode: the guest stays paused with
    POSTCOPY_FAILED on both hosts."""
    dom = create_guest(ca, "g7", mib=16)
    la.take_until("g7", STARTED_BOOTED)
    rc, out, err = t.virsh(pair.a.uri(), "domjobabort", "g7", "--postcopy")
    t.check(rc != 0 and "current job is not outgoing migration in post-copy mode" in err,
            "domjobabort --postcopy without a migration is refused", out + err)
    dom.migrateSetMaxSpeed(4)
    dom.migrateSetMaxSpeed(1, libvirt.VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)
    proc = subprocess.Popen(["virsh", "-c", pair.a.uri(), "migrate", "--live", "--postcopy",
                             "g7", "--desturi", pair.b.uri(), "--migrateuri",
                             "tcp://%s" % pair.b.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    try:
        t.check(wait_transfer(dom, proc=proc), "the post-copy migration is under way")
        dom.migrateStartPostCopy()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and dom.state() != [3, 12]:
            time.sleep(0.02)
        t.check_eq(dom.state(), [3, 12], "A: paused/postcopy after the switch")
        rc, out, err = t.virsh(pair.a.uri(), "domjobabort", "g7", "--postcopy")
        t.check(rc == 0, "virsh domjobabort --postcopy", out + err)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0, "virsh migrate fails", err)
    t.check_eq(dom.state(), [3, 13], "A: paused/postcopy-failed, never resumed")
    dd = cb.lookupByName("g7")
    t.check_eq(dd.state(), [3, 13], "B: paused/postcopy-failed")
    la.expect("g7", [SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, SUSPENDED_POSTCOPY_FAILED],
              "A: SUSPENDED_MIGRATED, SUSPENDED_POSTCOPY, SUSPENDED_POSTCOPY_FAILED")
    lb.expect("g7", [STARTED_MIGRATED, RESUMED_POSTCOPY, SUSPENDED_POSTCOPY_FAILED],
              "B: STARTED_MIGRATED, RESUMED_POSTCOPY, SUSPENDED_POSTCOPY_FAILED")
    dd.destroy()
    dom.destroy()
    la.take("g7", settle=0.1)
    lb.take("g7", settle=0.1)


def slow_migration(pair, name, ca, src=None, dst=None):
    """Starts virsh migrate of a 16 MiB guest at 4 MiB/s (about 4 s) in the background."""
    src = src or pair.a
    dst = dst or pair.b
    dom = create_guest(ca, name, mib=16)
    dom.migrateSetMaxSpeed(4)
    proc = subprocess.Popen(["virsh", "-c", src.uri(), "migrate", "--live", name,
                             "--desturi", dst.uri(), "--migrateuri",
                             "tcp://%s" % dst.addr],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=t.client_env())
    return dom, proc


def test_abort(pair, libvirt, la, lb, ca, cb):
    dom, proc = slow_migration(pair, "g3", ca)
    try:
        la.take_until("g3", STARTED_BOOTED)
        t.check(wait_transfer(dom, proc=proc), "the migration job runs and reports progress")
        stats = dom.jobStats()
        t.check(stats.get("type") == 2 and stats.get("operation") == libvirt.VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT
                and stats.get("data_total") == 16 << 20,
                "jobStats during the transfer: unbounded, MIGRATION_OUT, data_total", stats)
        dom.abortJob()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0 and "operation aborted" in err,
            "virsh migrate fails: operation aborted", err)
    t.check_eq(dom.state(), [1, 1], "A: the guest keeps running (running/booted)")
    t.check("g3" not in names(cb), "B keeps nothing", names(cb))
    la.expect("g3", [], "A: no lifecycle event for an aborted live migration")
    lb.expect("g3", [STARTED_MIGRATED, STOPPED_FAILED],
              "B: STARTED_MIGRATED, STOPPED_FAILED")
    try:
        dom.abortJob()
        t.check(False, "abortJob without a job fails")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID,
                   "abortJob without a job: OPERATION_INVALID")
    dom.destroy()
    la.take("g3", settle=0.1)


def test_network_cut(pair, libvirt, la, lb, ca, cb):
    if pair.loopback:
        t.log("loopback pair: the network cut is not tested")
        return
    dom, proc = slow_migration(pair, "g6", ca)
    try:
        t.check(wait_transfer(dom, proc=proc), "the migration to B is under way")
        pair.link(False)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        pair.link(True)
    t.check(proc.returncode != 0, "virsh migrate fails when the network is cut", err)
    t.check_eq(dom.state()[0], 1, "A: the guest runs on the source")
    t.check("g6" not in names(cb), "B keeps nothing: the guest runs on exactly one host",
            names(cb))
    lb.expect("g6", [STARTED_MIGRATED, STOPPED_FAILED],
              "B: STARTED_MIGRATED, STOPPED_FAILED")
    dom.destroy()
    la.take("g6", settle=0.1)


def test_kill_destination(pair, libvirt, la, lb, ca, cb):
    # B -> A, and A dies: B (which served both roles before) is then
    # stopped cleanly at the end, so that a sanitizer build checks it
    dom, proc = slow_migration(pair, "g4", cb, src=pair.b, dst=pair.a)
    try:
        t.check(wait_transfer(dom, proc=proc), "the migration to A is under way")
        pair.a.kill()
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    t.check(proc.returncode != 0, "virsh migrate fails when the destination dies", err)
    t.check_eq(dom.state()[0], 1, "B: the guest runs on the source")
    t.check(not pair.a.alive(), "A is gone: the guest runs on exactly one host")
    t.check_eq(dom.jobInfo()[0], 0, "B: no job left behind")
    dom.destroy()
    lb.take("g4", settle=0.1)


def main():
    t.need_virsh()
    t.need_libvirt_python()
    ok, why = hostpair.available()
    if ok and os.environ.get("VKD_HOSTPAIR_LOOPBACK"):
        ok, why = False, "VKD_HOSTPAIR_LOOPBACK is set"
    if not ok:
        t.log("%s: both daemons on 127.0.0.1 instead (no network cut)" % why)
    import libvirt
    start_event_loop(libvirt)
    pair = hostpair.HostPair(loopback=not ok)
    with pair:
        ca = libvirt.open(pair.a.uri())
        cb = libvirt.open(pair.b.uri())
        la = Listener(libvirt, pair.a.uri())
        lb = Listener(libvirt, pair.b.uri())
        cli = os.environ.get("VIRTKIT")
        printers = [EventPrinters(pair.a.uri(), cli), EventPrinters(pair.b.uri(), cli)]
        try:
            test_virsh_managed(pair, libvirt, la, lb, ca, cb)
            test_virsh_p2p(pair, libvirt, la, lb, ca, cb)
            test_python_migrate(pair, libvirt, la, lb, ca, cb)
            test_our_cli(pair, libvirt, la, lb, ca, cb)
            test_params(pair, libvirt, la, lb, ca, cb)
            test_postcopy(pair, libvirt, la, lb, ca, cb)
            test_postcopy_abort(pair, libvirt, la, lb, ca, cb)
            test_abort(pair, libvirt, la, lb, ca, cb)
            for host, pr in zip("AB", printers):
                got = pr.stop()
                t.check(any("Migrated" in line for line in got["virsh"]),
                        "%s: virsh event --all saw the migrations' events" % host,
                        "\n".join(got["virsh"]))
                if cli:
                    t.check_eq(got["virtkit"], got["virsh"],
                               "%s: our library gets the events Debian's libvirt gets "
                               "(virtkit event --all --loop = virsh event --all --loop)" % host)
            test_network_cut(pair, libvirt, la, lb, ca, cb)
            test_kill_destination(pair, libvirt, la, lb, ca, cb)
        finally:
            for pr in printers:
                pr.stop()
            for c in (la, lb):
                try:
                    c.close()
                except Exception:
                    pass
            for c in (ca, cb):
                try:
                    c.close()
                except Exception:
                    pass
    t.check_eq(pair.b.exit_status, 0, "B exits cleanly on SIGTERM (sanitizer builds: no report)")


if __name__ == "__main__":
    t.run(main, timeout=150)
