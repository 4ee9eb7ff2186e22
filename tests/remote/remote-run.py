#!/usr/bin/env python3
"""Runs the remote driver's end-to-end tests against a real daemon.

Starts a daemon on a private unix socket in a temporary directory:
  libvirtd  Debian's /usr/sbin/libvirtd, in a private mount namespace
            (tmpfs over its state directories, no driver modules: only the
            built-in test driver), configured with auth "none";
  virtkitd  our build/daemon/virtkitd --root TMP.
Both get keepalive_interval = 1 and keepalive_count = 1, so that a client
that does not answer PINGs is dropped within about 2 seconds.

Then, against test+unix:///default?socket=SOCK:
  1. the virtkit CLI, each command compared with Debian's virsh on the same
     daemon (same stdout, stderr and exit status), including a lifecycle;
  2. remotetest (tests/remote/remotetest.c: our libvirt.so.0, public API),
     whose last case kills the daemon.
The daemon is killed and reaped on every path.  Output is TAP.  Skips
(plan 1..0) when the daemon cannot run here.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

STARTUP_TIMEOUT = 20
CLI_TIMEOUT = 30
TEST_TIMEOUT = 150

LIBVIRTD = "/usr/sbin/libvirtd"
VIRSH = shutil.which("virsh")
STATE_DIRS = ["/run/libvirt", "/var/lib/libvirt", "/var/cache/libvirt",
              "/var/log/libvirt", "/run/lock"]


def system_env(**extra):
    """Environment for Debian's binaries: never our libvirt.so.0 (meson puts
    the build tree on LD_LIBRARY_PATH for tests)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    env.update(extra)
    return env


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def result(self, ok, name, diag=None):
        self.count += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.count, name))
        for line in (diag or "").splitlines():
            print("# " + line)
        sys.stdout.flush()

    def note(self, text):
        for line in text.splitlines():
            print("# " + line)
        sys.stdout.flush()


def skip(reason):
    print("1..0 # SKIP " + reason)
    sys.exit(0)


def socket_ready(path):
    if not os.path.exists(path):
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def start_libvirtd(tmp, tcp_port):
    if os.geteuid() != 0:
        skip("libvirtd needs root for its private mount namespace")
    if not os.access(LIBVIRTD, os.X_OK) or not shutil.which("unshare"):
        skip("Debian's libvirtd is not installed (scripts/install-deps.sh)")
    sockdir = os.path.join(tmp, "sock")
    empty = os.path.join(tmp, "no-modules")
    os.makedirs(sockdir)
    os.makedirs(empty)
    conf = os.path.join(tmp, "libvirtd.conf")
    with open(conf, "w") as f:
        f.write('unix_sock_dir = "%s"\n' % sockdir)
        f.write('unix_sock_rw_perms = "0700"\n')
        f.write('auth_unix_ro = "none"\nauth_unix_rw = "none"\n')
        f.write("keepalive_interval = 1\nkeepalive_count = 1\n")
        # Plain TCP on loopback too (libvirtd --listen), for the tcp transport.
        f.write('listen_tls = 0\nlisten_tcp = 1\nlisten_addr = "127.0.0.1"\n')
        f.write('tcp_port = "%d"\nauth_tcp = "none"\n' % tcp_port)
        f.write('log_outputs = "3:file:%s"\n' % os.path.join(tmp, "libvirtd.log"))
    mounts = "; ".join("mount -t tmpfs tmpfs %s" % d for d in STATE_DIRS
                       if os.path.isdir(d))
    script = "set -e; %s; exec %s --listen -f %s -p %s" % (
        mounts, LIBVIRTD, conf, os.path.join(tmp, "libvirtd.pid"))
    env = system_env(LIBVIRT_DRIVER_DIR=empty)
    # unshare and sh exec, so the pid is libvirtd's.
    proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "--",
                             "sh", "-c", script],
                            stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(tmp, "daemon.out"), "w"),
                            stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    return proc, os.path.join(sockdir, "libvirt-sock")


