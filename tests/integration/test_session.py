"""virtkitd as a non-root user: qemu:///session with the user's own dirs.

The test (run as root) starts virtkitd without --root under `setpriv` as
the user nobody, with HOME and XDG_RUNTIME_DIR in a temporary directory it
chowns to that user, and checks (issue 5, "qemu:///session per user"):
- the sockets land in $XDG_RUNTIME_DIR/virtkit (mode 0700 both, as
  libvirt's session daemon has them);
- our CLI with `-c qemu:///session` (the default session routing) and
  Debian's virsh (qemu+unix:///session?socket=...) define, start, list and
  destroy a TCG guest there; QEMU runs as that user; status, pidfile and
  log are under the user's runtime and cache dirs, the definition under
  ~/.config/virtkit/qemu;
- qemu:///system is refused by the session daemon (libvirt's message).

Clients run as the same user (the socket is 0700).  The daemon and the
QEMU are killed by PID on every path.  Skipped (77) when not root, without
setpriv, QEMU, the guest or virsh.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import vkdtest as t

QEMU = "/usr/bin/qemu-system-x86_64"
USER = "nobody"

_qemu_pids = set()


def wait_for(pred, timeout=10, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def process_gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


class SessionDaemon:
    """virtkitd running as @USER with its dirs under @base."""

    def __init__(self, base, pw):
        self.base = base
        self.pw = pw
        self.home = os.path.join(base, "home")
        self.runtime = os.path.join(base, "runtime")
        self.sock = os.path.join(self.runtime, "virtkit", "virtkit-sock")
        self.logfile = os.path.join(base, "virtkitd.log")
        self.proc = None

    def env(self):
        e = t.client_env()
        for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            e.pop(k, None)
        e.update(HOME=self.home, XDG_RUNTIME_DIR=self.runtime, USER=USER, LOGNAME=USER)
        return e

    def as_user(self, argv):
        return ["setpriv", "--reuid=%d" % self.pw.pw_uid, "--regid=%d" % self.pw.pw_gid,
                "--clear-groups", "--"] + argv

    def start(self):
        log_fd = open(self.logfile, "ab")
        env = self.env()
        # Keep the sanitizer settings of the test run.
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        # The build tree may not be readable by the user (a clone under a
        # 0700 directory): the user runs copies of our programs and libraries.
        bindir, libdir = self.stage()
        env["LD_LIBRARY_PATH"] = libdir
        self.proc = subprocess.Popen(self.as_user([os.path.join(bindir, "virtkitd")]),
                                     stdin=subprocess.DEVNULL, stdout=log_fd,
                                     stderr=subprocess.STDOUT, env=env)
        log_fd.close()

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("virtkitd exited with %s:\n%s" % (self.proc.returncode, self.log()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock)
                return True
            except OSError:
                return False
            finally:
                s.close()
        if not wait_for(ready, timeout=20):
            raise RuntimeError("virtkitd did not listen:\n" + self.log())

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stage(self):
        """Copies virtkitd, virtkit and our libraries where the user can run them."""
        bindir = os.path.join(self.base, "bin")
        libdir = os.path.join(self.base, "lib")
        if not os.path.isdir(bindir):
            os.makedirs(bindir)
            os.makedirs(libdir)
            daemon = os.environ["VIRTKITD"]
            shutil.copy(daemon, bindir)
            shutil.copy(os.environ["VIRTKIT"], bindir)
            srcdir = os.path.join(os.path.dirname(os.path.dirname(daemon)), "src")
            for lib in ("libvirt.so.0", "libvirt-qemu.so.0"):
                shutil.copy(os.path.realpath(os.path.join(srcdir, lib)),
                            os.path.join(libdir, lib))
            for d in (bindir, libdir):
                os.chmod(d, 0o755)
        return bindir, libdir

    def run(self, argv, timeout=30):
        env = self.env()
        if argv[0] == os.environ.get("VIRTKIT"):
            # our CLI: the user's copy, with our library (never Debian's)
            bindir, libdir = self.stage()
            argv = [os.path.join(bindir, "virtkit")] + list(argv[1:])
            env["LD_LIBRARY_PATH"] = libdir
        p = subprocess.run(self.as_user(argv), capture_output=True, text=True,
                           env=env, timeout=timeout)
        return p.returncode, p.stdout, p.stderr


def guest_xml(name, kernel, serial):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>heartbeat_ms=50</cmdline></os>
  <devices>
    <serial type='file'><source path='%s'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, kernel, serial)


def owner(path):
    try:
        return os.stat(path).st_uid
    except OSError:
        return None


def proc_uid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def main():
    base = tempfile.mkdtemp(prefix="vkd-session-")
    os.chmod(base, 0o755)
    try:
        _main(base)
    finally:
        for pid in list(_qemu_pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            wait_for(lambda: process_gone(pid), timeout=5)
        if os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(base, ignore_errors=True)


_session = []


def _main(base):
    pw = pwd.getpwnam(USER)
    d = SessionDaemon(base, pw)
    _session.append(d)
    for sub in (d.home, d.runtime):
        os.makedirs(sub)
        os.chown(sub, pw.pw_uid, pw.pw_gid)
        os.chmod(sub, 0o700)
    kernel = os.path.join(base, "vkguest.elf")
    shutil.copy(os.environ["VKGUEST"], kernel)
    os.chmod(kernel, 0o644)

    d.start()
    t.log("session daemon pid %d as %s" % (d.proc.pid, USER))
    vdir = os.path.join(d.runtime, "virtkit")
    check_sock = os.path.join(vdir, "virtkit-sock")
    t.check(os.path.exists(check_sock) and os.path.exists(check_sock + "-ro"),
            "sockets in $XDG_RUNTIME_DIR/virtkit", str(os.listdir(vdir)))
    t.check_eq((owner(check_sock), os.stat(check_sock).st_mode & 0o777,
                os.stat(check_sock + "-ro").st_mode & 0o777),
               (pw.pw_uid, 0o700, 0o700), "sockets owned by the user, mode 0700")
    t.check_eq(owner(os.path.join(vdir, "virtkitd.pid")), pw.pw_uid,
               "pidfile in $XDG_RUNTIME_DIR/virtkit")

    vk = os.environ["VIRTKIT"]
    virsh_uri = "qemu+unix:///session?socket=" + check_sock

    # Our CLI: qemu:///session routes to the user's daemon.
    rc, out, err = d.run([vk, "-c", "qemu:///session", "uri"])
    t.check_eq((rc, out.strip()), (0, "qemu:///session"), "virtkit uri on the session daemon")
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "hostname"])
    t.check_eq((rc, out.strip()), (0, socket.gethostname()), "virsh connects to the session daemon")

    # qemu:///system is refused by a non-root daemon, as libvirt's is.
    sys_uri = "qemu+unix:///system?socket=" + check_sock
    rc, out, err = d.run(["virsh", "-c", sys_uri, "uri"])
    t.check(rc != 0 and "unexpected QEMU URI path '/system', try qemu:///session" in err,
            "virsh: qemu:///system refused by the session daemon", err)
    rc, out, err = d.run([vk, "-c", sys_uri, "uri"])
    t.check(rc != 0 and "try qemu:///session" in err,
            "virtkit: qemu:///system refused by the session daemon", err)

    # Our CLI: define + start a guest; state lands in the user's dirs.
    xml_path = os.path.join(d.home, "g1.xml")
    with open(xml_path, "w") as f:
        f.write(guest_xml("g1", kernel, os.path.join(d.home, "g1.serial")))
    os.chown(xml_path, pw.pw_uid, pw.pw_gid)
    rc, out, err = d.run([vk, "-c", "qemu:///session", "define", xml_path])
    t.check(rc == 0, "virtkit define", err)
    cfg = os.path.join(d.home, ".config", "virtkit", "qemu", "g1.xml")
    t.check_eq(owner(cfg), pw.pw_uid, "definition in ~/.config/virtkit/qemu")
    rc, out, err = d.run([vk, "-c", "qemu:///session", "start", "g1"], timeout=60)
    t.check(rc == 0, "virtkit start", err + d.log())
    state = os.path.join(vdir, "qemu")
    pidfile = os.path.join(state, "g1.pid")
    pid = None
    if os.path.exists(pidfile):
        with open(pidfile) as f:
            pid = int(f.read().strip())
        _qemu_pids.add(pid)
    t.check(pid is not None and proc_uid(pid) == pw.pw_uid, "QEMU runs as the user", str(pid))
    t.check_eq(owner(os.path.join(state, "g1.xml")), pw.pw_uid,
               "status XML in $XDG_RUNTIME_DIR/virtkit/qemu")
    log = os.path.join(d.home, ".cache", "virtkit", "log", "qemu", "g1.log")
    t.check_eq(owner(log), pw.pw_uid, "QEMU log in ~/.cache/virtkit/log/qemu")
    t.check(wait_for(lambda: "heartbeat" in open(os.path.join(d.home, "g1.serial"),
                                                errors="replace").read(), timeout=20),
            "guest heartbeat on the serial file")

    rc, out, err = d.run([vk, "-c", "qemu:///session", "list"])
    t.check(rc == 0 and any(l.split()[1:3] == ["g1", "running"] for l in out.splitlines()
                            if len(l.split()) >= 3),
            "virtkit list shows g1 running", out + err)
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "list"])
    t.check(rc == 0 and any(l.split()[1:3] == ["g1", "running"] for l in out.splitlines()
                            if len(l.split()) >= 3),
            "virsh list shows g1 running", out + err)
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "destroy", "g1"])
    t.check(rc == 0, "virsh destroy", err)
    t.check(pid is not None and wait_for(lambda: process_gone(pid), timeout=10), "QEMU gone")
    rc, out, err = d.run([vk, "-c", "qemu:///session", "domstate", "--reason", "g1"])
    t.check_eq((rc, out.strip()), (0, "shut off (destroyed)"), "virtkit domstate after destroy")
    t.check(not os.path.exists(os.path.join(state, "g1.xml")), "status XML removed")

    # virsh: start again, list, destroy.
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "start", "g1"], timeout=60)
    t.check(rc == 0, "virsh start", err + d.log())
    if os.path.exists(pidfile):
        with open(pidfile) as f:
            pid = int(f.read().strip())
        _qemu_pids.add(pid)
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "domstate", "g1"])
    t.check_eq((rc, out.strip()), (0, "running"), "virsh domstate after virsh start")
    rc, out, err = d.run([vk, "-c", "qemu:///session", "destroy", "g1"])
    t.check(rc == 0, "virtkit destroy", err)
    t.check(wait_for(lambda: process_gone(pid), timeout=10), "QEMU gone after virtkit destroy")
    rc, out, err = d.run(["virsh", "-c", virsh_uri, "undefine", "g1"])
    t.check(rc == 0 and not os.path.exists(cfg), "virsh undefine removes the definition", err)

    rc = d.proc.send_signal(signal.SIGTERM)
    try:
        rc = d.proc.wait(20)
    except subprocess.TimeoutExpired:
        rc = None
    t.check_eq(rc, 0, "session daemon stops on SIGTERM")


def _cleanup_main():
    try:
        main()
    finally:
        for d in _session:
            d.kill()


if __name__ == "__main__":
    if os.geteuid() != 0:
        t.skip("needs root to start a daemon as another user")
    if not shutil.which("setpriv"):
        t.skip("setpriv (util-linux) is not installed")
    if not os.access(QEMU, os.X_OK) or not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("QEMU or the test guest is missing")
    t.need_virsh()
    t.run(_cleanup_main, timeout=150)
