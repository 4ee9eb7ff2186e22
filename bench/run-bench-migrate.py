#!/usr/bin/python3
"""Live-migration benchmark (issue 6): virtkitd, raw QEMU and libvirtd.

The test guest (tests/guest, vkguest.elf; 512 MiB, 1 vCPU, no disk) runs
under TCG unless vkguest.pick_accel() finds a fast KVM.  Workloads:
  idle     wss_mib=0 check_ms=0: almost all of RAM is zero pages
  random   random_mib=384: 384 MiB of pseudo-random words (throughput)
  dirty    wss_mib=64 dirty_mib_s=--dirty-mib-s, checked every second
All guests print a heartbeat every --heartbeat-ms (tick_hz=1000) on a serial
port that connects to a unix socket of this script, so every line gets a
host timestamp; the heartbeat gap of a migration is the time between the
last line from the source QEMU and the first from the destination QEMU.

Configurations (each migration is timed around one call):
  raw        two QEMU processes with virtkit's own command line for the
             guest, in the two network namespaces of the host pair, no
             bandwidth cap (max-bandwidth as virtkit sets it): spawn
             the destination (-incoming defer), QMP greeting and
             qmp_capabilities, events capability, migrate-incoming, migrate
             on the source, destination's MIGRATION completed, cont (the
             destination's start is included)
  raw-vk     raw, with the capabilities and parameters virtkit (and libvirt)
             set: return-path on both sides, pause-before-switchover on the
             source (migrate-continue on the pre-switchover event),
             late-block-activate on the destination, max-bandwidth
             unlimited; shows what these QEMU settings cost by themselves
  direct     virtkitd pair (tests/hosts/hostpair.py: two network namespaces,
             veth): Debian's python3-libvirt migrate3(dconn, LIVE) with
             uri tcp://DEST (the client drives the five steps)
  p2p        migrateToURI3(qemu+tcp://DEST/system, LIVE|PEER2PEER)
  tunnel     migrateToURI3(..., LIVE|PEER2PEER|TUNNELLED); "not supported"
             when the daemons refuse it
  raw-lo     raw QEMU over 127.0.0.1 (no namespaces), for libvirtd
  lv-direct, lv-p2p, lv-tunnel
             Debian's libvirtd 9.0, two instances (libvirtd-ref.sh mbA/mbB,
             private mount namespaces), over 127.0.0.1
Environment, for profiling: VKBENCH_RAWVK=rp,lba,pbs (which of raw-vk's
settings to use: return-path, late-block-activate, pause-before-switchover),
VKBENCH_DEBUG=1 (raw's QMP-ready time per migration on stderr).
Samples are interleaved: every round boots one guest per configuration in
rotating order and migrates it --runs times back and forth.  Every process
started here is killed and reaped by PID on every path.  Needs root.

Usage: bench/run-bench-migrate.py [--build-dir DIR] [--runs N] [--rounds K]
           [--workloads idle,random,dirty] [--only CONFIGS] [--markdown]
           [--check] [--daemon-stats]
--daemon-stats wraps each virtkitd migration in `perf stat -p` on both
daemons (CPU time, context switches; needs perf).
"""

import argparse
import ctypes
import datetime
import glob
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
REF_SCRIPT = "/work/shared/tools/libvirt-reference/libvirtd-ref.sh"
LV_INSTANCES = ("mbA", "mbB")
CONFIGS = ("raw", "raw-vk", "direct", "p2p", "tunnel", "raw-lo", "lv-direct", "lv-p2p", "lv-tunnel")
WORKLOADS = ("idle", "random", "dirty")
MEMORY_MIB = 512
HB_RE = re.compile(r"^HEARTBEAT (\d+) ")
CLONE_NEWNET = 0x40000000
UNLIMITED = 9223372036853727232     # max-bandwidth virtkit and libvirt send: no cap

sys.path.insert(0, os.path.join(TOP, "tests", "guest"))
sys.path.insert(0, os.path.join(TOP, "tests", "hosts"))
import vkguest  # noqa: E402
import hostpair  # noqa: E402

import libvirt  # noqa: E402  (Debian's python3-libvirt)

