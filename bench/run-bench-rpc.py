#!/usr/bin/python3
"""Run bench-rpc against virtkitd and Debian's libvirtd, with both client builds.

Starts two daemons, each on a private unix socket in a temporary directory:
  virtkitd  build/daemon/virtkitd --root TMP/vk (default configuration);
  libvirtd  Debian's /usr/sbin/libvirtd in a private mount namespace
            (unshare -m, tmpfs over its state directories, its own socket
            directory, no driver modules: only the built-in test driver,
            auth "none"; otherwise libvirtd's default configuration).
Both serve test:///default, reached as test+unix:///default?socket=SOCK.
The same client source is built twice (bench/bench-rpc.c): bench-rpc-virtkit
(our libvirt.so.0) and bench-rpc-libvirt (Debian's), and each build is run
against each daemon: four combinations, --runs times each, in rotating
order; every figure is the median over the runs.

Besides rates and latencies, each figure has its cost per call, which the
load of other processes changes much less: CPU time and sleeps (voluntary
context switches) of the client threads and of the daemon's threads
(bench-rpc --daemon-pid), printed in a table of their own.

Every process started here is killed (SIGKILL) and reaped by PID on every
path, including errors and Ctrl-C.  Needs root (for the mount namespace).

Usage: bench/run-bench-rpc.py [--build-dir DIR] [--runs K] [--seconds S]
                              [--clients 1,4,16] [--domains N] [--markdown]
                              [--check]
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

LIBVIRTD = "/usr/sbin/libvirtd"
STATE_DIRS = ["/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt",
              "/var/log/libvirt", "/run/lock"]
STARTUP_TIMEOUT = 20
SMALL_OPS = ("getinfo", "libversion")
OPS = ("getinfo", "libversion", "list1", "list_many")
OP_DESC = {
    "getinfo": "virDomainGetInfo",
    "libversion": "virConnectGetLibVersion",
    "list1": "virConnectListAllDomains, 1 domain",
    "list_many": "virConnectListAllDomains, %d domains",
}
# Per-call cost figures of bench-rpc (CPU microseconds and sleeps).
COST_KEYS = ("client_cpu_us", "client_sleeps", "daemon_cpu_us", "daemon_sleeps")
FIG_KEYS = ("rate", "median_us", "p99_us")
# (daemon, client build)
COMBOS = [("virtkitd", "virtkit"), ("virtkitd", "libvirt"),
          ("libvirtd", "virtkit"), ("libvirtd", "libvirt")]


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"),
                    help="meson build directory (default: ../build next to bench/)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of each combination; figures are medians (default: 3)")
    ap.add_argument("--seconds", default="1",
                    help="timed duration of each figure (default: 1)")
    ap.add_argument("--clients", default="1,4,16",
                    help="concurrent clients (default: 1,4,16)")
    ap.add_argument("--domains", type=int, default=1000,
                    help="extra domains for the big listing (default: 1000)")
    ap.add_argument("--markdown", action="store_true",
                    help="also print the tables in Markdown (for docs/benchmarks.md)")
    ap.add_argument("--check", action="store_true",
                    help="exit with status 3 when a target is missed")
    args = ap.parse_args()
    if args.runs < 1 or args.domains < 1:
        ap.error("--runs and --domains must be at least 1")
    args.client_counts = [int(c) for c in args.clients.split(",")]
    return args


class Daemons:
    """The two daemons; stop() kills and reaps whatever was started."""

    def __init__(self, build_dir):
        self.tmp = tempfile.mkdtemp(prefix="bench-rpc-")
        self.build_dir = build_dir
        self.procs = {}
        self.socks = {}

    def _wait(self, name):
        proc, path = self.procs[name], self.socks[name]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("%s exited with status %s:\n%s"
                                   % (name, proc.returncode, self.log(name)))
            if os.path.exists(path):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(path)
                    return
                except OSError:
                    pass
                finally:
                    s.close()
            time.sleep(0.02)
        raise RuntimeError("no socket %s after %d s:\n%s"
                           % (path, STARTUP_TIMEOUT, self.log(name)))

    def log(self, name):
        out = []
        for fn in ("%s.out" % name, "libvirtd.log"):
            p = os.path.join(self.tmp, fn)
            if os.path.exists(p) and (fn.startswith(name) or name == "libvirtd"):
                with open(p, errors="replace") as f:
                    out.append(f.read()[-3000:])
        return "\n".join(out)

    def start_virtkitd(self):
        binary = os.path.join(self.build_dir, "daemon", "virtkitd")
        if not os.access(binary, os.X_OK):
            raise RuntimeError("%s is not built" % binary)
        root = os.path.join(self.tmp, "vk")
        os.makedirs(root)
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = os.path.join(self.build_dir, "src")
        env.pop("LD_PRELOAD", None)
        with open(os.path.join(self.tmp, "virtkitd.out"), "w") as out:
            self.procs["virtkitd"] = subprocess.Popen(
                [binary, "--root", root], stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.socks["virtkitd"] = os.path.join(root, "run", "virtkit", "virtkit-sock")
        self._wait("virtkitd")

    def start_libvirtd(self):
        if os.geteuid() != 0:
            raise RuntimeError("libvirtd needs root for its private mount namespace")
        if not os.access(LIBVIRTD, os.X_OK) or not shutil.which("unshare"):
            raise RuntimeError("Debian's libvirtd is not installed (scripts/install-deps.sh)")
        sockdir = os.path.join(self.tmp, "lv-sock")
        empty = os.path.join(self.tmp, "lv-no-modules")
        os.makedirs(sockdir)
        os.makedirs(empty)
        conf = os.path.join(self.tmp, "libvirtd.conf")
        with open(conf, "w") as f:
            f.write('unix_sock_dir = "%s"\n' % sockdir)
            f.write('unix_sock_rw_perms = "0700"\n')
            f.write('auth_unix_ro = "none"\nauth_unix_rw = "none"\n')
            f.write('log_outputs = "3:file:%s"\n' % os.path.join(self.tmp, "libvirtd.log"))
        mounts = "; ".join("mount -t tmpfs tmpfs %s" % d for d in STATE_DIRS
                           if os.path.isdir(d))
        # sh execs libvirtd, so the pid we hold is libvirtd's own.
        script = "set -e; %s; exec %s -f %s -p %s" % (
            mounts, LIBVIRTD, conf, os.path.join(self.tmp, "libvirtd.pid"))
        env = {k: v for k, v in os.environ.items()
               if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
        env["LIBVIRT_DRIVER_DIR"] = empty
        with open(os.path.join(self.tmp, "libvirtd.out"), "w") as out:
            self.procs["libvirtd"] = subprocess.Popen(
                ["unshare", "-m", "--propagation", "private", "--", "sh", "-c", script],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=env, start_new_session=True)
        self.socks["libvirtd"] = os.path.join(sockdir, "libvirt-sock")
        self._wait("libvirtd")

    def pid(self, name):
        return self.procs[name].pid

    def uri(self, name):
        return "test+unix:///default?socket=%s" % self.socks[name]

    def stop(self, keep_tmp=False):
        for name, proc in self.procs.items():
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sys.stderr.write("run-bench-rpc: %s (pid %d) did not die\n" % (name, proc.pid))
        self.procs = {}
        if not keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def client_env(build, build_dir):
    """Environment that makes each client build load the intended library."""
    env = dict(os.environ)
    for k in ("LIBVIRT_DEFAULT_URI", "LD_PRELOAD", "LIBVIRT_DEBUG", "LIBVIRT_LOG_OUTPUTS"):
        env.pop(k, None)
    if build == "virtkit":
        env["LD_LIBRARY_PATH"] = os.path.join(build_dir, "src")
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env


class Client:
    """A running client process; kill() kills and reaps it by PID."""

    def __init__(self, cmd, env):
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)

    def communicate(self, timeout):
        return self.proc.communicate(timeout=timeout)

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


def run_once(args, daemons, daemon, build):
    exe = os.path.join(args.build_dir, "bench", "bench-rpc-" + build)
    cmd = [exe, "--json", "--label", "%s/%s" % (daemon, build), "--uri", daemons.uri(daemon),
           "--seconds", args.seconds, "--clients", args.clients,
           "--domains", str(args.domains), "--daemon-pid", str(daemons.pid(daemon))]
    # Generous: 4 ops x client counts x (seconds + warm-up + connects) + defines.
    timeout = 60 + 4 * len(args.client_counts) * (float(args.seconds) + 5)
    client = Client(cmd, client_env(build, args.build_dir))
    try:
        out, err = client.communicate(timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError("%s against %s timed out" % (exe, daemon))
    finally:
        client.kill()
    if client.proc.returncode != 0:
        sys.stderr.write(err)
        raise RuntimeError("%s against %s exited with status %d"
                           % (exe, daemon, client.proc.returncode))
    meta = None
    figures = {}
    for line in out.splitlines():
        obj = json.loads(line)
        if obj["op"] == "meta":
            meta = obj
        else:
            figures[(obj["op"], obj["clients"])] = obj
    if meta is None:
        raise RuntimeError("%s printed no meta line" % exe)
    lib = os.path.realpath(meta["library"])
    in_build = lib.startswith(os.path.realpath(args.build_dir) + os.sep)
    if (build == "virtkit") != in_build:
        raise RuntimeError("bench-rpc-%s loaded %s" % (build, lib))
    return meta, figures


def interrupted(signum, frame):
    raise KeyboardInterrupt()


def fmt_rate(v):
    return "-" if v is None else "{:,.0f}".format(v)


def fmt_cost(v, key):
    if v is None:
        return "-"
    return "%.2f" % v if key.endswith("sleeps") else "%.1f" % v


def fmt_us(v):
    return "-" if v is None else ("{:.1f}".format(v) if v < 1000 else "{:,.0f}".format(v))


def main():
    args = parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    for build in ("virtkit", "libvirt"):
        exe = os.path.join(args.build_dir, "bench", "bench-rpc-" + build)
        if not os.access(exe, os.X_OK):
            sys.exit("run-bench-rpc: %s not built (ninja -C %s)" % (exe, args.build_dir))

    daemons = Daemons(args.build_dir)
    # SIGTERM/SIGHUP go through the same cleanup as Ctrl-C.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    ok = False
    try:
        daemons.start_virtkitd()
        daemons.start_libvirtd()
        load_start = os.getloadavg()[0]
        metas = {}
        samples = {}   # (daemon, build, op, clients) -> {"rate": [], ...}
        for r in range(args.runs):
            order = COMBOS[r % len(COMBOS):] + COMBOS[:r % len(COMBOS)]
            for daemon, build in order:
                meta, figures = run_once(args, daemons, daemon, build)
                metas[(daemon, build)] = meta
                for (op, clients), obj in figures.items():
                    d = samples.setdefault((daemon, build, op, clients),
                                           {k: [] for k in COST_KEYS + FIG_KEYS})
                    for k in d:
                        if obj.get(k) is not None:
                            d[k].append(obj[k])
        load_end = os.getloadavg()[0]
        ok = True
    finally:
        daemons.stop(keep_tmp=not ok)
        if not ok:
            sys.stderr.write("run-bench-rpc: daemon logs kept in %s\n" % daemons.tmp)

    med = {key: {k: statistics.median(v) if v else None for k, v in d.items()}
           for key, d in samples.items()}

    def fig(daemon, build, op, clients, what):
        d = med.get((daemon, build, op, clients))
        return None if d is None else d[what]

    def ratio(a, b):
        return None if a is None or not b else a / b

    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    ncpu = os.cpu_count() or 1
    print("bench-rpc: %s, %s, %d CPUs, median of %d run(s), %s s per figure"
          % (date, platform.platform(), ncpu, args.runs, args.seconds))
    print("  load average (1 min): %.2f at start, %.2f at end" % (load_start, load_end))
    for (daemon, build), meta in sorted(metas.items()):
        print("  client %-8s %s  ->  %s" % (build, meta["library"], daemon))
    print()

    def desc(op):
        return OP_DESC[op] % (args.domains + 1) if op == "list_many" else OP_DESC[op]

    # Table 1: every combination.
    head = "%-40s %3s  %-22s %12s %10s %10s" % ("operation", "n", "daemon / client",
                                                "calls/s", "median us", "p99 us")
    print(head)
    print("-" * len(head))
    rows = []
    for op in OPS:
        for n in args.client_counts:
            for daemon, build in COMBOS:
                rate = fig(daemon, build, op, n, "rate")
                m = fig(daemon, build, op, n, "median_us")
                p = fig(daemon, build, op, n, "p99_us")
                rows.append((op, n, daemon, build, rate, m, p))
                print("%-40s %3d  %-22s %12s %10s %10s" % (
                    desc(op), n, "%s / %s" % (daemon, build), fmt_rate(rate),
                    fmt_us(m), fmt_us(p)))
    print()

    # Table 1b: cost per call (CPU time and sleeps of client and daemon).
    print("%-40s %3s  %-22s %12s %12s %12s %12s" % (
        "operation (cost per call)", "n", "daemon / client", "client us",
        "client slp", "daemon us", "daemon slp"))
    costs = []
    for op in OPS:
        for n in args.client_counts:
            for daemon, build in COMBOS:
                c = [fig(daemon, build, op, n, k) for k in COST_KEYS]
                costs.append((op, n, daemon, build, c))
                print("%-40s %3d  %-22s %12s %12s %12s %12s" % (
                    desc(op), n, "%s / %s" % (daemon, build),
                    *[fmt_cost(v, k) for v, k in zip(c, COST_KEYS)]))
    print()

    # Table 2: ratios.  "daemon": virtkitd vs libvirtd, both with Debian's
    # client library; "stack": our client + virtkitd vs Debian's client + libvirtd.
    print("%-40s %3s %14s %14s %14s %14s" % ("operation", "n", "rate x daemon",
                                             "rate x stack", "median x dmn", "median x stk"))
    ratios = []
    for op in OPS:
        for n in args.client_counts:
            ref_rate = fig("libvirtd", "libvirt", op, n, "rate")
            ref_med = fig("libvirtd", "libvirt", op, n, "median_us")
            rd = ratio(fig("virtkitd", "libvirt", op, n, "rate"), ref_rate)
            rs = ratio(fig("virtkitd", "virtkit", op, n, "rate"), ref_rate)
            md = ratio(fig("virtkitd", "libvirt", op, n, "median_us"), ref_med)
            ms = ratio(fig("virtkitd", "virtkit", op, n, "median_us"), ref_med)
            ratios.append((op, n, rd, rs, md, ms))
            print("%-40s %3d %14s %14s %14s %14s" % (
                desc(op), n, *["-" if x is None else "%.2f" % x for x in (rd, rs, md, ms)]))
    print()

    # Targets (issue 4, "Benchmark").
    targets = []
    for op in SMALL_OPS:
        for build, what in (("libvirt", "daemon"), ("virtkit", "stack")):
            r = ratio(fig("virtkitd", build, op, 1, "rate"),
                      fig("libvirtd", "libvirt", op, 1, "rate"))
            targets.append(("%s, 1 client: calls/s vs libvirtd (%s)" % (op, what),
                            r, ">= 4x", r is not None and r >= 4))
            m = fig("virtkitd", build, op, 1, "median_us")
            targets.append(("%s, 1 client: median latency, %s client [us]" % (op, build),
                            m, "<= 25", m is not None and m <= 25))
    for op in SMALL_OPS:
        for build in ("libvirt", "virtkit"):
            one = fig("virtkitd", build, op, 1, "rate")
            for n in args.client_counts:
                if n == 1:
                    continue
                s = ratio(fig("virtkitd", build, op, n, "rate"), one)
                # Ideal on this machine is min(n, cores); 75 % of it counts.
                want = 0.75 * min(n, ncpu)
                targets.append(("%s, %d clients: speed-up over 1 client, %s client"
                                % (op, n, build), s, ">= %.2f" % want,
                                s is not None and s >= want))
    for op in OPS:
        n = max(args.client_counts)
        ref = fig("libvirtd", "libvirt", op, n, "median_us")
        for build in ("libvirt", "virtkit"):
            p = fig("virtkitd", build, op, n, "p99_us")
            targets.append(("%s, %d clients: p99 [us], %s client (< libvirtd median %s)"
                            % (op, n, build, fmt_us(ref)), p, "< %s" % fmt_us(ref),
                            p is not None and ref is not None and p < ref))
    print("%-72s %10s %10s  %s" % ("target", "value", "wanted", "met"))
    for name, value, want, met in targets:
        print("%-72s %10s %10s  %s" % (name, "-" if value is None else "%.2f" % value, want,
                                       "ok" if met else "MISSED"))
    print()

    if args.markdown:
        print("| Operation | Clients | virtkitd / our client | virtkitd / Debian client"
              " | libvirtd / our client | libvirtd / Debian client |")
        print("|---|---:|---:|---:|---:|---:|")
        for op in OPS:
            for n in args.client_counts:
                cells = []
                for daemon, build in COMBOS:
                    cells.append("%s/s, %s / %s µs" % (
                        fmt_rate(fig(daemon, build, op, n, "rate")),
                        fmt_us(fig(daemon, build, op, n, "median_us")),
                        fmt_us(fig(daemon, build, op, n, "p99_us"))))
                print("| %s | %d | %s |" % (desc(op), n, " | ".join(cells)))
        print()
        print("| Operation | Clients | virtkitd / our client | virtkitd / Debian client"
              " | libvirtd / our client | libvirtd / Debian client |")
        print("|---|---:|---:|---:|---:|---:|")
        for op in OPS:
            for n in args.client_counts:
                cells = []
                for daemon, build in COMBOS:
                    c = [fig(daemon, build, op, n, k) for k in COST_KEYS]
                    cells.append("%s + %s µs, %s + %s sleeps" % (
                        fmt_cost(c[0], "client_cpu_us"), fmt_cost(c[2], "daemon_cpu_us"),
                        fmt_cost(c[1], "client_sleeps"), fmt_cost(c[3], "daemon_sleeps")))
                print("| %s | %d | %s |" % (desc(op), n, " | ".join(cells)))
        print()
        print("| Operation | Clients | calls/s: virtkitd ÷ libvirtd (Debian client)"
              " | calls/s: our stack ÷ Debian's | median: virtkitd ÷ libvirtd"
              " | median: our stack ÷ Debian's |")
        print("|---|---:|---:|---:|---:|---:|")
        for op, n, rd, rs, md, ms in ratios:
            print("| %s | %d | %s |" % (desc(op), n, " | ".join(
                "-" if x is None else "%.2f" % x for x in (rd, rs, md, ms))))
        print()
        print("| Target | Value | Wanted | Met |")
        print("|---|---:|---|---|")
        for name, value, want, met in targets:
            print("| %s | %s | %s | %s |" % (name, "-" if value is None else "%.2f" % value,
                                             want, "yes" if met else "**no**"))
        print()

    cost_of = {(op, n, daemon, build): c for op, n, daemon, build, c in costs}
    for op, n, daemon, build, rate, m, p in rows:
        print(json.dumps({
            "bench": "rpc", "op": op, "clients": n, "daemon": daemon, "client": build,
            "rate": rate, "median_us": m, "p99_us": p, "runs": args.runs,
            **dict(zip(COST_KEYS, cost_of[(op, n, daemon, build)])),
            "seconds": float(args.seconds), "date": date,
            "loadavg": [round(load_start, 2), round(load_end, 2)],
        }))
    for op, n, rd, rs, md, ms in ratios:
        print(json.dumps({
            "bench": "rpc", "op": op, "clients": n, "figure": "ratios",
            "rate_daemon": rd, "rate_stack": rs, "median_daemon": md, "median_stack": ms,
        }))
    for name, value, want, met in targets:
        print(json.dumps({"bench": "rpc", "target": name, "value": value,
                          "wanted": want, "met": met}))

    if args.check and not all(t[3] for t in targets):
        return 3
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        sys.exit("run-bench-rpc: %s" % e)
    except KeyboardInterrupt:
        sys.exit("run-bench-rpc: interrupted")
