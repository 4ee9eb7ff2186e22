"""virtkitd with a stuck QEMU (issue 7): queries stay fast, every wait is bounded.

qemu.conf under `virtkitd --root` sets monitor_timeout = 2.  Two TCG guests
boot tests/guest's vkguest.elf; the QEMU of one ("stuck") gets SIGSTOP:

- a suspend (python3-libvirt, in a thread) sends 'stop' and waits;
- meanwhile list, dominfo, domstate, dumpxml, domjobinfo and domstats each
  answer in < 100 ms, timed inside one session (-t) of our CLI and of
  Debian's virsh, and through python3-libvirt;
- a second suspend fails soon with OPERATION_TIMEOUT naming the job that
  holds the domain and the API that started it;
- the other guest suspends and resumes normally;
- the first suspend fails after monitor_timeout, naming the command, the
  domain and the time; destroy of the stuck guest takes < 1 s;
- late-reply variant: SIGSTOP, suspend times out, SIGCONT: the late 'stop'
  is reconciled to paused (user) with exactly one SUSPENDED_PAUSED event;
- a job held when the daemon dies (issue 5): suspend on a SIGSTOPped QEMU,
  the status XML names the job, kill -9 virtkitd, SIGCONT, start it again:
  a log line names the interrupted job, the status XML no longer has it,
  and the domain suspends, resumes and is destroyed at once;
- the statistics commands (domblkstat, domblkinfo, dommemstat, vcpuinfo,
  domstats, domifstat) of a guest with a disk print through our CLI what
  Debian's virsh prints (numbers masked).

Every QEMU is found through its pidfile and killed by pid on the way out.
"""

import os
import re
import shutil
import signal
import tempfile
import threading
import time

import vkdtest as t
from test_qemu import EventListener, guest_xml, kill_qemus, qemu_pid, vk, wait_for

QEMU = "/usr/bin/qemu-system-x86_64"
QUERY_LIMIT_MS = 100
SUSPENDED, PAUSED_DETAIL = 3, 0

QUERIES = "list --all; dominfo stuck; domstate stuck --reason; dumpxml stuck; " \
          "domjobinfo stuck; domstats stuck; domstats"


def session_times(out):
    """The '(Time: N ms)' of each command of a -t session, in order."""
    return [float(x) for x in re.findall(r"\(Time: ([0-9.]+) ms\)", out)]


def create(d, uri, name):
    xml = os.path.join(d.root, name + ".xml")
    with open(xml, "w") as f:
        f.write(guest_xml(d.root, name))
    rc, out, err = t.virsh(uri, "create", xml)
    t.check(rc == 0, "create %s" % name, err)
    return qemu_pid(d, name)


class Suspend(threading.Thread):
    """virDomainSuspend on its own python3-libvirt connection."""

    def __init__(self, libvirt, uri, name):
        super().__init__(daemon=True)
        self.libvirt, self.uri, self.name = libvirt, uri, name
        self.error = None
        self.seconds = None

    def run(self):
        conn = self.libvirt.open(self.uri)
        start = time.monotonic()
        try:
            conn.lookupByName(self.name).suspend()
        except self.libvirt.libvirtError as e:
            self.error = e
        self.seconds = time.monotonic() - start
        conn.close()


