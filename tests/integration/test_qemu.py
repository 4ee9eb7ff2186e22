"""virtkitd hosting the QEMU driver: qemu:///system under a private --root.

Real TCG guests booting tests/guest's vkguest.elf (<os><kernel>, type='qemu'):
- the URIs it takes: the default (no name) is qemu:///system; other qemu
  paths and drivers it lacks are refused without connecting to itself;
- Debian's virsh: define, start, dominfo, domstate --reason, suspend, resume,
  destroy, undefine;
- python3-libvirt on a second connection receives the lifecycle events of
  that guest, in libvirt 9.0's order;
- our CLI (build/tools/virtkit -c URI) does the same, with virsh's output;
- our CLI without -c uses the local daemon when its socket answers (private
  mount namespace with the test daemon's socket dir on /run/virtkit);
- autostart: a domain marked autostart runs after a daemon restart;
- restart survival (issue 5): N guests, kill -9 virtkitd, start it again:
  all running, same ids, answering on their monitors, heartbeat going on;
  kill -9 one QEMU while the daemon is down: after the restart that one is
  shutoff (crashed), the others still run.

Every QEMU pid is recorded from its pidfile and killed on the way out.  QEMUs
outlive a killed daemon by design; once orphaned they are not our children
(init reaps them), so the test waits for them to be gone or zombies.
"""

import os
import signal
import subprocess
import threading
import time

import vkdtest as t

GUESTS = int(os.environ.get("VKD_QEMU_GUESTS", "10"))
QEMU = "/usr/bin/qemu-system-x86_64"

# virDomainEventType / details and states used below (libvirt's values).
DEFINED, UNDEFINED, STARTED, SUSPENDED, RESUMED, STOPPED, SHUTDOWN = 0, 1, 2, 3, 4, 5, 6
RUNNING, PAUSED, SHUTOFF = 1, 3, 5
SHUTOFF_DESTROYED, SHUTOFF_CRASHED = 2, 3
RUNNING_UNPAUSED = 5

_qemu_pids = set()


def guest_xml(root, name):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>heartbeat_ms=50</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, os.environ["VKGUEST"], root, name)


def qemu_pid(d, name):
    """The pid of @name's QEMU from the driver's pidfile (and remember it)."""
    path = os.path.join(d.root, "run", "virtkit", "qemu", name + ".pid")
    with open(path) as f:
        pid = int(f.read().strip())
    _qemu_pids.add(pid)
    return pid


