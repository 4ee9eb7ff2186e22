"""Helpers for the integration tests that start virtkitd.

Each test script gets its own temporary --root directory, starts the daemon
there, waits for its socket (no fixed sleeps), and kills and reaps the
daemon by PID on every path out (normal end, failed check, exception,
hard timeout).  Clients: Debian's virsh and python3-libvirt (the real
libvirt client library), and RawClient, which speaks the wire protocol
directly for the bad-input cases.

Results are printed TAP-style; the exit code is 0 (pass), 1 (fail) or 77
(skipped: a Debian client is missing).
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

REMOTE_PROGRAM = 0x20008086
KEEPALIVE_PROGRAM = 0x6B656570
CALL, REPLY, MESSAGE, STREAM, CALL_WITH_FDS = 0, 1, 2, 3, 4
OK, ERROR, CONTINUE = 0, 1, 2

# Error codes (virErrorNumber) the tests look for.
VIR_ERR_INTERNAL_ERROR = 1
VIR_ERR_NO_SUPPORT = 3
VIR_ERR_OPERATION_DENIED = 29
VIR_ERR_RPC = 39
VIR_ERR_NO_DOMAIN = 42

SKIP = 77

# meson points LD_LIBRARY_PATH at our build; python3-libvirt must load
# Debian's libvirt.so.0, so the test runs again without it (the daemon
# finds our library through its rpath).
if os.environ.get("LD_LIBRARY_PATH") and not os.environ.get("VKD_REEXEC"):
    _env = dict(os.environ, VKD_REEXEC="1")
    del _env["LD_LIBRARY_PATH"]
    os.execve(sys.executable, [sys.executable] + sys.argv, _env)

_failures = 0
_count = 0
_daemons = []
_roots = set()     # every daemon root of this test: its guests die with the test


def log(msg):
    sys.stdout.write("# %s\n" % msg)
    sys.stdout.flush()


def check(cond, name, detail=""):
    """Records one TAP result; returns cond."""
    global _failures, _count
    _count += 1
    if cond:
        sys.stdout.write("ok %d - %s\n" % (_count, name))
    else:
        _failures += 1
        sys.stdout.write("not ok %d - %s\n" % (_count, name))
        if detail:
            for line in str(detail).splitlines():
                sys.stdout.write("#   %s\n" % line)
    sys.stdout.flush()
    return cond


def check_eq(actual, expected, name):
    return check(actual == expected, name,
                 "expected: %r\nactual:   %r" % (expected, actual))


def skip(reason):
    sys.stdout.write("1..0 # SKIP %s\n" % reason)
    sys.exit(SKIP)


def need_virsh():
    if not shutil.which("virsh"):
        skip("Debian's virsh (libvirt-clients) is not installed")


def need_libvirt_python():
    try:
        import libvirt  # noqa: F401
    except ImportError:
        skip("python3-libvirt is not installed")


def _kill_guests():
    """SIGKILLs the QEMU processes started under this test's daemon roots.

    Guests outlive their daemon by design; a test that failed or was
    stopped half-way must not leave them running."""
    keys = [r.encode() for r in _roots]
    if not keys:
        return
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and b"qemu-system" in os.path.basename(argv[0]) and \
                any(k in a for a in argv for k in keys):
            try:
                os.kill(int(d), signal.SIGKILL)
            except OSError:
                pass


def _kill_all():
    for d in list(_daemons):
        d.kill()
    _kill_guests()


def _on_alarm(signum, frame):
    raise TimeoutError("hard timeout of the test reached")


def run(main, timeout=100):
    """Runs main() with a hard timeout; always kills started daemons."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(1))
    signal.alarm(timeout)
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # report, then clean up
        import traceback
        check(False, "test raised %s" % type(e).__name__, traceback.format_exc())
    finally:
        signal.alarm(0)
        _kill_all()
    sys.stdout.write("1..%d\n" % _count)
    sys.exit(1 if _failures else 0)


def client_env():
    """Environment for Debian's clients: their own libvirt, C locale."""
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("LD_PRELOAD", None)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    return env


