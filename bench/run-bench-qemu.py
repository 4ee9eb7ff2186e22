#!/usr/bin/python3
"""Run bench-qemu: start/destroy of the test guest against raw QEMU.

Configurations, all with the test guest (tests/guest, vkguest.elf; 128 MiB,
1 vCPU, no disk, no serial device; KVM only where vkguest.py's pick_accel()
says it is fast, otherwise TCG):
  raw       the QEMU command line virtkit built (taken from the domain log
            of an embed run), started by bench-qemu itself: fork + exec,
            QMP greeting, qmp_capabilities, cont; destroy = SIGTERM + waitpid
  embed     qemu:///embed?root=TMP/embed, in the bench process
  virtkitd  build/daemon/virtkitd --root TMP/vkd, qemu:///system over its socket
  libvirtd  Debian's libvirtd 9.0 (when it can run here: root and
            /work/shared/tools/libvirt-reference/libvirtd-ref.sh), reached
            with Debian's client library (bench-qemu-libvirt)
Start/destroy: raw, embed and virtkitd take turns inside one bench-qemu
process (one start + destroy each per iteration, the order rotating), and
libvirtd takes turns with its own raw runs ("raw-lv") inside the
bench-qemu-libvirt process, so that every ratio compares samples taken
under the same machine load; --rounds rounds of --runs iterations (after
one untimed warm-up); figures are the medians of all samples.  Then, for
virtkitd and libvirtd: --count guests started at once (total time, daemon
RSS before/after), the daemon restarted with them running (time from the
daemon's exec until a client sees all of them running; --restarts times),
and all destroyed at once; raw QEMU: --count started at once too.

Every process started here is killed and reaped by PID on every path
(QEMUs are found through their pidfiles).  Needs root for libvirtd.

Usage: bench/run-bench-qemu.py [--build-dir DIR] [--runs N] [--rounds K]
           [--count N] [--restarts K] [--only raw,embed,virtkitd,libvirtd]
           [--no-parallel] [--markdown] [--check]
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
REF_SCRIPT = "/work/shared/tools/libvirt-reference/libvirtd-ref.sh"
LV_INSTANCE = "qbench"
CONFIGS = ("raw", "embed", "virtkitd", "libvirtd")
STARTUP_TIMEOUT = 30

sys.path.insert(0, os.path.join(TOP, "tests", "guest"))
import vkguest  # noqa: E402


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=10,
                    help="timed start/destroy pairs per round (default: 10)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds over all configurations, rotating (default: 2)")
    ap.add_argument("--count", type=int, default=50,
                    help="guests started in parallel (default: 50)")
    ap.add_argument("--restarts", type=int, default=3,
                    help="daemon restarts with --count guests (default: 3)")
    ap.add_argument("--settle-ms", type=int, default=100,
                    help="pause between start and destroy (default: 100)")
    ap.add_argument("--only", default=",".join(CONFIGS),
                    help="configurations to run (default: all that can run)")
    ap.add_argument("--no-parallel", action="store_true",
                    help="skip the parallel start and the restart")
    ap.add_argument("--keep-tmp", action="store_true",
                    help="keep the temporary directory (logs) and print its path")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="exit with status 3 when a target is missed")
    args = ap.parse_args()
    args.only = [c for c in args.only.split(",") if c]
    for c in args.only:
        if c not in CONFIGS:
            ap.error("unknown configuration %r" % c)
    if "embed" not in args.only and "raw" in args.only:
        ap.error("raw needs embed (its command line comes from an embed run)")
    return args


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def proc_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="bench-qemu-")
        self.bin = {b: os.path.join(args.build_dir, "bench", "bench-qemu-" + b)
                    for b in ("virtkit", "libvirt")}
        self.kernel = os.path.join(args.build_dir, "tests", "guest", "vkguest.elf")
        self.virtkitd = os.path.join(args.build_dir, "daemon", "virtkitd")
        self.accel = vkguest.pick_accel()
        self.vtype = "kvm" if self.accel == "kvm" else "qemu"
        self.daemon = None          # virtkitd Popen
        self.lv_started = False
        self.samples = {}           # (config, figure) -> [ms]
        self.values = {}            # (config, figure) -> [value]
        self.libraries = {}
        self.vkd_sock = os.path.join(self.tmp, "vkd", "run", "virtkit", "virtkit-sock")
        self.lv_base = "/tmp/lv9/" + LV_INSTANCE

    # ---- processes ----

    def run_bench(self, build, mode, extra, timeout=600):
        cmd = [self.bin[build], "--json", "--mode", mode, "--type", self.vtype,
               "--kernel", self.kernel] + extra
        env = dict(os.environ)
        if build == "virtkit":
            env["LD_LIBRARY_PATH"] = os.path.join(self.args.build_dir, "src")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(cmd), p.returncode,
                                                          p.stdout[-2000:], p.stderr[-2000:]))
        out = []
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def record(self, config, results, rename=None):
        """Keeps bench-qemu's figures under @config, or under their label
        (renamed by @rename) when @config is None."""
        for r in results:
            if config is None:
                label = r.get("label")
                label = (rename or {}).get(label, label)
                if "library" in r:
                    self.libraries[label] = r["library"]
                    continue
                if "samples_ms" in r:
                    self.samples.setdefault((label, r["figure"]), []).extend(r["samples_ms"])
                continue
            if "library" in r:
                self.libraries[config] = r["library"]
            elif "samples_ms" in r:
                self.samples.setdefault((config, r["figure"]), []).extend(r["samples_ms"])
            elif "value" in r:
                self.values.setdefault((config, r["figure"]), []).append(r["value"])

    def start_virtkitd(self):
        log = open(os.path.join(self.tmp, "virtkitd.log"), "a")
        t0 = time.monotonic()
        self.daemon = subprocess.Popen([self.virtkitd, "--root", os.path.join(self.tmp, "vkd"),
                                        "--verbose"], stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        log.close()
        return t0

    def wait_socket(self, path, proc=None):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError("daemon exited with %s" % proc.returncode)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return
            except OSError:
                pass
            finally:
                s.close()
            time.sleep(0.01)
        raise RuntimeError("no socket %s after %d s" % (path, STARTUP_TIMEOUT))

    def stop_virtkitd(self):
        if self.daemon is None:
            return
        self.daemon.send_signal(signal.SIGTERM)
        try:
            self.daemon.wait(15)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        self.daemon = None

    def lv_available(self):
        return (os.geteuid() == 0 and os.path.exists("/usr/sbin/libvirtd")
                and os.access(REF_SCRIPT, os.X_OK) and os.path.exists(self.bin["libvirt"]))

    def lv_pid(self):
        try:
            with open(os.path.join(self.lv_base, "libvirtd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def start_libvirtd(self):
        self.lv_started = True
        subprocess.run([REF_SCRIPT, "start", LV_INSTANCE], check=True,
                       stdout=subprocess.DEVNULL, timeout=60)
        self.wait_socket(os.path.join(self.lv_base, "sock", "libvirt-sock"))

    def stop_libvirtd(self):
        subprocess.run([REF_SCRIPT, "stop", LV_INSTANCE], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)

    def uri(self, config):
        if config == "embed":
            return "qemu:///embed?root=%s" % os.path.join(self.tmp, "embed")
        if config == "virtkitd":
            return "qemu+unix:///system?socket=%s" % self.vkd_sock
        return "qemu+unix:///system?socket=%s/sock/libvirt-sock" % self.lv_base

    def qemu_pids(self):
        pids = []
        for pattern in (os.path.join(self.tmp, "*", "run", "qemu", "*.pid"),
                        os.path.join(self.tmp, "vkd", "run", "virtkit", "qemu", "*.pid"),
                        os.path.join(self.lv_base, "run", "qemu", "*.pid")):
            for f in glob.glob(pattern):
                try:
                    with open(f) as fh:
                        pids.append(int(fh.read().strip()))
                except (OSError, ValueError):
                    pass
        return pids

    def cleanup(self):
        try:
            self.stop_virtkitd()
        except Exception:
            pass
        if self.lv_started:
            for pid in self.qemu_pids():
                kill_pid(pid)
            self.stop_libvirtd()
        for pid in self.qemu_pids():
            kill_pid(pid)
        if self.args.keep_tmp:
            print("temporary directory kept: %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- measurements ----

    def write_raw_argv(self):
        logs = sorted(glob.glob(os.path.join(self.tmp, "embed", "log", "qemu", "*.log")),
                      key=os.path.getmtime)
        if not logs:
            raise RuntimeError("no embed domain log to take the command line from")
        with open(logs[-1]) as f:
            lines = f.read().split("\n")
        argv = []
        for line in lines[1:]:
            if line == "":
                break
            argv.append(line)
        while argv and not argv[0].startswith("/"):
            argv.pop(0)     # environment (LC_ALL=C), given by bench-qemu
        argv = [re.sub(r"fd=\d+", "fd=@MONFD@", a) if a.startswith("socket,id=charmonitor")
                else a for a in argv]
        if "-pidfile" in argv:
            argv[argv.index("-pidfile") + 1] = os.path.join(self.tmp, "raw-@ID@.pid")
        path = os.path.join(self.tmp, "raw.argv")
        with open(path, "w") as f:
            f.write("\n".join(argv) + "\n")
        return path

    def warm_embed(self):
        """One embed start (capabilities probe, and the command line for raw)."""
        self.run_bench("virtkit", "startstop", ["--runs", "1", "--warmup", "0",
                                                "--settle-ms", "0", "--target",
                                                "embed=" + self.uri("embed"),
                                                "--prefix", "bq-warm-"])

    def startstop_round(self, configs):
        """Our targets take turns in one process, libvirtd with its own raw
        runs in the other; every target gets --runs samples."""
        a = self.args
        common = ["--runs", str(a.runs), "--settle-ms", str(a.settle_ms), "--prefix", "bq-"]
        ours = []
        if "raw" in configs:
            ours += ["--argv-file", self.write_raw_argv(), "--tmp-dir", self.tmp]
        for c in ("embed", "virtkitd"):
            if c in configs:
                ours += ["--target", "%s=%s" % (c, self.uri(c))]
        if len(ours) > 0:
            self.record(None, self.run_bench("virtkit", "startstop", common + ours))
        if "libvirtd" in configs:
            lv = ["--target", "libvirtd=" + self.uri("libvirtd")]
            if "raw" in configs:
                lv += ["--argv-file", self.write_raw_argv(), "--tmp-dir", self.tmp]
            self.record(None, self.run_bench("libvirt", "startstop", common + lv),
                        rename={"raw": "raw-lv"})

    def raw_parallel(self):
        res = self.run_bench("virtkit", "rawparallel", [
            "--argv-file", self.write_raw_argv(), "--tmp-dir", self.tmp,
            "--count", str(self.args.count)])
        self.record("raw", res)

    def parallel_and_restart(self, config):
        a = self.args
        build = "libvirt" if config == "libvirtd" else "virtkit"
        prefix = "bqp-"
        uri = self.uri(config)
        # The same restart with none of our guests: the daemon's own start-up.
        for _ in range(a.restarts):
            self.record(config + "-empty", self.restart(config, build, uri, prefix, 0))
        pid = self.daemon.pid if config == "virtkitd" else self.lv_pid()
        rss0 = proc_kib(pid, "VmRSS")
        res = self.run_bench(build, "parallel", ["--uri", uri, "--count", str(a.count),
                                                 "--prefix", prefix, "--keep"])
        self.record(config, res)
        self.values.setdefault((config, "daemon_rss_before"), []).append(rss0)
        self.values.setdefault((config, "daemon_rss_after"), []).append(
            proc_kib(pid, "VmRSS"))
        self.values.setdefault((config, "daemon_hwm"), []).append(proc_kib(pid, "VmHWM"))
        for _ in range(a.restarts):
            self.record(config, self.restart(config, build, uri, prefix, a.count))
            if config == "virtkitd":
                self.values.setdefault((config, "reconnect_phase"), []).append(
                    self.reconnect_phase())
        res = self.run_bench(build, "destroyall", ["--uri", uri, "--prefix", prefix])
        self.record(config, res)

    def restart(self, config, build, uri, prefix, count):
        """Stops the daemon, starts it again and waits until a client sees
        @count domains @prefix* running; returns bench-qemu's results."""
        if config == "virtkitd":
            self.stop_virtkitd()
            t0 = self.start_virtkitd()
            proc = self.daemon
        else:
            self.stop_libvirtd()
            t0 = time.monotonic()
            proc = subprocess.Popen([REF_SCRIPT, "start", LV_INSTANCE],
                                    stdout=subprocess.DEVNULL)
        try:
            return self.run_bench(build, "wait", ["--uri", uri, "--count", str(count),
                                                  "--prefix", prefix, "--t0", "%.6f" % t0,
                                                  "--timeout", "60"])
        finally:
            if config == "libvirtd":
                proc.wait(60)

    def reconnect_phase(self):
        """The daemon's own figure for its last reconnect pass, in ms."""
        found = None
        try:
            with open(os.path.join(self.tmp, "virtkitd.log"), errors="replace") as f:
                for line in f:
                    m = re.search(r"reconnected (\d+) of (\d+) domains in ([0-9.]+) ms", line)
                    if m:
                        found = float(m.group(3))
        except OSError:
            pass
        return found

    def run(self):
        a = self.args
        configs = list(a.only)
        if "libvirtd" in configs and not self.lv_available():
            print("libvirtd: not available here (needs root, %s and bench-qemu-libvirt); "
                  "skipped" % REF_SCRIPT)
            configs.remove("libvirtd")
        self.configs = configs
        self.load_start = loadavg()
        if "virtkitd" in configs:
            self.start_virtkitd()
            self.wait_socket(self.vkd_sock, self.daemon)
        if "libvirtd" in configs:
            self.start_libvirtd()
        # raw takes its command line from an embed domain's log.
        if "embed" in configs:
            self.warm_embed()
        for _ in range(a.rounds):
            self.startstop_round(configs)
        if not a.no_parallel:
            if "raw" in configs:
                self.raw_parallel()
            for c in ("virtkitd", "libvirtd"):
                if c in configs:
                    self.parallel_and_restart(c)
        self.load_end = loadavg()

    # ---- report ----

    def med(self, config, figure):
        s = self.samples.get((config, figure))
        return statistics.median(s) if s else None

    def val(self, config, figure):
        v = [x for x in self.values.get((config, figure), []) if x is not None]
        return statistics.median(v) if v else None

    def report(self):
        a = self.args
        date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        print("bench-qemu: %s, %s, %d CPUs" % (date, platform.platform(), os.cpu_count() or 1))
        print("  guest: vkguest.elf, 128 MiB, 1 vCPU, <domain type='%s'>, accelerator %s%s"
              % (self.vtype, self.accel.upper(),
                 "" if self.accel == "kvm" else
                 " (/dev/kvm here is a slow software KVM or absent: TCG is used)"))
        print("  %d round(s) x %d timed runs per configuration, medians of all samples"
              % (a.rounds, a.runs))
        print("  load average (1 min): %.2f at start, %.2f at end"
              % (self.load_start, self.load_end))
        for c, lib in sorted(self.libraries.items()):
            print("  %-9s library %s" % (c, lib))
        print()
        rows = []
        print("%-10s %12s %8s %12s %8s %6s" % ("config", "start ms", "x raw", "destroy ms",
                                              "x raw", "n"))
        for c in ("raw", "embed", "virtkitd", "raw-lv", "libvirtd"):
            s, d = self.med(c, "start"), self.med(c, "destroy")
            if s is None:
                continue
            # libvirtd against the raw runs interleaved with it (raw-lv).
            ref = "raw-lv" if c == "libvirtd" else "raw"
            raw_s, raw_d = self.med(ref, "start"), self.med(ref, "destroy")
            rs = s / raw_s if raw_s and not c.startswith("raw") else None
            rd = d / raw_d if raw_d and not c.startswith("raw") else None
            n = len(self.samples.get((c, "start"), []))
            rows.append((c, s, rs, d, rd, n))
            print("%-10s %12.1f %8s %12.1f %8s %6d" % (c, s, "-" if rs is None else "%.2f" % rs,
                                                      d, "-" if rd is None else "%.2f" % rd, n))
        print()
        raw_par = None
        if ("raw", "parallel_start_total") in self.values:
            raw_par = (self.val("raw", "parallel_start_total"),
                       self.med("raw", "parallel_start_each"),
                       self.val("raw", "parallel_destroy_total"))
            print("%d raw QEMUs at once: start all %.1f ms (median per QEMU %.1f ms); "
                  "SIGTERM + waitpid of all %.1f ms" % ((a.count,) + raw_par))
        par = []
        for c in ("virtkitd", "libvirtd"):
            if (c, "parallel_start_total") not in self.values:
                continue
            par.append((c, self.val(c, "parallel_start_total"),
                        self.med(c, "parallel_start_each"),
                        self.val(c, "daemon_rss_before"), self.val(c, "daemon_rss_after"),
                        self.val(c, "daemon_hwm"), self.val(c, "all_running"),
                        self.val(c, "first_connect"), self.val(c, "reconnect_phase"),
                        self.val(c, "destroyall_total"),
                        self.values.get((c, "all_running"), []),
                        self.val(c + "-empty", "all_running")))
        if par:
            print("%d guests at once (daemon):" % a.count)
            for (c, tot, each, r0, r1, hwm, allr, first, phase, dall, allv, empty) in par:
                print("  %-9s start all %8.1f ms (%s raw; median per guest %.1f ms); RSS %s -> "
                      "%s KiB (peak %s)" % (c, tot, "%.2fx" % (tot / raw_par[0]) if raw_par
                                             else "-", each or 0, r0, r1, hwm))
                print("  %-9s restart: all %d running %s ms after exec (runs: %s), first "
                      "connect %s ms, reconnect pass %s ms; without guests: %s ms; "
                      "destroy all %s ms"
                      % (c, a.count, "-" if allr is None else "%.1f" % allr,
                         ", ".join("%.0f" % x for x in allv),
                         "-" if first is None else "%.1f" % first,
                         "-" if phase is None else "%.1f" % phase,
                         "-" if empty is None else "%.1f" % empty,
                         "-" if dall is None else "%.1f" % dall))
            print()

        targets = []
        for c in ("embed", "virtkitd"):
            for (cc, s, rs, d, rd, n) in rows:
                if cc != c or rs is None:
                    continue
                targets.append(("%s start / raw" % c, rs, "<= 1.25", rs <= 1.25))
                targets.append(("%s destroy / raw" % c, rd, "<= 1.5", rd <= 1.5))
        for (c, tot, each, r0, r1, hwm, allr, first, phase, dall, allv, empty) in par:
            if c == "virtkitd":
                targets.append(("virtkitd restart with %d guests: all running [ms]" % a.count,
                                allr, "< 1000", allr is not None and allr < 1000))
        print("%-50s %10s %10s  %s" % ("target", "value", "wanted", "met"))
        for name, value, want, met in targets:
            print("%-50s %10s %10s  %s" % (name, "-" if value is None else "%.2f" % value, want,
                                           "ok" if met else "MISSED"))
        print()

        if a.markdown:
            print("| Configuration | start (median) | × raw | destroy (median) | × raw"
                  " | samples |")
            print("|---|---:|---:|---:|---:|---:|")
            for (c, s, rs, d, rd, n) in rows:
                print("| %s | %.1f ms | %s | %.1f ms | %s | %d |" % (
                    c, s, "-" if rs is None else "%.2f" % rs, d,
                    "-" if rd is None else "%.2f" % rd, n))
            print()
            if raw_par:
                print("Raw QEMU, %d at once: start all %.0f ms (median per QEMU %.0f ms), "
                      "SIGTERM + waitpid of all %.0f ms." % ((a.count,) + raw_par))
                print()
            if par:
                print("| Daemon | %d starts at once | per start (median) | RSS before → after"
                      " (peak) | restart: all running | reconnect pass | restart, no guests"
                      " | destroy all |" % a.count)
                print("|---|---:|---:|---|---:|---:|---:|---:|")
                for (c, tot, each, r0, r1, hwm, allr, first, phase, dall, allv, empty) in par:
                    print("| %s | %.0f ms | %.0f ms | %s → %s KiB (%s) | %s ms | %s | %s ms"
                          " | %s ms |" % (
                              c, tot, each or 0, r0, r1, hwm,
                              "-" if allr is None else "%.0f" % allr,
                              "-" if phase is None else "%.1f ms" % phase,
                              "-" if empty is None else "%.0f" % empty,
                              "-" if dall is None else "%.0f" % dall))
                print()
            print("| Target | Value | Wanted | Met |")
            print("|---|---:|---|---|")
            for name, value, want, met in targets:
                print("| %s | %s | %s | %s |" % (name, "-" if value is None else "%.2f" % value,
                                                 want, "yes" if met else "**no**"))
            print()

        for (c, s, rs, d, rd, n) in rows:
            print(json.dumps({"bench": "qemu", "config": c, "start_ms": s, "start_x_raw": rs,
                              "destroy_ms": d, "destroy_x_raw": rd, "samples": n,
                              "accel": self.accel, "date": date,
                              "loadavg": [self.load_start, self.load_end]}))
        if raw_par:
            print(json.dumps({"bench": "qemu", "config": "raw", "count": a.count,
                              "parallel_start_ms": raw_par[0], "per_start_ms": raw_par[1],
                              "destroy_all_ms": raw_par[2]}))
        for (c, tot, each, r0, r1, hwm, allr, first, phase, dall, allv, empty) in par:
            print(json.dumps({"bench": "qemu", "config": c, "count": a.count,
                              "parallel_start_ms": tot, "per_start_ms": each,
                              "rss_before_kib": r0, "rss_after_kib": r1, "hwm_kib": hwm,
                              "restart_all_running_ms": allr, "restart_runs_ms": allv,
                              "first_connect_ms": first, "reconnect_pass_ms": phase,
                              "restart_no_guests_ms": empty,
                              "destroy_all_ms": dall}))
        for name, value, want, met in targets:
            print(json.dumps({"bench": "qemu", "target": name, "value": value, "wanted": want,
                              "met": met}))
        return all(t[3] for t in targets)


def main():
    args = parse_args()
    b = Bench(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not os.path.exists(b.kernel) or not os.path.exists(b.bin["virtkit"]):
            raise RuntimeError("build first: ninja -C %s" % args.build_dir)
        b.run()
        met = b.report()
    finally:
        b.cleanup()
    return 3 if args.check and not met else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        sys.exit("run-bench-qemu: %s" % e)
    except KeyboardInterrupt:
        sys.exit("run-bench-qemu: interrupted")