def process_gone(pid):
    """True when @pid no longer runs (vanished, or a zombie nobody reaped yet)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(pred, timeout=10, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def kill_qemus():
    for pid in list(_qemu_pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_for(lambda: process_gone(pid), timeout=5)
    _qemu_pids.clear()


def hard_kill_daemon(d):
    """kill -9 the daemon and reap it, keeping its root (unlike Daemon.kill)."""
    d.proc.kill()
    d.proc.wait()


def vk(uri, *args, env=None, timeout=30):
    binary = os.environ["VIRTKIT"]
    e = t.client_env()
    if env:
        e.update(env)
    p = subprocess.run([binary, "-c", uri] + list(args), capture_output=True, text=True,
                       env=e, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def dominfo_fields(out):
    """dominfo as a dict, without the fields that change with time."""
    fields = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            if k.strip() not in ("CPU time",):
                fields[k.strip()] = v.strip()
    return fields


class EventListener:
    """python3-libvirt on its own connection, collecting lifecycle events."""

    def __init__(self, libvirt, uri):
        self.libvirt = libvirt
        self.events = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        self.conn = libvirt.open(uri)
        self.cb = self.conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._on_event, None)

    def _loop(self):
        while not self.stop:
            self.libvirt.virEventRunDefaultImpl()

    def _on_event(self, conn, dom, event, detail, opaque):
        with self.lock:
            self.events.append((dom.name(), event, detail))

    def of(self, name):
        with self.lock:
            return [(e, d) for n, e, d in self.events if n == name]

    def close(self):
        try:
            self.conn.domainEventDeregisterAny(self.cb)
            self.conn.close()
        except self.libvirt.libvirtError:
            pass


def without_host_shutdown(events):
    # SHUTDOWN_HOST (6,2) before STOPPED_DESTROYED comes from QEMU's SHUTDOWN
    # on SIGTERM; a QEMU that needed SIGKILL does not send it.
    return [e for e in events if e != (SHUTDOWN, 2)]


EXPECTED_EVENTS = [
    (DEFINED, 0),     # define: DEFINED_ADDED
    (RESUMED, 0),     # start: RESUMED_UNPAUSED (QEMU's RESUME) ...
    (STARTED, 0),     # ... then STARTED_BOOTED, as libvirt 9.0
    (SUSPENDED, 0),   # suspend: SUSPENDED_PAUSED
    (RESUMED, 0),     # resume: RESUMED_UNPAUSED
    (STOPPED, 1),     # destroy: STOPPED_DESTROYED (after SHUTDOWN_HOST)
    (UNDEFINED, 0),   # undefine: UNDEFINED_REMOVED
]


def lifecycle(d, libvirt, tool, name):
    """One guest through @tool (virsh or our CLI); events seen by python."""
    uri = d.uri(driver="qemu", path="/system")
    run = t.virsh if tool == "virsh" else vk
    xml = os.path.join(d.root, name + ".xml")
    with open(xml, "w") as f:
        f.write(guest_xml(d.root, name))
    listener = EventListener(libvirt, uri)
    states = {}
    try:
        rc, out, err = run(uri, "define", xml)
        t.check(rc == 0 and ("Domain '%s' defined" % name) in out, "%s: define" % tool, err)
        rc, out, err = run(uri, "start", name)
        t.check(rc == 0 and ("Domain '%s' started" % name) in out, "%s: start" % tool, err)
        qemu_pid(d, name)
        rc, out, err = run(uri, "dominfo", name)
        info = dominfo_fields(out)
        t.check(rc == 0 and info.get("State") == "running" and info.get("Name") == name and
                info.get("Persistent") == "yes" and info.get("Max memory") == "32768 KiB",
                "%s: dominfo" % tool, out + err)
        states["info"] = info
        rc, out, err = run(uri, "domstate", "--reason", name)
        t.check_eq((rc, out.strip()), (0, "running (booted)"), "%s: domstate --reason" % tool)
        rc, out, err = run(uri, "suspend", name)
        t.check(rc == 0 and "suspended" in out, "%s: suspend" % tool, err)
        rc, out, err = run(uri, "domstate", "--reason", name)
        t.check_eq(out.strip(), "paused (user)", "%s: paused (user)" % tool)
        rc, out, err = run(uri, "resume", name)
        t.check(rc == 0 and "resumed" in out, "%s: resume" % tool, err)
        rc, out, err = run(uri, "domstate", "--reason", name)
        t.check_eq(out.strip(), "running (unpaused)", "%s: running (unpaused)" % tool)
        rc, out, err = run(uri, "destroy", name)
        t.check(rc == 0 and "destroyed" in out, "%s: destroy" % tool, err)
        rc, out, err = run(uri, "domstate", "--reason", name)
        t.check_eq(out.strip(), "shut off (destroyed)", "%s: shut off (destroyed)" % tool)
        rc, out, err = run(uri, "undefine", name)
        t.check(rc == 0 and "undefined" in out, "%s: undefine" % tool, err)
        rc, out, err = run(uri, "list", "--all", "--name")
        t.check(name not in out.split(), "%s: gone from list --all" % tool, out)

        wait_for(lambda: len(without_host_shutdown(listener.of(name))) >= len(EXPECTED_EVENTS),
                 timeout=10)
        t.check_eq(without_host_shutdown(listener.of(name)), EXPECTED_EVENTS,
                   "%s: python3-libvirt got the guest's lifecycle events in order" % tool)
    finally:
        listener.close()
    return states


def test_lifecycle(d, libvirt):
    a = lifecycle(d, libvirt, "virsh", "vm-virsh")
    b = lifecycle(d, libvirt, "virtkit", "vm-virtkit")
    # Same dominfo from both tools, apart from the domain's own name/uuid/id.
    skip = ("Name", "UUID", "Id")
    t.check_eq({k: v for k, v in b["info"].items() if k not in skip},
               {k: v for k, v in a["info"].items() if k not in skip},
               "virtkit dominfo has virsh's fields")


def test_default_uri(d):
    """virtkit without -c: the local daemon when it answers, else test:///default."""
    env = t.client_env()
    for k in ("LIBVIRT_DEFAULT_URI", "VIRTKIT_DEFAULT_URI"):
        env.pop(k, None)
    cli = os.environ["VIRTKIT"]
    if os.geteuid() != 0 or subprocess.run(["unshare", "-m", "true"]).returncode != 0:
        t.log("no private mount namespace (needs root): default URI probe not tested")
        return
    # /run replaced by a tmpfs in a private namespace; the daemon's socket
    # directory appears as /run/virtkit there.
    script = ('mount -t tmpfs tmpfs /run && mkdir /run/virtkit && '
              'mount --bind "$1" /run/virtkit && "$2" uri && "$2" list --all --name')
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        os.path.join(d.root, "run", "virtkit"), cli],
                       capture_output=True, text=True, env=env, timeout=30)
    lines = p.stdout.split()
    t.check(p.returncode == 0 and lines[:1] == ["qemu:///system"] and "autostarted" in lines,
            "no -c, daemon on /run/virtkit: virtkit uses qemu:///system of that daemon",
            p.stdout + p.stderr)
    script = 'mount -t tmpfs tmpfs /run && "$1" uri'
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        cli], capture_output=True, text=True, env=env, timeout=30)
    t.check_eq((p.returncode, p.stdout.strip()), (0, "test:///default"),
               "no -c, no daemon socket: test:///default")


