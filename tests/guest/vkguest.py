"""vkguest.py: run virtkit's test guest under a real qemu-system-x86_64.

A small harness (Python 3 standard library only) for tests that need a live
guest without going through virtkit: start QEMU on the guest kernel, follow
its serial console line by line, talk QMP, reach the gdbstub, and always kill
and reap the QEMU processes it started.  See docs/test-guest.md.

    with tempfile.TemporaryDirectory() as tmp:
        with Guest(kernel, tmp, append="heartbeat_ms=100") as g:
            g.serial.wait(r"^HEARTBEAT 3 ")
            g.qmp.cmd("system_powerdown")
            g.wait_exit(5)
"""

import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

KVM_GET_API_VERSION = 0xAE00
KVM_API_VERSION = 12

HEARTBEAT_RE = re.compile(r"^HEARTBEAT (\d+) ms=(\d+) dirtied=(\d+)")
CHECK_OK_RE = re.compile(r"^CHECK OK (\d+)")
CORRUPT_RE = re.compile(r"^CORRUPT addr=0x([0-9a-f]+) expected=0x([0-9a-f]+) found=0x([0-9a-f]+)")
MEMORY_RE = re.compile(r"^VKGUEST memory ram_end=0x([0-9a-f]+) wss_start=0x([0-9a-f]+) "
                       r"wss_end=0x([0-9a-f]+) pages=(\d+)")


class GuestError(Exception):
    """Something the guest or QEMU did not do in time, or did wrong."""


def find_qemu():
    """Path of qemu-system-x86_64 ($VKGUEST_QEMU overrides), or None."""
    return os.environ.get("VKGUEST_QEMU") or shutil.which("qemu-system-x86_64")


def kvm_usable():
    """True if /dev/kvm opens read-write and speaks the stable KVM API."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return fcntl.ioctl(fd, KVM_GET_API_VERSION) == KVM_API_VERSION
    except OSError:
        return False
    finally:
        os.close(fd)


def cpu_has_virt():
    """True if the host CPU advertises hardware virtualization (vmx or svm)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return "vmx" in flags or "svm" in flags
    except OSError:
        pass
    return False


def pick_accel():
    """The accelerator for test guests.

    $VKGUEST_ACCEL = kvm | tcg forces one.  Otherwise KVM is used when
    /dev/kvm is usable *and* backed by hardware virtualization; a KVM without
    vmx/svm (such as kvm-pvm inside a cloud VM) runs a non-paravirtualized
    guest by emulating each instruction, far slower than TCG (see
    docs/test-guest.md), so TCG is chosen there.
    """
    forced = os.environ.get("VKGUEST_ACCEL", "auto")
    if forced in ("kvm", "tcg"):
        return forced
    if kvm_usable() and cpu_has_virt():
        return "kvm"
    return "tcg"


def _child_setup():
    # Die with the test: if the test process is killed outright, QEMU follows.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _listen(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    sock.bind(path)
    sock.listen(1)
    return sock


class SerialLog:
    """Lines of the guest's serial console, read by a thread from a socket."""

    def __init__(self, conn, logpath):
        self._conn = conn
        self._cond = threading.Condition()
        self.lines = []         # (monotonic time, text) per complete line
        self.closed = False
        self._log = open(logpath, "w")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        buf = b""
        while True:
            try:
                data = self._conn.recv(65536)
            except OSError:
                data = b""
            now = time.monotonic()
            with self._cond:
                if not data:
                    if buf:
                        self._add(now, buf)
                    self.closed = True
                    self._cond.notify_all()
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self._add(now, line)
                self._cond.notify_all()

    def _add(self, now, raw):
        text = raw.decode("utf-8", "replace").rstrip("\r")
        self.lines.append((now, text))
        self._log.write("%.3f %s\n" % (now, text))
        self._log.flush()

    def wait(self, pattern, timeout=10.0, start=0):
        """Wait for a line matching @pattern at index >= @start.

        Returns (index, time, match).  Raises GuestError on timeout or EOF.
        """
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.lines):
                    m = regex.search(self.lines[i][1])
                    if m:
                        return i, self.lines[i][0], m
                    i += 1
                left = deadline - time.monotonic()
                if self.closed:
                    raise GuestError("serial closed while waiting for %r" % pattern)
                if left <= 0:
                    raise GuestError("no serial line matching %r within %.1fs" % (pattern, timeout))
                self._cond.wait(left)

    def matches(self, pattern, start=0):
        """All matches of @pattern among the lines so far, from index @start."""
        regex = re.compile(pattern)
        with self._cond:
            lines = list(self.lines[start:])
        return [m for m in (regex.search(t) for _, t in lines) if m]

    def text(self):
        with self._cond:
            return "\n".join(t for _, t in self.lines)

    def close(self):
        try:
            self._conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._thread.join(5)
        self._conn.close()
        self._log.close()


