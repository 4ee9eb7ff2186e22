#!/usr/bin/python3
"""Compare two virtkit builds with bench-rpc: before and after a change.

Starts virtkitd from each build in turn (--root in a temporary directory),
runs bench-rpc against it with that build's own client library and with
Debian's (bench-rpc-libvirt), --rounds times alternating the builds, and
prints a Markdown table of the medians: rate, median / p99 latency, and
the cost per call (CPU time and sleeps of the client threads and of the
daemon, bench-rpc --daemon-pid).  The bench-rpc programs of --bench-dir
are used for both builds (only the daemon and our client library differ).

Every daemon started here is killed (SIGKILL) and reaped by PID on every
path.  Needs no root (no libvirtd).

Usage: bench/compare-bench-rpc.py --before BUILD_DIR --after BUILD_DIR
                                  [--bench-dir BUILD_DIR] [--rounds N]
                                  [--seconds S] [--clients 1,4,16]
                                  [--domains N]
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

FIELDS = ("rate", "median_us", "p99_us", "client_cpu_us", "client_sleeps",
          "daemon_cpu_us", "daemon_sleeps")
OPS = ("getinfo", "libversion", "list1", "list_many")
OP_DESC = {"getinfo": "virDomainGetInfo", "libversion": "virConnectGetLibVersion",
           "list1": "virConnectListAllDomains, 1 domain",
           "list_many": "virConnectListAllDomains, %d domains"}


def start_daemon(build):
    tmp = tempfile.mkdtemp(prefix="compare-bench-rpc-")
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(build, "src"))
    env.pop("LD_PRELOAD", None)
    proc = subprocess.Popen([os.path.join(build, "daemon", "virtkitd"), "--root",
                             os.path.join(tmp, "vk")], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    sock = os.path.join(tmp, "vk", "run", "virtkit", "virtkit-sock")
    deadline = time.monotonic() + 20
    while not os.path.exists(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_daemon(proc, tmp)
            raise RuntimeError("virtkitd of %s did not start" % build)
        time.sleep(0.05)
    return proc, tmp, sock


def stop_daemon(proc, tmp):
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="build directory of the old code")
    ap.add_argument("--after", required=True, help="build directory of the new code")
    ap.add_argument("--bench-dir", help="build directory whose bench-rpc-* to run "
                    "(default: --after)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", default="1")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--domains", type=int, default=100)
    args = ap.parse_args()
    bench_dir = os.path.abspath(args.bench_dir or args.after)
    builds = (("before", os.path.abspath(args.before)), ("after", os.path.abspath(args.after)))
    res = {}
    load0 = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, build in builds:
            proc, tmp, sock = start_daemon(build)
            try:
                for client, exe, lib in (
                        ("ours", "bench-rpc-virtkit", os.path.join(build, "src")),
                        ("Debian's", "bench-rpc-libvirt", None)):
                    env = dict(os.environ)
                    for k in ("LD_LIBRARY_PATH", "LD_PRELOAD", "LIBVIRT_DEFAULT_URI"):
                        env.pop(k, None)
                    if lib:
                        env["LD_LIBRARY_PATH"] = lib
                    out = subprocess.run(
                        [os.path.join(bench_dir, "bench", exe), "--json", "--uri",
                         "test+unix:///default?socket=" + sock, "--seconds", args.seconds,
                         "--clients", args.clients, "--domains", str(args.domains),
                         "--daemon-pid", str(proc.pid)],
                        env=env, capture_output=True, text=True, timeout=600, check=True).stdout
                    for line in out.splitlines():
                        obj = json.loads(line)
                        if obj["op"] == "meta":
                            continue
                        d = res.setdefault((obj["op"], obj["clients"], client, name), {})
                        for f in FIELDS:
                            if obj.get(f) is not None:
                                d.setdefault(f, []).append(obj[f])
            finally:
                stop_daemon(proc, tmp)
    load1 = os.getloadavg()[0]
    print("Load average (1 min): %.2f at start, %.2f at end; %d rounds, medians."
          % (load0, load1, args.rounds))
    print()
    print("| Operation | Clients | client | virtkitd | calls/s | median / p99 µs"
          " | client CPU µs, sleeps per call | daemon CPU µs, sleeps per call |")
    print("|---|---:|---|---|---:|---:|---:|---:|")

    def key(k):
        return (OPS.index(k[0]), k[1], k[2], k[3] != "before")
    for k in sorted(res, key=key):
        d = {f: statistics.median(v) for f, v in res[k].items() if v}
        desc = OP_DESC[k[0]] % (args.domains + 1) if k[0] == "list_many" else OP_DESC[k[0]]
        print("| %s | %d | %s | %s | %s | %.1f / %.1f | %.1f, %.2f | %.1f, %.2f |" % (
            desc, k[1], k[2], k[3], "{:,.0f}".format(d["rate"]), d["median_us"], d["p99_us"],
            d["client_cpu_us"], d["client_sleeps"], d["daemon_cpu_us"], d["daemon_sleeps"]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit("compare-bench-rpc: %s" % e)
    except KeyboardInterrupt:
        sys.exit("compare-bench-rpc: interrupted")