def test_uris(d):
    """Which URIs the daemon takes, and that it never connects to itself."""
    c = t.RawClient(d.sock)
    try:
        c.open(uri=None)  # no name: the daemon's default driver
        r = c.call(110)   # CONNECT_GET_URI
        t.check_eq(r.reader().string() if r.status == t.OK else r.error(), "qemu:///system",
                   "a client naming no URI gets qemu:///system")
        r = c.call(3)     # CONNECT_GET_TYPE
        t.check_eq(r.reader().string() if r.status == t.OK else r.error(), "QEMU",
                   "... served by the QEMU driver")
    finally:
        c.close()
    rc, out, err = t.virsh(d.uri(driver="qemu", path="/session"), "uri")
    t.check_eq((rc, out.strip()), (0, d.uri(driver="qemu", path="/session")),
               "qemu:///session: the system instance in a root-mode daemon")
    rc, out, err = t.virsh(d.uri(driver="qemu", path="/other"), "uri")
    t.check(rc != 0 and "unexpected QEMU URI path '/other', try qemu:///system" in err,
            "qemu:///other refused as libvirt's daemon does", err)
    # A driver the daemon lacks: declined by every driver inside the daemon
    # (the remote driver must not loop back to this daemon).
    rc, out, err = t.virsh(d.uri(driver="xen", path="/system"), "uri", timeout=10)
    t.check(rc != 0 and "no connection driver available" in err,
            "xen:///system: no driver, no connection to itself", err)
    t.check(d.alive(), "daemon alive after the refused URIs")


def start_guests(conn, d, names):
    ids = {}
    for name in names:
        dom = conn.defineXML(guest_xml(d.root, name))
        dom.create()
        ids[name] = dom.ID()
        qemu_pid(d, name)
    return ids


def serial_grows(d, name):
    path = os.path.join(d.root, name + ".serial")
    before = os.path.getsize(path)
    return wait_for(lambda: os.path.getsize(path) > before, timeout=5)


def test_autostart(d, libvirt):
    """Marked autostart, then the daemon restarts (SIGTERM keeps guests): it runs."""
    conn = libvirt.open(d.uri(driver="qemu", path="/system"))
    dom = conn.defineXML(guest_xml(d.root, "autostarted"))
    dom.setAutostart(1)
    conn.close()
    t.check_eq(d.terminate(signal.SIGTERM), 0, "autostart: daemon stopped cleanly")
    d.start()
    conn = libvirt.open(d.uri(driver="qemu", path="/system"))
    dom = conn.lookupByName("autostarted")
    t.check_eq(dom.state(), [RUNNING, 1], "autostart: running (booted) after the daemon start")
    qemu_pid(d, "autostarted")
    conn.close()