libc = ctypes.CDLL(None, use_errno=True)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=2,
                    help="migrations per booted guest (default: 2)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds over all configurations, rotating (default: 3)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--only", default=",".join(CONFIGS))
    ap.add_argument("--dirty-mib-s", type=int, default=50)
    ap.add_argument("--heartbeat-ms", type=int, default=2)
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--vk-log-filters", default=None,
                    help="log_filters for both virtkitd (their logs stay with --keep-tmp)")
    ap.add_argument("--daemon-stats", action="store_true",
                    help="CPU time and context switches of both virtkitd per migration "
                         "(perf stat; per MiB in a second table)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="exit with status 3 when a target is missed")
    args = ap.parse_args()
    args.only = [c for c in args.only.split(",") if c]
    args.workloads = [w for w in args.workloads.split(",") if w]
    for c in args.only:
        if c not in CONFIGS:
            ap.error("unknown configuration %r" % c)
    for w in args.workloads:
        if w not in WORKLOADS:
            ap.error("unknown workload %r" % w)
    if args.daemon_stats and not shutil.which("perf"):
        ap.error("--daemon-stats needs perf (Debian: linux-perf)")
    if any(c.startswith("raw") for c in args.only) and \
            not any(c in args.only for c in ("direct", "p2p", "tunnel")):
        ap.error("raw takes its command line from a virtkit guest: add direct, p2p or tunnel")
    return args


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def task_stats(pid):
    """(CPU ms, context switches) of the live threads of @pid (schedstat,
    ns precision; voluntary + involuntary switches)."""
    cpu = cs = 0
    for task in glob.glob("/proc/%d/task/*" % pid):
        try:
            with open(task + "/schedstat") as fh:
                cpu += int(fh.read().split()[0])
            with open(task + "/status") as fh:
                for line in fh:
                    if line.startswith(("voluntary_ctxt_switches:",
                                        "nonvoluntary_ctxt_switches:")):
                        cs += int(line.split(":", 1)[1])
        except (OSError, ValueError, IndexError):
            pass
    return cpu / 1e6, cs


class DaemonStat:
    """perf stat (task-clock, context-switches) on one process for the time of
    one migration.  Threads it starts meanwhile (the tunnel's pump) are
    counted too: perf's counters are inherited."""

    def __init__(self, pid, path):
        self.path = path
        self.proc = subprocess.Popen(
            ["perf", "stat", "-x", ",", "-e", "task-clock,context-switches",
             "-p", str(pid), "-o", path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self):
        """Returns (CPU ms, context switches), or (None, None)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_pid(self.proc.pid)
            self.proc.wait()
            return None, None
        cpu = cs = None
        try:
            with open(self.path) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) < 3 or not parts[0][:1].isdigit():
                        continue
                    if parts[2] == "task-clock":
                        cpu = float(parts[0])
                    elif parts[2] == "context-switches":
                        cs = int(parts[0])
        except OSError:
            pass
        return cpu, cs


def guest_append(workload, args):
    base = "heartbeat_ms=%d tick_hz=1000" % args.heartbeat_ms
    if workload == "idle":
        return base + " wss_mib=0 check_ms=0"
    if workload == "random":
        return base + " wss_mib=0 check_ms=0 random_mib=384"
    return base + " wss_mib=64 check_ms=1000 dirty_mib_s=%d" % args.dirty_mib_s


def ready_pattern(workload):
    if workload == "random":
        return r"^VKGUEST random filled"
    if workload == "dirty":
        return r"^VKGUEST filled"
    return r"^HEARTBEAT 1 "


class SerialHub:
    """A listening unix socket for one guest's serial port.  Every QEMU
    that runs the guest (the source, then each destination) connects to it;
    each connection's lines are kept with their host arrival times."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.sock.bind(path)
        self.sock.listen(8)
        self.cond = threading.Condition()
        self.conns = []         # [[(time, text)], ...] in accept order
        self.socks = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.cond:
                idx = len(self.conns)
                self.conns.append([])
                self.socks.append(c)
                self.cond.notify_all()
            threading.Thread(target=self._read, args=(c, idx), daemon=True).start()

    def _read(self, c, idx):
        buf = b""
        while True:
            try:
                data = c.recv(65536)
            except OSError:
                data = b""
            now = time.monotonic()
            if not data:
                return
            buf += data
            lines = []
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                lines.append((now, line.decode("utf-8", "replace").rstrip("\r")))
            if lines:
                with self.cond:
                    self.conns[idx].extend(lines)
                    self.cond.notify_all()

    def count(self):
        with self.cond:
            return len(self.conns)

    def wait(self, idx, pattern, timeout):
        """(time, text) of the first line of connection @idx matching @pattern."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        pos = 0
        with self.cond:
            while True:
                if idx < len(self.conns):
                    lines = self.conns[idx]
                    while pos < len(lines):
                        if regex.search(lines[pos][1]):
                            return lines[pos]
                        pos += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("serial connection %d: no line matching %r within %.0f s"
                                       % (idx, pattern, timeout))
                self.cond.wait(left)

    def lines(self, idx):
        with self.cond:
            return list(self.conns[idx]) if idx < len(self.conns) else []

    def gap_ms(self, src, dst, timeout=20):
        """Heartbeat gap (ms) between connection @src (source QEMU) and @dst."""
        first = self.wait(dst, HB_RE.pattern, timeout)
        last = None
        for t, text in self.lines(src):
            if HB_RE.search(text) and t <= first[0]:
                last = t
        if last is None:
            return None
        return (first[0] - last) * 1000.0

    def corrupt(self):
        with self.cond:
            return [t for c in self.conns for _, t in c
                    if t.startswith("CORRUPT") or t.startswith("CHECK FAILED")]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        with self.cond:
            socks = list(self.socks)
        for c in socks:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        try:
            os.unlink(self.path)
        except OSError:
            pass


def setns_preexec(netns):
    """preexec_fn: enter network namespace @netns (no extra exec), die with us."""
    def fn():
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG
        if netns:
            fd = os.open("/run/netns/" + netns, os.O_RDONLY)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                os._exit(127)
            os.close(fd)
    return fn


class RawHost:
    def __init__(self, netns, addr):
        self.netns = netns
        self.addr = addr


class RawQemu:
    """One QEMU process started from the template command line."""

    def __init__(self, bench, argv, host, incoming):
        self.bench = bench
        self.host = host
        self.qmp_path = os.path.join(bench.tmp, "q%d.qmp" % bench.next_id())
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.listener.bind(self.qmp_path)
        self.listener.listen(1)
        argv = [a.replace("@QMP@", self.qmp_path) for a in argv]
        if incoming:
            argv += ["-incoming", "defer"]
        self.log = open(os.path.join(bench.tmp, "raw-qemu.log"), "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=setns_preexec(host.netns))
        bench.raw_pids.add(self.proc.pid)
        self.listener.settimeout(30)
        try:
            conn, _ = self.listener.accept()
        except socket.timeout:
            self.kill()
            raise RuntimeError("raw QEMU did not connect to its QMP socket")
        conn.settimeout(None)
        self.qmp = vkguest.Qmp(conn, timeout=30)
        self.t_ready = time.monotonic()

    def kill(self):
        if self.proc is None:
            return
        kill_pid(self.proc.pid)
        self.proc.wait()
        self.bench.raw_pids.discard(self.proc.pid)
        self.proc = None
        if getattr(self, "qmp", None):
            self.qmp.close()
        self.listener.close()
        self.log.close()
        try:
            os.unlink(self.qmp_path)
        except OSError:
            pass


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="bmig-")
        self.kernel = os.path.join(args.build_dir, "tests", "guest", "vkguest.elf")
        self.virtkitd = os.path.join(args.build_dir, "daemon", "virtkitd")
        self.accel = vkguest.pick_accel()
        self.vtype = "kvm" if self.accel == "kvm" else "qemu"
        self.pair = None
        self.lv_started = False
        self.conns = {}
        self.raw_pids = set()
        self.raw_argv = None
        self._id = 0
        self.samples = {}       # (workload, config) -> [dict]
        self.errors = {}        # (workload, config) -> message
        self.completed = {}     # guest name -> JOB_COMPLETED params
        self.cond = threading.Condition()
        self.hubs = []
        self.load = []
        self.warm = set()
        self.no_heartbeat = {}  # (workload, config) -> migrations without a heartbeat after
        self.last_stats = {}    # --daemon-stats of the last migration

    def next_id(self):
        self._id += 1
        return self._id

    # ---- daemons ----

    def lv_available(self):
        return (os.geteuid() == 0 and os.path.exists("/usr/sbin/libvirtd")
                and os.access(REF_SCRIPT, os.X_OK))

    def lv_uri(self, inst):
        return "qemu+unix:///system?socket=/tmp/lv9/%s/sock/libvirt-sock" % inst

    def setup(self):
        libvirt.virEventRegisterDefaultImpl()

        def loop():
            while True:
                libvirt.virEventRunDefaultImpl()
        threading.Thread(target=loop, daemon=True).start()
        libvirt.registerErrorHandler(lambda *a: None, None)

        want_vk = any(not c.startswith("lv-") for c in self.args.only)
        want_lv = any(c.startswith("lv-") for c in self.args.only)
        if want_vk:
            ok, why = hostpair.available()
            if not ok:
                raise RuntimeError("the virtkitd host pair needs network namespaces: " + why)
            extra = ""
            if self.args.vk_log_filters:
                extra = 'log_filters = "%s"\n' % self.args.vk_log_filters
            self.pair = hostpair.HostPair(binary=self.virtkitd,
                                          statedir=os.path.join(self.tmp, "pair"),
                                          extra_conf=extra).up()
            self.conns["vkA"] = libvirt.open(self.pair.a.uri("/system", "qemu"))
            self.conns["vkB"] = libvirt.open(self.pair.b.uri("/system", "qemu"))
        if want_lv:
            if not self.lv_available():
                for c in list(self.args.only):
                    if c.startswith("lv-"):
                        self.errors_all(c, "libvirtd cannot run here (needs root and %s)"
                                        % REF_SCRIPT)
                self.args.only = [c for c in self.args.only if not c.startswith("lv-")]
            else:
                self.lv_started = True
                for inst in LV_INSTANCES:
                    subprocess.run([REF_SCRIPT, "start", inst], check=True,
                                   stdout=subprocess.DEVNULL, timeout=60)
                for inst in LV_INSTANCES:
                    self.conns["lv" + inst[-1]] = libvirt.open(self.lv_uri(inst))
        for key, conn in self.conns.items():
            conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                        self._job_completed, key)

    def errors_all(self, config, msg):
        for w in self.args.workloads:
            self.errors[(w, config)] = msg

    def _job_completed(self, conn, dom, params, key):
        with self.cond:
            self.completed[dom.name()] = dict(params)
            self.cond.notify_all()

    def take_completed(self, name, timeout=3.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while name not in self.completed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.completed.pop(name)

    def qemu_pids(self):
        pids = []
        patterns = [os.path.join(self.tmp, "pair", "*", "**", "*.pid")]
        if self.lv_started:
            patterns += ["/tmp/lv9/%s/run/qemu/*.pid" % i for i in LV_INSTANCES]
        for pattern in patterns:
            for f in glob.glob(pattern, recursive=True):
                if os.path.basename(f) in ("virtkitd.pid", "libvirtd.pid"):
                    continue
                try:
                    with open(f) as fh:
                        pids.append(int(fh.read().strip()))
                except (OSError, ValueError):
                    pass
        return pids

    def cleanup(self):
        for conn in self.conns.values():
            try:
                for d in conn.listAllDomains():
                    if d.name().startswith("mb-"):
                        try:
                            d.destroy()
                        except libvirt.libvirtError:
                            pass
            except libvirt.libvirtError:
                pass
        for pid in list(self.raw_pids):
            kill_pid(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for pid in self.qemu_pids():
            kill_pid(pid)
        for conn in self.conns.values():
            try:
                conn.close()
            except libvirt.libvirtError:
                pass
        self.conns = {}
        if self.pair is not None:
            self.pair.down()
            self.pair = None
        if self.lv_started:
            for inst in LV_INSTANCES:
                subprocess.run([REF_SCRIPT, "stop", inst], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60)
            self.lv_started = False
        for hub in self.hubs:
            hub.close()
        if self.args.keep_tmp:
            print("temporary directory kept: %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- guests ----

    def domain_xml(self, name, workload, serial):
        return """<domain type='%s'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>%s</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='unix'><source mode='connect' path='%s'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
""" % (self.vtype, name, MEMORY_MIB, self.kernel, guest_append(workload, self.args), serial)

    def new_hub(self):
        hub = SerialHub(os.path.join(self.tmp, "s%d.sock" % self.next_id()))
        self.hubs.append(hub)
        return hub

    def drop_hub(self, hub):
        hub.close()
        self.hubs.remove(hub)

    def gap(self, hub, idx, workload, config):
        """Heartbeat gap of the migration whose source wrote on serial
        connection @idx; None (and counted) when the destination printed no
        heartbeat within 10 s."""
        try:
            return hub.gap_ms(idx, idx + 1, timeout=10)
        except RuntimeError:
            key = (workload, config)
            self.no_heartbeat[key] = self.no_heartbeat.get(key, 0) + 1
            return None

    def sample(self, workload, config, rec):
        # the first migration of each configuration warms up (connections,
        # capabilities, page cache) and is not counted
        if config not in self.warm:
            self.warm.add(config)
            return
        self.samples.setdefault((workload, config), []).append(rec)

    # ---- libvirt API configurations ----

    def api_hosts(self, config):
        if config.startswith("lv-"):
            return ("lvA", "lvB"), ("127.0.0.1", "127.0.0.1")
        return ("vkA", "vkB"), (self.pair.a.addr, self.pair.b.addr)

    def dest_uri(self, config, dst):
        if config.startswith("lv-"):
            return self.lv_uri("mb" + dst[-1])
        host = self.pair.a if dst == "vkA" else self.pair.b
        return host.tcp_uri("/system", "qemu")

    def api_migrate(self, config, dom, src, dst, daddr):
        """One migration call; returns its wall time in ms."""
        way = config[3:] if config.startswith("lv-") else config
        params = {}
        if way != "tunnel":
            params[libvirt.VIR_MIGRATE_PARAM_URI] = "tcp://%s" % daddr
            if config.startswith("lv-"):
                params[libvirt.VIR_MIGRATE_PARAM_LISTEN_ADDRESS] = daddr
        flags = libvirt.VIR_MIGRATE_LIVE
        stats = None
        if self.args.daemon_stats and not config.startswith("lv-"):
            hosts = {"vkA": self.pair.a, "vkB": self.pair.b}
            stats = {role: DaemonStat(hosts[h].pid, os.path.join(self.tmp, "perf-%s.txt" % role))
                     for role, h in (("src", src), ("dst", dst))}
            qemus = set(self.qemu_pids())
            time.sleep(0.3)     # perf attaches (its start-up is not in the figures)
        t0 = time.monotonic()
        try:
            self._api_migrate_call(way, dom, dst, params, flags, config)
        finally:
            ms = (time.monotonic() - t0) * 1000.0
            if stats:
                # the destination's QEMU started meanwhile as the daemon's
                # child, so perf counted it too: take its own time out
                spawned = [task_stats(p) for p in set(self.qemu_pids()) - qemus]
                for role, st in stats.items():
                    cpu, cs = st.stop()
                    if role == "dst" and cpu is not None:
                        cpu -= sum(q[0] for q in spawned)
                        cs -= sum(q[1] for q in spawned)
                    self.last_stats["%s_cpu_ms" % role], self.last_stats["%s_cs" % role] = cpu, cs
        return ms

    def _api_migrate_call(self, way, dom, dst, params, flags, config):
        if way == "direct":
            ddom = dom.migrate3(self.conns[dst], params, flags)
            if ddom is None:
                raise RuntimeError("migrate3 returned no domain")
        else:
            flags |= libvirt.VIR_MIGRATE_PEER2PEER
            if way == "tunnel":
                flags |= libvirt.VIR_MIGRATE_TUNNELLED
            dom.migrateToURI3(self.dest_uri(config, dst), params, flags)

    def run_api(self, workload, config, rnd):
        (ha, hb), (aa, ab) = self.api_hosts(config)
        name = "mb-%s-%s-%d" % (config, workload, rnd)
        hub = self.new_hub()
        dom = None
        try:
            dom = self.conns[ha].createXML(self.domain_xml(name, workload, hub.path), 0)
            hub.wait(0, ready_pattern(workload), 120)
            if self.raw_argv is None and not config.startswith("lv-"):
                self.take_raw_argv(name, hub.path)
            src, dst, daddr = ha, hb, ab
            for i in range(self.args.runs):
                idx = hub.count() - 1
                load = loadavg()
                self.last_stats = {}
                try:
                    ms = self.api_migrate(config, dom, src, dst, daddr)
                except libvirt.libvirtError as e:
                    code = e.get_error_code()
                    if config.endswith("tunnel") and i == 0 and (
                            code in (libvirt.VIR_ERR_NO_SUPPORT,
                                     libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED) or
                            "unsupported flags" in (e.get_error_message() or "")):
                        self.errors_all(config, "not supported (the daemon refused: %s)"
                                        % e.get_error_message())
                        return False
                    raise
                gap = self.gap(hub, idx, workload, config)
                stats = self.take_completed(name) or {}
                transferred = stats.get("memory_processed", stats.get("data_processed"))
                self.sample(workload, config, {
                    "wall_ms": ms, "gap_ms": gap,
                    "qemu_downtime_ms": stats.get("downtime"),
                    "bytes": transferred,
                    "bps": transferred / (ms / 1000.0) if transferred else None,
                    "load": load, **self.last_stats})
                dom = self.conns[dst].lookupByName(name)
                src, dst = dst, src
                daddr = aa if daddr == ab else ab
            return True
        finally:
            if dom is not None:
                try:
                    dom.destroy()
                except libvirt.libvirtError:
                    pass
            bad = hub.corrupt()
            if bad:
                self.errors[(workload, config)] = "guest memory check failed: %s" % bad[0]
            self.drop_hub(hub)

    # ---- raw QEMU ----

    def take_raw_argv(self, name, serial):
        """virtkit's command line for @name, from its domain log on host A."""
        logs = [p for p in glob.glob(os.path.join(self.tmp, "pair", "hosta", "**",
                                                  name + ".log"), recursive=True)]
        if not logs:
            raise RuntimeError("no domain log of %s to take the command line from" % name)
        with open(logs[0]) as f:
            lines = f.read().split("\n")
        argv = []
        started = False
        for line in lines:
            if not started:
                if line.startswith("/") and "qemu-system" in line:
                    started = True
                else:
                    continue
            if line == "":
                break
            argv.append(line)
        out = []
        for a in argv:
            if a.startswith("socket,id=charmonitor"):
                a = "socket,id=charmonitor,path=@QMP@"
            a = a.replace(serial, "@SERIAL@")
            out.append(a)
        if "-pidfile" in out:
            i = out.index("-pidfile")
            del out[i:i + 2]
        for opt in ("-daemonize",):
            if opt in out:
                out.remove(opt)
        self.raw_argv = out
        with open(os.path.join(self.tmp, "raw.argv"), "w") as f:
            f.write("\n".join(out) + "\n")

    def raw_hosts(self, config):
        if config in ("raw", "raw-vk"):
            return (RawHost(self.pair.a.netns, self.pair.a.addr),
                    RawHost(self.pair.b.netns, self.pair.b.addr))
        return RawHost(None, "127.0.0.1"), RawHost(None, "127.0.0.1")

    def raw_argv_for(self, workload, hub):
        append = guest_append(workload, self.args)
        argv = []
        prev = None
        for a in self.raw_argv:
            a = a.replace("@SERIAL@", hub.path)
            if prev == "-append":
                a = append
            argv.append(a)
            prev = a
        return argv

    def run_raw(self, workload, config, rnd):
        if self.raw_argv is None:
            self.errors_all(config, "no virtkit guest ran to take the command line from")
            return False
        ha, hb = self.raw_hosts(config)
        hub = self.new_hub()
        src = None
        dst = None
        try:
            argv = self.raw_argv_for(workload, hub)
            vk = config == "raw-vk"
            vkset = os.environ.get("VKBENCH_RAWVK", "rp,lba,pbs").split(",")
            src = RawQemu(self, argv, ha, False)
            src.qmp.cmd("migrate-set-capabilities", {"capabilities": [
                {"capability": "events", "state": True}]})
            # no bandwidth cap (QEMU's default is 128 MiB/s), as virtkit and libvirt
            # set it; set once, untimed (raw-vk sets it again in every migration)
            src.qmp.cmd("migrate-set-parameters", {"max-bandwidth": UNLIMITED})
            src.qmp.cmd("cont")
            hub.wait(0, ready_pattern(workload), 120)
            for i in range(self.args.runs):
                idx = hub.count() - 1
                port = random.randint(20000, 60000)
                if hb.netns is None:
                    s = socket.socket()
                    s.bind(("127.0.0.1", 0))
                    port = s.getsockname()[1]
                    s.close()
                uri = "tcp:%s:%d" % (hb.addr, port)
                load = loadavg()
                t0 = time.monotonic()
                dst = RawQemu(self, argv, hb, True)
                caps = [{"capability": "events", "state": True}]
                if vk and "rp" in vkset:
                    caps += [{"capability": "return-path", "state": True}]
                if vk and "lba" in vkset:
                    caps += [{"capability": "late-block-activate", "state": True}]
                dst.qmp.cmd("migrate-set-capabilities", {"capabilities": caps})
                t_caps = time.monotonic()
                dst.qmp.cmd("migrate-incoming", {"uri": uri})
                t_inc = time.monotonic()
                nsrc = len(src.qmp.events)
                if vk:
                    src.qmp.cmd("migrate-set-capabilities", {"capabilities": [
                        {"capability": "events", "state": True},
                        {"capability": "return-path", "state": "rp" in vkset},
                        {"capability": "pause-before-switchover", "state": "pbs" in vkset}]})
                    src.qmp.cmd("migrate-set-parameters", {
                        "max-bandwidth": UNLIMITED, "downtime-limit": 300})
                t_mig0 = time.monotonic()
                src.qmp.cmd("migrate", {"uri": uri})
                t_mig = time.monotonic()
                if vk and "pbs" in vkset:
                    src.qmp.wait_event("MIGRATION", timeout=300, start=nsrc,
                                       check=lambda e: e["data"]["status"] in (
                                           "pre-switchover", "failed"))
                    src.qmp.cmd("migrate-continue", {"state": "pre-switchover"})
                dst.qmp.wait_event("MIGRATION", timeout=300,
                                   check=lambda e: e["data"]["status"] in ("completed", "failed"))
                if dst.qmp.events[-1]["data"]["status"] == "failed" or \
                        any(e["event"] == "MIGRATION" and e["data"]["status"] == "failed"
                            for e in dst.qmp.events):
                    raise RuntimeError("raw migration failed on the destination")
                t_done = time.monotonic()
                dst.qmp.cmd("cont")
                ms = (time.monotonic() - t0) * 1000.0
                if os.environ.get("VKBENCH_DEBUG"):
                    # the same intervals as bench/profile-migrate-log.py where they exist
                    sys.stderr.write("#   %s: exec+greeting+caps %.1f, set-caps %.1f, incoming %.1f, "
                                     "source set-up %.1f, migrate %.1f, -> completed %.1f, "
                                     "cont %.1f, total %.1f ms\n"
                                     % (config, (dst.t_ready - t0) * 1000,
                                        (t_caps - dst.t_ready) * 1000, (t_inc - t_caps) * 1000,
                                        (t_mig0 - t_inc) * 1000, (t_mig - t_mig0) * 1000,
                                        (t_done - t_mig) * 1000,
                                        ms - (t_done - t0) * 1000, ms))
                src.qmp.wait_event("MIGRATION", timeout=60, start=nsrc,
                                   check=lambda e: e["data"]["status"] in ("completed", "failed"))
                info = src.qmp.cmd("query-migrate")
                if info.get("status") != "completed":
                    raise RuntimeError("raw migration: source status %s" % info.get("status"))
                gap = self.gap(hub, idx, workload, config)
                transferred = info.get("ram", {}).get("transferred")
                self.sample(workload, config, {
                    "wall_ms": ms, "gap_ms": gap, "qemu_downtime_ms": info.get("downtime"),
                    "bytes": transferred,
                    "bps": transferred / (ms / 1000.0) if transferred else None,
                    "load": load})
                src.kill()
                src, dst = dst, None
                ha, hb = hb, ha
                src.qmp.cmd("migrate-set-parameters", {"max-bandwidth": UNLIMITED})
            return True
        finally:
            for q in (src, dst):
                if q is not None:
                    q.kill()
            bad = hub.corrupt()
            if bad:
                self.errors[(workload, config)] = "guest memory check failed: %s" % bad[0]
            self.drop_hub(hub)

    # ---- the run ----

    def run(self):
        self.load.append(loadavg())
        order = [c for c in CONFIGS if c in self.args.only]
        # raw needs a virtkit guest's command line first
        vk = [c for c in order if c in ("direct", "p2p", "tunnel")]
        for workload in self.args.workloads:
            active = list(order)
            for rnd in range(self.args.rounds):
                rot = active[rnd % len(active):] + active[:rnd % len(active)]
                if self.raw_argv is None and vk:
                    rot.remove(vk[0])
                    rot.insert(0, vk[0])
                for config in rot:
                    if (workload, config) in self.errors:
                        continue
                    sys.stderr.write("# %s %s round %d (load %.1f)\n"
                                     % (workload, config, rnd + 1, loadavg()))
                    try:
                        if config.startswith("raw"):
                            self.run_raw(workload, config, rnd)
                        else:
                            self.run_api(workload, config, rnd)
                    except (libvirt.libvirtError, RuntimeError, vkguest.GuestError) as e:
                        self.errors[(workload, config)] = str(e).strip().split("\n")[0]
                        sys.stderr.write("#   failed: %s\n" % self.errors[(workload, config)])
        self.load.append(loadavg())

    # ---- report ----

    def med(self, workload, config, key):
        vals = [s[key] for s in self.samples.get((workload, config), []) if s[key] is not None]
        return statistics.median(vals) if vals else None

    def rng(self, workload, config, key):
        vals = [s[key] for s in self.samples.get((workload, config), []) if s[key] is not None]
        return (min(vals), max(vals)) if vals else None

    def report_daemon_stats(self, md):
        """--daemon-stats: both virtkitd's CPU time and context switches,
        per migration (median) and per MiB QEMU moved (sums over the
        samples, less sensitive to the load than MiB/s)."""
        hdr = ("workload", "config", "n", "src CPU ms", "dst CPU ms", "src CPU ms/MiB",
               "dst CPU ms/MiB", "src cs/MiB", "dst cs/MiB")
        rows = []
        for w in self.args.workloads:
            for c in ("direct", "p2p", "tunnel"):
                ss = [s for s in self.samples.get((w, c), [])
                      if s.get("src_cpu_ms") is not None and s.get("dst_cpu_ms") is not None
                      and s.get("bytes")]
                if not ss:
                    continue
                mib = sum(s["bytes"] for s in ss) / 1048576.0
                row = [w, c, str(len(ss)),
                       "%.1f" % statistics.median(s["src_cpu_ms"] for s in ss),
                       "%.1f" % statistics.median(s["dst_cpu_ms"] for s in ss)]
                for key, fmt in (("src_cpu_ms", "%.3f"), ("dst_cpu_ms", "%.3f"),
                                 ("src_cs", "%.1f"), ("dst_cs", "%.1f")):
                    row.append(fmt % (sum(s[key] or 0 for s in ss) / mib))
                rows.append(tuple(row))
        out = ["virtkitd CPU time (perf task-clock, all threads) and context switches "
               "during each migration:", ""]
        if md:
            out.append("| " + " | ".join(hdr) + " |")
            out.append("|" + "|".join("---" for _ in hdr) + "|")
            out.extend("| " + " | ".join(r) + " |" for r in rows)
        else:
            widths = [max(len(hdr[i]), *(len(r[i]) for r in rows)) if rows else len(hdr[i])
                      for i in range(len(hdr))]
            out.append("  ".join(h.ljust(wd) for h, wd in zip(hdr, widths)))
            out.extend("  ".join(v.ljust(wd) for v, wd in zip(r, widths)) for r in rows)
        out.append("")
        return out

    def report(self):
        md = self.args.markdown
        out = []
        jl = []
        out.append("Live migration benchmark, %s UTC, %s, %d CPUs, accelerator %s%s"
                   % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), platform.node(),
                      os.cpu_count(), self.accel.upper(),
                      " (the guests run under TCG: /dev/kvm is not a fast KVM here)"
                      if self.accel == "tcg" else ""))
        out.append("guest %d MiB, 1 vCPU; %d round(s) x %d migration(s) per configuration "
                   "and workload; load average %.1f at the start, %.1f at the end"
                   % (MEMORY_MIB, self.args.rounds, self.args.runs, self.load[0], self.load[-1]))
        out.append("")
        hdr = ("workload", "config", "n", "wall ms (median)", "wall range", "x raw(-lo)",
               "heartbeat gap ms", "gap range", "QEMU downtime ms", "MiB/s", "x direct")
        rows = []
        for w in self.args.workloads:
            for c in CONFIGS:
                if c not in self.args.only and (w, c) not in self.errors:
                    continue
                n = len(self.samples.get((w, c), []))
                if n == 0:
                    rows.append((w, c, "0", "(below)", "-", "-", "-", "-", "-", "-", "-"))
                    continue
                ref = "raw-lo" if c.startswith("lv-") else "raw"
                wall = self.med(w, c, "wall_ms")
                rawwall = self.med(w, ref, "wall_ms")
                bps = self.med(w, c, "bps")
                dref = "lv-direct" if c.startswith("lv-") else "direct"
                dbps = self.med(w, dref, "bps")
                wr = self.rng(w, c, "wall_ms")
                gr = self.rng(w, c, "gap_ms")
                gap = self.med(w, c, "gap_ms")
                dt = self.med(w, c, "qemu_downtime_ms")
                rows.append((w, c, str(n), "%.1f" % wall, "%.0f-%.0f" % wr,
                             "%.2f" % (wall / rawwall) if rawwall and c not in ("raw", "raw-lo")
                             else "-",
                             "%.1f" % gap if gap is not None else "-",
                             "%.0f-%.0f" % gr if gr else "-",
                             "%.0f" % dt if dt is not None else "-",
                             "%.0f" % (bps / 1048576) if bps else "-",
                             "%.2f" % (bps / dbps) if bps and dbps and c.endswith("tunnel")
                             else "-"))
                jl.append({"workload": w, "config": c, "samples": self.samples[(w, c)]})
        if md:
            out.append("| " + " | ".join(hdr) + " |")
            out.append("|" + "|".join("---" for _ in hdr) + "|")
            for r in rows:
                out.append("| " + " | ".join(r) + " |")
        else:
            widths = [max(len(hdr[i]), *(len(r[i]) for r in rows)) if rows else len(hdr[i])
                      for i in range(len(hdr))]
            out.append("  ".join(h.ljust(wd) for h, wd in zip(hdr, widths)))
            for r in rows:
                out.append("  ".join(v.ljust(wd) for v, wd in zip(r, widths)))
        out.append("")
        if self.args.daemon_stats:
            out.extend(self.report_daemon_stats(md))
        for (w, c), msg in sorted(self.errors.items()):
            out.append("%s %s: %s" % (w, c, msg))
        for (w, c), n in sorted(self.no_heartbeat.items()):
            out.append("%s %s: %d migration(s) without a heartbeat from the destination "
                       "within 10 s (no gap for them)" % (w, c, n))
        # targets
        targets = []
        for c in ("direct", "p2p", "tunnel"):
            r, v = self.med("idle", "raw", "wall_ms"), self.med("idle", c, "wall_ms")
            if r and v:
                targets.append(("idle wall %s / raw" % c, v / r, "<= 1.3", v / r <= 1.3))
            for w in self.args.workloads:
                r, v = self.med(w, "raw", "gap_ms"), self.med(w, c, "gap_ms")
                if r is not None and v is not None:
                    targets.append(("%s heartbeat gap %s - raw [ms]" % (w, c), v - r, "<= 10",
                                    v - r <= 10))
        for w in self.args.workloads:
            d, t = self.med(w, "direct", "bps"), self.med(w, "tunnel", "bps")
            if w == "random" and d and t:
                targets.append(("random throughput tunnel / direct", t / d, ">= 0.95",
                                t / d >= 0.95))
            for c in ("direct", "p2p", "tunnel"):
                v, lv = self.med(w, c, "wall_ms"), self.med(w, "lv-" + c, "wall_ms")
                if v and lv:
                    rl, r = self.med(w, "raw-lo", "wall_ms"), self.med(w, "raw", "wall_ms")
                    out.append("%s %s: libvirtd / virtkitd wall = %.2f%s"
                               % (w, c, lv / v, " (raw-lo / raw = %.2f)" % (rl / r)
                                  if rl and r else ""))
        if "tunnel" in self.args.only and ("random", "tunnel") in self.errors:
            out.append("tunnelled: %s" % self.errors[("random", "tunnel")])
        out.append("")
        if md:
            out.append("| Target | Value | Wanted | Met |")
            out.append("|---|---:|---|---|")
        for name, val, want, met in targets:
            if md:
                out.append("| %s | %.2f | %s | %s |" % (name, val, want, "met" if met else "missed"))
            else:
                out.append("target %-45s %8.2f %-8s %s" % (name, val, want,
                                                            "met" if met else "MISSED"))
            jl.append({"target": name, "value": val, "wanted": want, "met": met})
        print("\n".join(out))
        for j in jl:
            print(json.dumps(j))
        return all(t[3] for t in targets)


def main():
    args = parse_args()
    if os.geteuid() != 0:
        sys.stderr.write("run-bench-migrate needs root (network namespaces)\n")
        return 77
    bench = Bench(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    try:
        bench.setup()
        bench.run()
        ok = bench.report()
    finally:
        bench.cleanup()
    if args.check and not ok:
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