class Daemon:
    """A virtkitd under a private root; use as a context manager."""

    def __init__(self, config=None, args=(), start=True, root=None):
        self.binary = os.environ.get("VIRTKITD")
        if not self.binary:
            raise RuntimeError("VIRTKITD is not set (run through meson test)")
        self.own_root = root is None
        self.root = root or tempfile.mkdtemp(prefix="vkd-")
        _roots.add(self.root)
        self.sock = os.path.join(self.root, "run", "virtkit", "virtkit-sock")
        self.sock_ro = self.sock + "-ro"
        self.pidfile = os.path.join(self.root, "run", "virtkitd.pid")
        self.logfile = os.path.join(self.root, "virtkitd.log")
        self.args = list(args)
        self.proc = None
        if config is not None:
            self.write_config(config)
        _daemons.append(self)
        if start:
            self.start()

    def write_config(self, text):
        path = os.path.join(self.root, "etc", "virtkit", "virtkitd.conf")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def uri(self, ro=False, driver="test", path="/default"):
        return "%s+unix://%s?socket=%s" % (driver, path, self.sock_ro if ro else self.sock)

    def start(self, wait=True):
        log_fd = open(self.logfile, "ab")
        self.proc = subprocess.Popen([self.binary, "--root", self.root] + self.args,
                                     stdin=subprocess.DEVNULL, stdout=log_fd,
                                     stderr=subprocess.STDOUT)
        log_fd.close()
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=20):
        """Waits until the read-write socket accepts a connection."""
        deadline = time.monotonic() + timeout
        delay = 0.002
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("virtkitd exited with %s before listening:\n%s"
                                   % (self.proc.returncode, self.log()))
            if os.path.exists(self.sock_ro):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(self.sock)
                    return
                except OSError:
                    pass
                finally:
                    s.close()
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        raise RuntimeError("virtkitd did not listen within %ds" % timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def terminate(self, sig=signal.SIGTERM, timeout=30):
        """Sends @sig and reaps the daemon; returns its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in _daemons:
            _daemons.remove(self)
            # The TSan stage of scripts/run-tests.sh runs some of these
            # tests with a TSan-built daemon, whose exit status (killed)
            # says nothing: any report in its log fails the test.
            text = self.log()
            if "WARNING: ThreadSanitizer" in text:
                at = text.index("WARNING: ThreadSanitizer")
                check(False, "virtkitd ran without ThreadSanitizer reports", text[at:at + 4000])
        if self.own_root and os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False



class EventLog:
    """Events a listener received, as (domain name, event) pairs, appended
    by the listener's callbacks under .lock.  Delivery is asynchronous and
    a loaded machine delays it: the methods wait for what they expect
    instead of sleeping a fixed time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []

    def add(self, name, event):
        with self.lock:
            self.events.append((name, event))

    def _count(self, name):
        with self.lock:
            return sum(1 for n, _ in self.events if n == name)

    def take(self, name, settle=0.5):
        """The events of @name so far (waits @settle for late ones), then forgets them."""
        time.sleep(settle)
        with self.lock:
            mine = [e for n, e in self.events if n == name]
            self.events = [(n, e) for n, e in self.events if n != name]
        return mine

    def take_until(self, name, event, timeout=20):
        """Waits until @event of @name has arrived (a guest's STARTED_BOOTED
        after its creation, say), then forgets every event of @name so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if (name, event) in self.events:
                    break
            time.sleep(0.01)
        mine = self.take(name, settle=0)
        check(event in mine, "%s: event %s delivered" % (name, event), mine)
        return mine

    def expect(self, name, expected, msg, timeout=20, settle=0.3):
        """Checks that the events of @name are @expected: waits until as
        many have arrived (at most @timeout), then @settle more for any
        extra one, and forgets them."""
        deadline = time.monotonic() + timeout
        while self._count(name) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.01)
        mine = self.take(name, settle)
        check_eq(mine, expected, msg)
        return mine

def virsh(uri, *args, timeout=30, input=None):
    """Runs Debian's virsh; returns (returncode, stdout, stderr)."""
    p = subprocess.run(["virsh", "-c", uri] + list(args), capture_output=True, text=True,
                       env=client_env(), timeout=timeout, input=input)
    return p.returncode, p.stdout, p.stderr


# --- the wire protocol, for raw clients ---------------------------------------

def xdr_uint(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def xdr_int(v):
    return struct.pack(">i", v)


def xdr_hyper(v):
    return struct.pack(">q", v)


def xdr_string(s):
    b = s.encode() if isinstance(s, str) else s
    return xdr_uint(len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def xdr_opt_string(s):
    return xdr_uint(0) if s is None else xdr_uint(1) + xdr_string(s)


def packet(prog, vers, proc, type_, serial, status=OK, payload=b""):
    body = struct.pack(">IIiiIi", prog, vers, proc, type_, serial, status) + payload
    return xdr_uint(len(body) + 4) + body


class Reader:
    """Cursor over an XDR payload."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def uint(self):
        v = struct.unpack_from(">I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def int(self):
        v = struct.unpack_from(">i", self.data, self.pos)[0]
        self.pos += 4
        return v

    def hyper(self):
        v = struct.unpack_from(">q", self.data, self.pos)[0]
        self.pos += 8
        return v

    def string(self):
        n = self.uint()
        s = self.data[self.pos:self.pos + n].decode(errors="replace")
        self.pos += n + (4 - n % 4) % 4
        return s

    def opt_string(self):
        return self.string() if self.uint() else None

    def opaque(self, n):
        b = self.data[self.pos:self.pos + n]
        self.pos += n + (4 - n % 4) % 4
        return b

    def domain(self):
        return (self.string(), self.opaque(16), self.int())

    def error(self):
        code = self.int()
        domain = self.int()
        message = self.opt_string()
        return code, domain, message


class Packet:
    def __init__(self, prog, vers, proc, type_, serial, status, payload):
        self.prog, self.vers, self.proc = prog, vers, proc
        self.type, self.serial, self.status = type_, serial, status
        self.payload = payload

    def reader(self):
        return Reader(self.payload)

    def error(self):
        return self.reader().error() if self.status == ERROR else None

    def __repr__(self):
        return "Packet(prog=%#x proc=%d type=%d serial=%d status=%d len=%d)" % (
            self.prog, self.proc, self.type, self.serial, self.status, len(self.payload))


class RawClient:
    """A client speaking the protocol by hand, synchronously."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking connect waits while the daemon's backlog is full.
        self.sock.connect(path)
        self.sock.settimeout(timeout)
        self.serial = 0
        self.buf = b""
        self.events = []

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def send_call(self, proc, payload=b"", prog=REMOTE_PROGRAM, vers=1, type_=CALL,
                  status=OK, serial=None):
        if serial is None:
            serial = self.serial
            self.serial += 1
        self.send(packet(prog, vers, proc, type_, serial, status, payload))
        return serial

    def recv_packet(self, timeout=None):
        """The next packet, or None at end of file."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= n:
                    raw, self.buf = self.buf[:n], self.buf[n:]
                    prog, vers, proc, type_, serial, status = struct.unpack(">IIiiIi", raw[4:28])
                    return Packet(prog, vers, proc, type_, serial, status, raw[28:])
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def recv_reply(self, serial, timeout=None):
        """The reply to @serial; keepalive and event messages are kept aside."""
        while True:
            p = self.recv_packet(timeout)
            if p is None:
                return None
            if p.type == MESSAGE:
                if p.prog == KEEPALIVE_PROGRAM and p.proc == 1:
                    self.send(packet(KEEPALIVE_PROGRAM, 1, 2, MESSAGE, 0))
                else:
                    self.events.append(p)
                continue
            if p.serial == serial:
                return p

    def call(self, proc, payload=b"", **kw):
        return self.recv_reply(self.send_call(proc, payload, **kw))

    def at_eof(self, timeout=5):
        """True when the daemon closed the connection (pending data is skipped)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    def open(self, uri="test:///default", flags=0):
        """AUTH_LIST, keepalive probe and CONNECT_OPEN, as libvirt's client does."""
        r = self.call(66)
        assert r is not None and r.status == OK, r
        r = self.call(1, xdr_opt_string(uri) + xdr_uint(flags))
        assert r is not None and r.status == OK, (r, r and r.error())
        return r


# Procedure numbers used by raw tests.
PROC_CONNECT_OPEN = 1
PROC_CONNECT_CLOSE = 2
PROC_CONNECT_GET_TYPE = 3
PROC_DOMAIN_ATTACH_DEVICE = 8
PROC_DOMAIN_LOOKUP_BY_NAME = 23
PROC_DOMAIN_SUSPEND = 34
PROC_CONNECT_SUPPORTS_FEATURE = 60
PROC_AUTH_LIST = 66
PROC_DOMAIN_EVENT_LIFECYCLE = 107
PROC_CONNECT_GET_LIB_VERSION = 157
PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY = 167
PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY = 168
PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = 316
PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318