def test_restart(d, libvirt):
    uri = d.uri(driver="qemu", path="/system")
    names = ["r%d" % i for i in range(GUESTS)]
    conn = libvirt.open(uri)
    start = time.monotonic()
    ids = start_guests(conn, d, names)
    t.log("%d guests started in %.2f s" % (GUESTS, time.monotonic() - start))
    pids = {n: qemu_pid(d, n) for n in names}
    conn.close()

    # kill -9 of the daemon: the guests go on.
    hard_kill_daemon(d)
    t.check(all(not process_gone(p) for p in pids.values()),
            "kill -9 virtkitd: all %d QEMUs still run" % GUESTS)
    start = time.monotonic()
    d.start()
    t.log("daemon restarted and reconnected in %.2f s" % (time.monotonic() - start))
    conn = libvirt.open(uri)
    doms = {n: conn.lookupByName(n) for n in names}
    t.check_eq({n: doms[n].state() for n in names}, {n: [RUNNING, 1] for n in names},
               "after restart: all %d running (booted)" % GUESTS)
    t.check_eq({n: doms[n].ID() for n in names}, ids, "after restart: same ids")
    t.check(set(ids.values()) <= set(conn.listDomainsID()), "after restart: listed",
            "%r not in %r" % (sorted(ids.values()), conn.listDomainsID()))
    reachable = True
    for n in names:  # the monitor answers: stop + cont
        doms[n].suspend()
        reachable &= doms[n].state() == [PAUSED, 1]
        doms[n].resume()
        reachable &= doms[n].state()[0] == RUNNING
    t.check(reachable, "after restart: every guest suspends and resumes (monitor reconnected)")
    t.check(all(serial_grows(d, n) for n in names), "after restart: heartbeats go on")
    conn.close()

    # kill -9 of one QEMU while the daemon is down.
    hard_kill_daemon(d)
    victim = names[0]
    os.kill(pids[victim], signal.SIGKILL)
    t.check(wait_for(lambda: process_gone(pids[victim])), "the victim's QEMU is gone")
    d.start()
    conn = libvirt.open(uri)
    dom = conn.lookupByName(victim)
    t.check_eq(dom.state(), [SHUTOFF, SHUTOFF_CRASHED],
               "QEMU killed while the daemon was down: shutoff (crashed)")
    t.check_eq(dom.ID(), -1, "the crashed one has no id")
    t.check(not os.path.exists(os.path.join(d.root, "run", "virtkit", "qemu", victim + ".xml")),
            "its status XML is removed")
    rest = {n: conn.lookupByName(n).state() for n in names[1:]}
    t.check_eq(rest, {n: [RUNNING, RUNNING_UNPAUSED] for n in names[1:]},
               "the others still run (unpaused: resumed above)")
    rc, out, err = t.virsh(uri, "domstate", "--reason", victim)
    t.check_eq(out.strip(), "shut off (crashed)", "virsh: shut off (crashed)")
    # Can start it again.
    dom.create()
    qemu_pid(d, victim)
    t.check_eq(dom.state(), [RUNNING, 1], "the crashed one starts again")

    for n in names:
        conn.lookupByName(n).destroy()
    t.check(all(conn.lookupByName(n).state() == [SHUTOFF, SHUTOFF_DESTROYED] for n in names),
            "all destroyed")
    conn.close()


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
        test_uris(d)
        test_lifecycle(d, libvirt)
        test_autostart(d, libvirt)
        test_default_uri(d)
        test_restart(d, libvirt)
        t.check_eq(d.terminate(signal.SIGTERM), 0, "daemon stops cleanly (SIGTERM)")
    except BaseException:
        t.log("daemon log:\n" + d.log())
        raise
    finally:
        kill_qemus()
        d.kill()


if __name__ == "__main__":
    t.run(main, timeout=280)