def test_stuck(d, libvirt, uri):
    create(d, uri, "other")
    pid = create(d, uri, "stuck")
    conn = libvirt.open(uri)
    dom = conn.lookupByName("stuck")
    os.kill(pid, signal.SIGSTOP)
    try:
        first = Suspend(libvirt, uri, "stuck")
        first.start()
        time.sleep(0.3)

        # The queries, timed inside one session of each tool.
        # A query that waited on QEMU would take seconds every time; a
        # scheduling hiccup on a loaded 2-core machine does not repeat, so
        # up to three sessions are tried.
        for tool, run in (("virtkit", vk), ("virsh", t.virsh)):
            for attempt in range(3):
                rc, out, err = run(uri, "-t", QUERIES)
                times = session_times(out)
                t.log("%s while stuck: %s ms" % (tool, times))
                if times and max(times) < QUERY_LIMIT_MS:
                    break
            t.check(rc == 0 and len(times) == 7, "%s: queries answer" % tool, out + err)
            t.check(max(times or [1e9]) < QUERY_LIMIT_MS,
                    "%s: each query < %d ms while QEMU is stuck" % (tool, QUERY_LIMIT_MS),
                    str(times))
            t.check("state.state=1" in out and "Job type:" in out and "<domain" in out,
                    "%s: the answers are there" % tool, out)

        # The same through the API of an open connection.
        start = time.monotonic()
        dom.info()
        dom.state()
        dom.XMLDesc()
        dom.jobInfo()
        conn.listAllDomains()
        conn.domainListGetStats([dom])
        vcpus = dom.vcpus()
        mem = dom.memoryStats()
        ms = (time.monotonic() - start) * 1000
        t.check(ms < QUERY_LIMIT_MS * 3, "python3-libvirt: eight queries in %.1f ms" % ms)
        t.check(len(vcpus[0]) == 1 and vcpus[0][0][1] == 1 and mem.get("actual") == 32768 and
                mem.get("rss", 0) > 0, "python3-libvirt: vCPUs and memory", repr((vcpus, mem)))

        # A second suspend fails soon, naming the job holding the domain.
        start = time.monotonic()
        rc, out, err = vk(uri, "suspend", "stuck")
        took = time.monotonic() - start
        t.check(rc != 0 and "is busy" in err and "virDomainSuspend" in err and "'stop'" in err,
                "second suspend names the job holding the domain", err)
        t.check(took < 1.8, "second suspend failed after %.2f s" % took)

        # AbortJob answers at once too: a suspend is no job it can abort
        # (libvirt's answer once it gets past the job lock, which it waits for)
        start = time.monotonic()
        rc, out, err = t.virsh(uri, "domjobabort", "stuck")
        took = time.monotonic() - start
        t.check(rc != 0 and "no job is active on the domain" in err,
                "domjobabort while the suspend is stuck: no abortable job", err)
        t.check(took < 1.0, "domjobabort answered after %.2f s (process start included)" % took)

        # The other guest is unaffected.
        start = time.monotonic()
        rc1, _, err1 = t.virsh(uri, "suspend", "other")
        rc2, _, err2 = t.virsh(uri, "resume", "other")
        took = time.monotonic() - start
        t.check(rc1 == 0 and rc2 == 0, "the other guest suspends and resumes", err1 + err2)
        t.check(took < 2.0, "the other guest's suspend+resume took %.2f s" % took)

        first.join(10)
        t.check(first.error is not None and
                first.error.get_error_code() == libvirt.VIR_ERR_OPERATION_TIMEOUT,
                "first suspend: OPERATION_TIMEOUT", str(first.error))
        msg = str(first.error)
        t.check("'stop'" in msg and "'stuck'" in msg and "2 s" in msg,
                "first suspend names the command, the domain and the time", msg)
        t.check(1.8 <= first.seconds < 4.5, "first suspend failed after %.2f s" % first.seconds)

        start = time.monotonic()
        rc, out, err = t.virsh(uri, "destroy", "stuck")
        took = time.monotonic() - start
        t.check(rc == 0, "destroy the stuck guest", err)
        t.check(took < 1.0 + 0.3, "destroy took %.2f s (process start included)" % took)
        rc, out, err = t.virsh(uri, "destroy", "other")
        t.check(rc == 0, "destroy the other guest", err)
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except OSError:
            pass
        conn.close()


def test_late_reply(d, libvirt, uri):
    listener = EventListener(libvirt, uri)
    try:
        pid = create(d, uri, "late")
        wait_for(lambda: (STARTED_EVENT in listener.of("late")), timeout=10)
        os.kill(pid, signal.SIGSTOP)
        rc, out, err = t.virsh(uri, "suspend", "late")
        t.check(rc != 0 and "'stop'" in err, "suspend of a stuck guest times out", err)
        os.kill(pid, signal.SIGCONT)
        t.check(wait_for(lambda: t.virsh(uri, "domstate", "--reason", "late")[1].strip() ==
                         "paused (user)", timeout=10),
                "after SIGCONT the late 'stop' reply leaves it paused (user)")
        wait_for(lambda: (SUSPENDED, PAUSED_DETAIL) in listener.of("late"), timeout=5)
        time.sleep(0.5)
        got = [e for e in listener.of("late") if e[0] == SUSPENDED]
        t.check_eq(got, [(SUSPENDED, PAUSED_DETAIL)], "exactly one SUSPENDED_PAUSED event")
        rc, out, err = t.virsh(uri, "resume", "late")
        t.check(rc == 0, "resume works again", err)
        rc, out, err = t.virsh(uri, "destroy", "late")
        t.check(rc == 0, "destroy", err)
    finally:
        listener.close()


STARTED_EVENT = (2, 0)