def start_virtkitd(tmp, binary):
    if not os.access(binary, os.X_OK):
        skip("%s is not built" % binary)
    root = os.path.join(tmp, "root")
    confdir = os.path.join(root, "etc", "virtkit")
    os.makedirs(confdir)
    with open(os.path.join(confdir, "virtkitd.conf"), "w") as f:
        f.write("keepalive_interval = 1\nkeepalive_count = 1\n")
    proc = subprocess.Popen([binary, "--root", root],
                            stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(tmp, "daemon.out"), "w"),
                            stderr=subprocess.STDOUT,
                            start_new_session=True)
    return proc, os.path.join(root, "run", "virtkit", "virtkit-sock")


def wait_socket(proc, path, tmp):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return "daemon exited with status %s:\n%s" % (proc.returncode,
                                                          read_log(tmp))
        if socket_ready(path):
            return None
        time.sleep(0.02)
    return "no socket %s after %d s:\n%s" % (path, STARTUP_TIMEOUT, read_log(tmp))


def read_log(tmp):
    out = []
    for name in ("daemon.out", "libvirtd.log"):
        p = os.path.join(tmp, name)
        if os.path.exists(p):
            with open(p, errors="replace") as f:
                out.append(f.read()[-4000:])
    return "\n".join(out)


def stop(proc):
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGCONT)
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def run(argv, timeout=CLI_TIMEOUT, env=None):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -1, e.stdout or "", "timed out after %d s" % timeout


# What a sanitizer prints at the start of a report.
SANITIZER_MARKERS = ("WARNING: ThreadSanitizer", "ERROR: AddressSanitizer",
                     "ERROR: LeakSanitizer", "runtime error:")


# Lines that legitimately differ between two runs.
VOLATILE = [re.compile(r"^CPU time:.*$", re.M)]


def normalize(text):
    for rx in VOLATILE:
        text = rx.sub("CPU time: (varies)", text)
    return text


def compare_cli(tap, cli, uri, tmp, queries_only=False):
    """virtkit and Debian's virsh, same commands, same daemon."""
    name = "vkr-cli-%d" % os.getpid()
    xml = os.path.join(tmp, "dom.xml")
    with open(xml, "w") as f:
        f.write("<domain type='test'><name>%s</name><memory>1048576</memory>"
                "<vcpu>1</vcpu><os><type>hvm</type></os></domain>\n" % name)
    queries = [
        ["list", "--all"], ["dominfo", "test"], ["domstate", "--reason", "test"],
        ["version"], ["hostname"], ["nodeinfo"], ["uri"], ["dumpxml", "test"],
        ["dominfo", "no-such-domain"], ["domstate", "no-such-domain"],
    ]
    lifecycle = [
        ["define", xml], ["start", name], ["domstate", "--reason", name],
        ["suspend", name], ["domstate", "--reason", name], ["resume", name],
        ["destroy", name], ["domstate", "--reason", name], ["undefine", name],
        ["dominfo", name],
    ]
    if VIRSH is None:
        tap.note("Debian's virsh not found: CLI runs checked for success only")

    def check(args, ours, theirs):
        label = "virtkit -c %s %s" % (uri.split(":")[0],
                                      " ".join(args).replace(tmp, "TMP"))
        if ours[0] < 0:
            tap.result(False, label, ours[2])
        elif theirs is None:
            expect_fail = "no-such-domain" in args or args == ["dominfo", name]
            tap.result((ours[0] != 0) == expect_fail, label, ours[2])
        else:
            same = (ours[0] == theirs[0] and
                    normalize(ours[1]) == normalize(theirs[1]) and ours[2] == theirs[2])
            diag = None
            if not same:
                diag = ("virtkit: status %d\nstdout:\n%s\nstderr:\n%s\n"
                        "virsh: status %d\nstdout:\n%s\nstderr:\n%s" % (
                            ours[0], ours[1], ours[2], theirs[0], theirs[1], theirs[2]))
            tap.result(same, label + " (same as virsh)", diag)

    for args in queries:
        ours = run([cli, "-c", uri] + args)
        theirs = run([VIRSH, "-c", uri] + args, env=system_env()) if VIRSH else None
        check(args, ours, theirs)
    if queries_only:
        return

    # The whole lifecycle with virtkit, then the same with virsh: each run
    # starts and ends without the domain, so step N of both must match.
    ours_all = [run([cli, "-c", uri] + args) for args in lifecycle]
    theirs_all = ([run([VIRSH, "-c", uri] + args, env=system_env()) for args in lifecycle]
                  if VIRSH else [None] * len(lifecycle))
    for args, ours, theirs in zip(lifecycle, ours_all, theirs_all):
        check(args, ours, theirs)


