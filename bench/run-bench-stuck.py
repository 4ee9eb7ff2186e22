#!/usr/bin/python3
"""A stuck QEMU (issue 7): command times through virtkitd and Debian's libvirtd.

The same scenario against each daemon, driven by Debian's virsh (the same
client for both), both daemons with their default configuration (30 s
timeouts):

  two TCG guests (tests/guest's vkguest.elf) run, "stuck" and "other";
  the QEMU of "stuck" gets SIGSTOP; `virsh suspend stuck` starts in the
  background; 0.5 s later each command below runs once, in order, with a
  cap of --cap seconds, and its wall time is recorded (a virsh process:
  start, connect, call, exit):

    list, dominfo, domstate, dumpxml, domjobinfo, domstats stuck,
    suspend stuck (a second one), suspend other, resume other,
    destroy stuck

  then the background suspend's outcome, SIGCONT, clean-up.

The daemons:
  virtkitd  build/daemon/virtkitd --root TMP (qemu:///system under TMP);
  libvirtd  /work/shared/tools/libvirt-reference/libvirtd-ref.sh, instance
            "stats" (its own mount namespace, QEMU as root, no cgroups).

Every QEMU is found through its pidfile and killed by pid at the end; the
daemons are stopped (virtkitd by pid, libvirtd by its script).  Needs root.

Usage: bench/run-bench-stuck.py [--build-dir DIR] [--only virtkitd|libvirtd]
                                [--cap S] [--json] [--markdown]
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

REF = "/work/shared/tools/libvirt-reference/libvirtd-ref.sh"
REF_INSTANCE = "stats"

COMMANDS = [
    ("list", ["list", "--all"]),
    ("dominfo", ["dominfo", "stuck"]),
    ("domstate", ["domstate", "stuck", "--reason"]),
    ("dumpxml", ["dumpxml", "stuck"]),
    ("domjobinfo", ["domjobinfo", "stuck"]),
    ("domstats", ["domstats", "stuck"]),
    ("second suspend", ["suspend", "stuck"]),
    ("suspend other", ["suspend", "other"]),
    ("resume other", ["resume", "other"]),
    ("destroy stuck", ["destroy", "stuck"]),
]


def guest_xml(kernel, serial_dir, name):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>heartbeat_ms=50</cmdline></os>
  <devices>
    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, kernel, serial_dir, name)


def virsh(uri, args, cap):
    """Runs virsh; returns (seconds, rc, last line of stderr).  rc None: capped."""
    start = time.monotonic()
    try:
        p = subprocess.run(["virsh", "-c", uri] + args, capture_output=True, text=True,
                           timeout=cap)
        rc, err = p.returncode, p.stderr.strip().splitlines()
    except subprocess.TimeoutExpired:
        rc, err = None, ["(no answer within %g s)" % cap]
    return time.monotonic() - start, rc, (err[-1] if err else "")


def read_pid(path, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    raise RuntimeError("no pidfile %s" % path)


def kill_pid(pid):
    for sig in (signal.SIGCONT, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except OSError:
            pass


class Target:
    """One daemon: start(), uri, pidfile(name), stop()."""

    def __init__(self, name):
        self.name = name
        self.qemus = []

    def run_scenario(self, kernel, tmp, cap):
        uri = self.uri
        results = {}
        for g in ("other", "stuck"):
            xml = os.path.join(tmp, "%s-%s.xml" % (self.name, g))
            with open(xml, "w") as f:
                f.write(guest_xml(kernel, tmp, "%s" % g))
            secs, rc, err = virsh(uri, ["create", xml], 60)
            if rc != 0:
                raise RuntimeError("%s: create %s: %s" % (self.name, g, err))
            self.qemus.append(read_pid(self.pidfile(g)))
        time.sleep(1.0)
        stuck = read_pid(self.pidfile("stuck"))
        os.kill(stuck, signal.SIGSTOP)
        bg_start = time.monotonic()
        bg = subprocess.Popen(["virsh", "-c", uri, "suspend", "stuck"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            for label, args in COMMANDS:
                results[label] = virsh(uri, args, cap)
            try:
                out, err = bg.communicate(timeout=cap)
                results["first suspend"] = (time.monotonic() - bg_start, bg.returncode,
                                            (err.strip().splitlines() or [""])[-1])
            except subprocess.TimeoutExpired:
                results["first suspend"] = (time.monotonic() - bg_start, None,
                                            "(no answer within %g s)" % cap)
        finally:
            kill_pid(stuck)
            if bg.poll() is None:
                bg.kill()
            bg.wait()
            virsh(uri, ["destroy", "other"], 30)
            virsh(uri, ["destroy", "stuck"], 30)
        return results

    def cleanup_qemus(self):
        for pid in self.qemus:
            kill_pid(pid)


class Virtkitd(Target):
    def __init__(self, build_dir, tmp):
        super().__init__("virtkitd")
        self.root = os.path.join(tmp, "vk")
        os.makedirs(self.root)
        self.proc = subprocess.Popen([os.path.join(build_dir, "daemon", "virtkitd"),
                                      "--root", self.root], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sock = os.path.join(self.root, "run", "virtkit", "virtkit-sock")
        self.uri = "qemu+unix:///system?socket=" + sock
        deadline = time.monotonic() + 20
        while not os.path.exists(sock):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("virtkitd did not start")
            time.sleep(0.05)

    def pidfile(self, name):
        return os.path.join(self.root, "run", "virtkit", "qemu", name + ".pid")

    def stop(self):
        self.cleanup_qemus()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Libvirtd(Target):
    def __init__(self):
        super().__init__("libvirtd")
        subprocess.run([REF, "start", REF_INSTANCE], check=True, capture_output=True)
        self.uri = subprocess.run([REF, "uri", REF_INSTANCE], check=True, capture_output=True,
                                  text=True).stdout.strip()
        self.base = "/tmp/lv9/" + REF_INSTANCE

    def pidfile(self, name):
        return os.path.join(self.base, "run", "qemu", name + ".pid")

    def stop(self):
        self.cleanup_qemus()
        subprocess.run([REF, "stop", REF_INSTANCE], capture_output=True)


def fmt(res):
    secs, rc, err = res
    if rc is None:
        return "> %.0f s (no answer)" % secs
    ms = secs * 1000
    text = ("%.0f ms" % ms) if ms < 10000 else ("%.1f s" % secs)
    return text + ("" if rc == 0 else " (error)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"))
    ap.add_argument("--only", choices=("virtkitd", "libvirtd"))
    ap.add_argument("--cap", type=float, default=45.0,
                    help="longest wait for one command, seconds (default 45)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run-bench-stuck.py needs root (libvirtd's mount namespace)")
    kernel = os.path.join(args.build_dir, "tests", "guest", "vkguest.elf")
    if not os.path.exists(kernel):
        sys.exit("build the test guest first: %s" % kernel)

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-stuck-") as tmp:
        os.chmod(tmp, 0o755)
        for name in ("virtkitd", "libvirtd"):
            if args.only and args.only != name:
                continue
            target = None
            try:
                target = Virtkitd(args.build_dir, tmp) if name == "virtkitd" else Libvirtd()
                print("# %s: running the scenario..." % name, file=sys.stderr)
                results[name] = target.run_scenario(kernel, tmp, args.cap)
            finally:
                if target:
                    target.stop()

    labels = [label for label, _ in COMMANDS] + ["first suspend"]
    names = [n for n in ("virtkitd", "libvirtd") if n in results]
    if args.json:
        print(json.dumps({n: {l: {"seconds": results[n][l][0], "rc": results[n][l][1],
                                  "error": results[n][l][2]} for l in labels}
                          for n in names}, indent=2))
        return
    header = "command (virsh; QEMU of 'stuck' stopped)"
    width = max([len(l) for l in labels] + [len(header)])
    print("%-*s  %s" % (width, header,
                        "  ".join("%-22s" % n for n in names)))
    for l in labels:
        print("%-*s  %s" % (width, l, "  ".join("%-22s" % fmt(results[n][l]) for n in names)))
    print()
    for n in names:
        for l in ("second suspend", "first suspend"):
            print("%s %s: %s" % (n, l, results[n][l][2] or "(succeeded)"))
    if args.markdown:
        print()
        print("| command | %s |" % " | ".join(names))
        print("|---|" + "---|" * len(names))
        for l in labels:
            print("| %s | %s |" % (l, " | ".join(fmt(results[n][l]) for n in names)))


if __name__ == "__main__":
    main()