def test_job_restart(d, libvirt, uri):
    """kill -9 of the daemon while a job is held; the restarted one clears it."""
    pid = create(d, uri, "jobby")
    status = os.path.join(d.root, "run", "virtkit", "qemu", "jobby.xml")

    def status_text():
        try:
            with open(status) as f:
                return f.read()
        except OSError:
            return ""
    t.check("<job" not in status_text(), "no <job> in the status XML of an idle domain",
            status_text())
    os.kill(pid, signal.SIGSTOP)
    s = Suspend(libvirt, uri, "jobby")
    s.start()
    job = "<job type='state change' api='virDomainSuspend'/>"
    t.check(wait_for(lambda: job in status_text(), timeout=5),
            "the status XML names the held job", status_text())
    d.proc.kill()
    d.proc.wait()
    s.join(10)
    t.check(s.error is not None, "the suspend caller got an error when the daemon died")
    os.kill(pid, signal.SIGCONT)
    d.start()
    line = "domain 'jobby': job state change (virDomainSuspend) was interrupted by the " \
           "daemon's end; cleared"
    t.check(line in d.log(), "the restarted daemon logs the interrupted job", d.log()[-2000:])
    t.check("<job" not in status_text(), "no <job> in the status XML after the restart",
            status_text())
    rc, out, err = t.virsh(uri, "domstate", "jobby")
    # QEMU may still run the 'stop' the dead daemon sent before it froze.
    t.check(rc == 0 and out.strip() in ("running", "paused"), "the domain runs after restart",
            out + err)
    if out.strip() == "running":
        rc, out, err = t.virsh(uri, "suspend", "jobby")
        t.check(rc == 0, "suspend after the restart (no stale job)", err)
    rc, out, err = t.virsh(uri, "resume", "jobby")
    t.check(rc == 0, "resume after the restart (no stale job)", err)
    t.check_eq(t.virsh(uri, "domstate", "jobby")[1].strip(), "running", "running again")
    rc, out, err = t.virsh(uri, "destroy", "jobby")
    t.check(rc == 0, "destroy after the restart", err)

# Statistics commands whose output must be virsh's, numbers aside.
STATS_COMMANDS = [
    "domblkstat disk vda", "domblkstat disk vda --human", "domblkstat disk",
    "domblkinfo disk vda", "domblkinfo disk vda --human", "domblkinfo disk --all",
    "dommemstat disk", "vcpuinfo disk", "vcpuinfo disk --pretty",
    "domstats disk --state --balloon --vcpu --block --interface --cpu-total",
    "domifstat disk nosuch", "domblkstat disk vdz",
]


def test_stats_commands(d, uri):
    """Our CLI and virsh print the QEMU driver's statistics alike."""
    img = os.path.join(d.root, "disk.img")
    with open(img, "wb") as f:
        f.truncate(1024 * 1024)
    xml = os.path.join(d.root, "disk.xml")
    with open(xml, "w") as f:
        f.write(guest_xml(d.root, "disk").replace(
            "<devices>",
            "<devices>\n    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='%s'/><target dev='vda' bus='virtio'/></disk>" % img))
    rc, out, err = t.virsh(uri, "create", xml)
    t.check(rc == 0, "create a guest with a disk", err)
    qemu_pid(d, "disk")
    for cmd in STATS_COMMANDS:
        r1, o1, e1 = t.virsh(uri, cmd)
        r2, o2, e2 = vk(uri, cmd)
        mask = lambda text: re.sub(r"[0-9]+(\.[0-9]+)?", "N", text)
        t.check_eq((r2, mask(o2)), (r1, mask(o1)), "virtkit %s prints what virsh prints" % cmd)
        if r1 != 0:
            t.check_eq(mask(e2).splitlines()[:1], mask(e1).splitlines()[:1],
                       "virtkit %s: virsh's error line" % cmd)
    rc, out, err = t.virsh(uri, "destroy", "disk")
    t.check(rc == 0, "destroy the guest with a disk", err)


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

    # Our own root prefix: on the shared CI machine something removes stale
    # /tmp/vkd-* directories while tests run.
    root = tempfile.mkdtemp(prefix="vkstuck-")
    d = t.Daemon(start=False, root=root)
    conf = os.path.join(d.root, "etc", "virtkit", "qemu.conf")
    os.makedirs(os.path.dirname(conf), exist_ok=True)
    with open(conf, "w") as f:
        f.write("monitor_timeout = 2\ndestroy_grace_ms = 300\n")
    d.start()
    uri = d.uri(driver="qemu", path="/system")
    try:
        test_stuck(d, libvirt, uri)
        test_stats_commands(d, uri)
        test_late_reply(d, libvirt, uri)
        test_job_restart(d, libvirt, uri)
        t.check_eq(d.terminate(signal.SIGTERM), 0, "daemon stops cleanly (SIGTERM)")
    except BaseException:
        t.log("daemon log:\n" + d.log())
        raise
    finally:
        kill_qemus()
        d.kill()
        if os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    t.run(main, timeout=120)