def run_remotetest(tap, test, uri, proc, daemon, prefix=""):
    """proc None: the cases that stop or kill the daemon skip themselves."""
    env = dict(os.environ, REMOTE_TEST_URI=uri, REMOTE_TEST_DAEMON=daemon,
               REMOTE_TEST_DAEMON_PID=str(proc.pid) if proc else "0",
               REMOTE_TEST_SERVER_KEEPALIVE="1")
    rc, out, err = run([test], timeout=TEST_TIMEOUT, env=env)
    seen = 0
    for line in out.splitlines():
        m = re.match(r"^(ok|not ok) \d+ - (.*)$", line)
        if m:
            seen += 1
            tap.result(m.group(1) == "ok", "remotetest: " + prefix + m.group(2))
        elif line.startswith("#"):
            print(line)
    if rc != 0 or seen == 0:
        tap.result(False, "remotetest exit status %d" % rc, err[-4000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", choices=["libvirtd", "virtkitd"], required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--virtkitd", required=True)
    ap.add_argument("--only-test", action="store_true",
                    help="run --test alone (no CLI comparison, no TCP run)")
    args = ap.parse_args()

    tap = Tap()
    tcp_port = None
    tmp = tempfile.mkdtemp(prefix="vk-remote-")
    proc = None
    try:
        if args.daemon == "libvirtd":
            tcp_port = free_port()
            proc, sock = start_libvirtd(tmp, tcp_port)
        else:
            proc, sock = start_virtkitd(tmp, args.virtkitd)
        problem = wait_socket(proc, sock, tmp)
        if problem:
            # virtkitd is built from this tree: not starting is a failure.
            tap.result(False, "%s starts" % args.daemon, problem)
        else:
            uri = "test+unix:///default?socket=" + sock
            tap.note("%s pid %d, %s" % (args.daemon, proc.pid, uri))
            if args.only_test:
                pass
            elif os.access(args.cli, os.X_OK):
                compare_cli(tap, args.cli, uri, tmp)
            else:
                tap.note("%s not built: CLI checks skipped" % args.cli)
            if tcp_port and not args.only_test:
                # The same over TCP, without the cases that stop the daemon.
                tcp_uri = "test+tcp://127.0.0.1:%d/default" % tcp_port
                compare_cli(tap, args.cli, tcp_uri, tmp, queries_only=True)
                run_remotetest(tap, args.test, tcp_uri, None, args.daemon, "tcp: ")
            run_remotetest(tap, args.test, uri, proc, args.daemon)
            if tap.failed:
                tap.note("daemon log:\n" + read_log(tmp))
    finally:
        if proc is not None:
            stop(proc)
            # A sanitizer build of virtkitd (the tsan and asan stages of
            # scripts/run-tests.sh) reports on its stderr: any report fails.
            if args.daemon == "virtkitd":
                log = ""
                if os.path.exists(os.path.join(tmp, "daemon.out")):
                    with open(os.path.join(tmp, "daemon.out"), errors="replace") as f:
                        log = f.read()
                for marker in SANITIZER_MARKERS:
                    if marker in log:
                        tap.result(False, "virtkitd ran without sanitizer reports",
                                   log[log.index(marker):][:4000])
                        break
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % tap.count)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