class QmpError(GuestError):
    pass


class Qmp:
    """A minimal synchronous QMP client; events are collected by a thread."""

    def __init__(self, conn, timeout=10.0):
        self._conn = conn
        self._cond = threading.Condition()
        self._replies = []
        self.events = []
        self.closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        greeting = self._next_reply(timeout)
        if "QMP" not in greeting:
            raise QmpError("unexpected QMP greeting %r" % greeting)
        self.cmd("qmp_capabilities", timeout=timeout)

    def _run(self):
        buf = b""
        while True:
            try:
                data = self._conn.recv(65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self.closed = True
                    self._cond.notify_all()
                    return
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if not line.strip():
                        continue
                    msg = json.loads(line)
                    if "event" in msg:
                        self.events.append(msg)
                    else:
                        self._replies.append(msg)
                self._cond.notify_all()

    def _next_reply(self, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._replies:
                left = deadline - time.monotonic()
                if self.closed:
                    raise QmpError("QMP connection closed")
                if left <= 0:
                    raise QmpError("no QMP reply within %.1fs" % timeout)
                self._cond.wait(left)
            return self._replies.pop(0)

    def cmd(self, name, args=None, timeout=10.0):
        """Run one command; returns its "return" value, raises QmpError on "error"."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        with self._lock:
            self._conn.sendall(json.dumps(msg).encode() + b"\n")
            reply = self._next_reply(timeout)
        if "error" in reply:
            raise QmpError("%s: %s" % (name, reply["error"].get("desc", reply["error"])))
        return reply.get("return")

    def hmp(self, command, timeout=10.0):
        """Run a human monitor command through QMP; returns its output."""
        return self.cmd("human-monitor-command", {"command-line": command}, timeout)

    def wait_event(self, name, timeout=10.0, start=0, check=None):
        """Wait for event @name (index >= @start, @check(msg) true if given).

        Returns (index, message).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.events):
                    ev = self.events[i]
                    if ev["event"] == name and (check is None or check(ev)):
                        return i, ev
                    i += 1
                left = deadline - time.monotonic()
                if self.closed:
                    raise QmpError("QMP closed while waiting for event %s" % name)
                if left <= 0:
                    raise QmpError("no %s event within %.1fs" % (name, timeout))
                self._cond.wait(left)

    def close(self):
        try:
            self._conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._thread.join(5)
        self._conn.close()


class Guest:
    """One QEMU process running the test guest.

    Use as a context manager: on exit (normal or not) the QEMU process is
    killed with SIGKILL if still alive, and reaped.
    """

    def __init__(self, kernel, tmpdir, append="", name="vm", machine="pc", memory_mib=128,
                 accel=None, extra_args=(), incoming=None, start_timeout=30.0):
        self.kernel = kernel
        self.dir = os.path.join(tmpdir, name)
        self.name = name
        self.append = append
        self.machine = machine
        self.memory_mib = memory_mib
        self.accel = accel or pick_accel()
        self.extra_args = list(extra_args)
        self.incoming = incoming
        self.start_timeout = start_timeout
        self.proc = None
        self.serial = None
        self.qmp = None
        self.spawn_time = None
        self.qemu_log = os.path.join(self.dir, "qemu.log")
        self.serial_log = os.path.join(self.dir, "serial.log")

    def argv(self):
        qemu = find_qemu()
        if not qemu:
            raise GuestError("qemu-system-x86_64 not found")
        args = [
            qemu, "-nodefaults", "-no-user-config", "-nographic",
            "-name", "guest=%s" % self.name,
            "-machine", self.machine, "-accel", self.accel,
            "-m", str(self.memory_mib),
            "-kernel", self.kernel,
            "-append", self.append,
            "-chardev", "socket,id=ser0,path=%s" % os.path.join(self.dir, "serial.sock"),
            "-serial", "chardev:ser0",
            "-chardev", "socket,id=qmp0,path=%s" % os.path.join(self.dir, "qmp.sock"),
            "-mon", "chardev=qmp0,mode=control",
        ]
        if self.incoming:
            args += ["-incoming", self.incoming]
        return args + self.extra_args

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        serial_listen = _listen(os.path.join(self.dir, "serial.sock"))
        qmp_listen = _listen(os.path.join(self.dir, "qmp.sock"))
        try:
            with open(self.qemu_log, "w") as log:
                self.spawn_time = time.monotonic()
                self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, close_fds=True,
                                             preexec_fn=_child_setup)
            # QEMU connects to both sockets while it parses its command line.
            serial_conn = self._accept(serial_listen)
            self.serial = SerialLog(serial_conn, self.serial_log)
            qmp_conn = self._accept(qmp_listen)
            self.qmp = Qmp(qmp_conn, timeout=self.start_timeout)
        except BaseException:
            self.kill()
            raise
        finally:
            serial_listen.close()
            qmp_listen.close()
        return self

    def _accept(self, listener):
        deadline = time.monotonic() + self.start_timeout
        while True:
            listener.settimeout(0.1)
            try:
                conn, _ = listener.accept()
                conn.settimeout(None)
                return conn
            except socket.timeout:
                pass
            if self.proc.poll() is not None:
                raise GuestError("QEMU exited early (status %s): %s"
                                 % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise GuestError("QEMU did not connect within %.1fs" % self.start_timeout)

    def log_tail(self, n=20):
        try:
            with open(self.qemu_log) as f:
                return "".join(f.readlines()[-n:]).strip()
        except OSError:
            return ""

    def wait_exit(self, timeout):
        """Wait for QEMU to exit on its own; returns its status or None."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        """Kill (SIGKILL) and reap QEMU if it is still running; close sockets."""
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except OSError as e:
                    if e.errno != errno.ESRCH:
                        raise
            self.proc.wait()
        if self.qmp is not None:
            self.qmp.close()
        if self.serial is not None:
            self.serial.close()

    def memory_layout(self, timeout=10.0):
        """The guest's (wss_start, wss_end) from its banner."""
        _, _, m = self.serial.wait(MEMORY_RE, timeout)
        return int(m.group(2), 16), int(m.group(3), 16)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        return False


class GdbStub:
    """Just enough of the GDB remote protocol to read and write guest memory.

    Connecting to QEMU's gdbstub stops the guest; detach() resumes it.
    Addresses are the CPU's virtual addresses, which equal physical ones for
    vkguest (no paging).
    """

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self._buf = b""

    def _recv_byte(self):
        if not self._buf:
            self._buf = self.sock.recv(4096)
            if not self._buf:
                raise GuestError("gdbstub closed the connection")
        b, self._buf = self._buf[:1], self._buf[1:]
        return b

    def _packet(self, payload):
        data = payload.encode()
        frame = b"$" + data + b"#" + b"%02x" % (sum(data) & 0xFF)
        self.sock.sendall(frame)
        while self._recv_byte() != b"+":
            pass
        while self._recv_byte() != b"$":
            pass
        reply = b""
        while True:
            b = self._recv_byte()
            if b == b"#":
                self._recv_byte()
                self._recv_byte()
                break
            reply += b
        self.sock.sendall(b"+")
        return reply.decode()

    def read(self, addr, length):
        reply = self._packet("m%x,%x" % (addr, length))
        if reply.startswith("E"):
            raise GuestError("gdbstub cannot read 0x%x: %s" % (addr, reply))
        return bytes.fromhex(reply)

    def write(self, addr, data):
        reply = self._packet("M%x,%x:%s" % (addr, len(data), data.hex()))
        if reply != "OK":
            raise GuestError("gdbstub cannot write 0x%x: %s" % (addr, reply))

    def detach(self):
        self._packet("D")
        self.sock.close()
