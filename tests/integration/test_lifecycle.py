#!/usr/bin/python3
"""virtkitd's life: options, configuration file, sockets, pid file, shutdown.

- --root layout, socket modes and directory from the config, pid file;
- clean SIGTERM/SIGINT shutdown: clients closed after their replies,
  sockets and pid file removed, exit status 0;
- --timeout: exit once idle; --pid-file; --config;
- a second daemon on the same root is refused;
- after a burst of calls the daemon polls only briefly, then sleeps: an
  idle daemon uses no CPU, and still answers at once when woken;
- configuration errors are reported with file and line, and settings
  for features not built yet (listen_tcp, listen_tls) are refused;
- unix_sock_group: a group other than the daemon's own on both sockets;
- prio_workers: with every normal worker held by a slow call, a
  high-priority query (job info, abort job) is answered while a normal
  call queues; with prio_workers = 0 the query waits for a worker;
- max_client_requests: at most that many calls of one client run at once,
  the rest wait unread (its later quick call too) while other clients
  are served; the waiting calls start in their order, one per finished
  call.

A slow call is a peer-to-peer DOMAIN_MIGRATE_PERFORM3_PARAMS of the test
driver's domain whose destination URI points at a unix socket of the test
(Peers below): the daemon's worker connects, sends AUTH_LIST and waits for
a reply that never comes; closing that connection ends the call (with an
error reply).  Each call gets its own socket, so the test sees exactly
which calls are running.
"""

import grp
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402


def run_daemon(args, timeout=20):
    p = subprocess.run([os.environ["VIRTKITD"]] + args, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def test_layout_and_sigterm():
    with t.Daemon() as d:
        t.check(os.path.exists(d.sock) and os.path.exists(d.sock_ro),
                "sockets under ROOT/run/virtkit")
        t.check(stat.S_ISSOCK(os.stat(d.sock).st_mode), "virtkit-sock is a socket")
        with open(d.pidfile) as f:
            t.check_eq(f.read().strip(), str(d.proc.pid), "ROOT/run/virtkitd.pid holds the pid")

        # An idle client, and one with calls in flight when the signal comes.
        idle = t.RawClient(d.sock)
        idle.open()
        busy = t.RawClient(d.sock)
        busy.open()
        busy.send(b"".join(t.packet(t.REMOTE_PROGRAM, 1, t.PROC_CONNECT_GET_LIB_VERSION,
                                    t.CALL, s) for s in range(100, 2100)))
        status = d.terminate(signal.SIGTERM)
        t.check_eq(status, 0, "SIGTERM: exit status 0")
        t.check(idle.at_eof(), "SIGTERM: idle client closed")
        replies = 0
        complete = True
        while True:
            try:
                p = busy.recv_packet(timeout=5)
            except OSError:
                p = None
            if p is None:
                complete = len(busy.buf) == 0
                break
            replies += 1
        t.check(complete, "SIGTERM: busy client got whole replies only (%d)" % replies)
        t.check(not os.path.exists(d.sock) and not os.path.exists(d.sock_ro),
                "SIGTERM: sockets removed")
        t.check(not os.path.exists(d.pidfile), "SIGTERM: pid file removed")
        idle.close()
        busy.close()

    # A client that does not read its replies does not hold the shutdown up.
    with t.Daemon() as d:
        stuck = t.RawClient(d.sock)
        stuck.open()
        stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.send(t.packet(t.REMOTE_PROGRAM, 1, t.PROC_CONNECT_GET_LIB_VERSION, t.CALL, 1) *
                   8000)
        # Wait until the daemon answered something (its queue is filling).
        stuck.sock.settimeout(10)
        stuck.sock.recv(1)
        start = time.monotonic()
        status = d.terminate(signal.SIGTERM)
        took = time.monotonic() - start
        t.check_eq(status, 0, "SIGTERM with a client not reading: exit status 0")
        t.check(took < 8, "SIGTERM with a client not reading: no long wait (%.1f s)" % took)
        stuck.close()

    with t.Daemon() as d:
        t.check_eq(d.terminate(signal.SIGINT), 0, "SIGINT: exit status 0")
        t.check(not os.path.exists(d.sock) and not os.path.exists(d.pidfile),
                "SIGINT: sockets and pid file removed")


def daemon_cpu_seconds(pid):
    """User + system CPU time of all the process's threads (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_idle_sleeps():
    with t.Daemon() as d:
        c = t.RawClient(d.sock)
        c.open()
        ok = 0
        for _ in range(2000):
            r = c.call(t.PROC_CONNECT_GET_LIB_VERSION)
            ok += r is not None and r.status == t.OK
        t.check_eq(ok, 2000, "a burst of small calls is answered")
        # The polling window after work is 50 us; then the loop blocks.
        time.sleep(0.3)
        before = daemon_cpu_seconds(d.proc.pid)
        time.sleep(2)
        used = daemon_cpu_seconds(d.proc.pid) - before
        t.check(used < 0.2, "an idle daemon sleeps (%.2f s of CPU in 2 s)" % used)
        r = c.call(t.PROC_CONNECT_GET_LIB_VERSION)
        t.check(r is not None and r.status == t.OK, "a sleeping daemon answers when woken")
        c.close()


def test_timeout():
    with t.Daemon(args=["--timeout", "1"]) as d:
        c = t.RawClient(d.sock)
        c.open()
        # Connected: the idle timer must not fire.
        time.sleep(1.5)
        r = c.call(t.PROC_CONNECT_GET_LIB_VERSION)
        t.check(r is not None and r.status == t.OK and d.alive(),
                "--timeout: no exit while a client is connected")
        c.close()
        start = time.monotonic()
        try:
            status = d.proc.wait(10)
        except subprocess.TimeoutExpired:
            status = None
        t.check_eq(status, 0, "--timeout 1: exits 0 once idle")
        t.check(time.monotonic() - start < 5, "--timeout 1: soon after the last client left")
        t.check(not os.path.exists(d.sock), "--timeout: sockets removed")


def socket_group(candidates=("adm", "daemon", "users", "nogroup")):
    """A group that is not the daemon's own (root's primary group is 0).

    An existing system group when there is one, else one made for the
    test; returns (grp entry, whether the test created it)."""
    for name in candidates:
        try:
            g = grp.getgrnam(name)
        except KeyError:
            continue
        if g.gr_gid != os.getgid():
            return g, False
    name = "vkdtest%d" % os.getpid()
    subprocess.run(["groupadd", "--system", name], check=True, capture_output=True)
    return grp.getgrnam(name), True


def config_daemon(config, root, sockdir, group):
    """A daemon with the full configuration of test_config()."""
    d = t.Daemon(config=config, root=root, start=False)
    d.sock = os.path.join(sockdir, "virtkit-sock")
    d.sock_ro = d.sock + "-ro"
    with d:
        d.start()
        t.check_eq(oct(os.stat(d.sock).st_mode & 0o777), oct(0o770), "unix_sock_rw_perms")
        t.check_eq(oct(os.stat(d.sock_ro).st_mode & 0o777), oct(0o755), "unix_sock_ro_perms")
        t.check(group.gr_gid != os.getgid(), "unix_sock_group %r is not the daemon's group %d"
                % (group.gr_name, os.getgid()))
        t.check_eq((os.stat(d.sock).st_gid, os.stat(d.sock_ro).st_gid),
                   (group.gr_gid, group.gr_gid),
                   "unix_sock_group %r: gid of both sockets" % group.gr_name)
        t.check("unknown setting 'some_unknown_setting'" in d.log(),
                "unknown settings are reported", d.log())
        # Pipelined calls beyond max_client_requests = 3 are all answered
        # (that only 3 run at once: test_client_request_limit).
        c = t.RawClient(d.sock)
        c.open()
        c.send(b"".join(t.packet(t.REMOTE_PROGRAM, 1, t.PROC_CONNECT_GET_LIB_VERSION,
                                 t.CALL, s) for s in range(50)))
        got = sorted(c.recv_packet(timeout=10).serial for _ in range(50))
        t.check_eq(got, list(range(50)), "max_client_requests = 3: 50 pipelined calls all answered")
        # max_clients = 10: the 11th connection waits until one leaves.
        extra = [t.RawClient(d.sock) for _ in range(9)]
        waiting = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        waiting.connect(d.sock)
        waiting.sendall(t.packet(t.REMOTE_PROGRAM, 1, t.PROC_AUTH_LIST, t.CALL, 0))
        waiting.settimeout(1)
        try:
            early = waiting.recv(100)
        except socket.timeout:
            early = None
        t.check_eq(early, None, "max_clients = 10: the 11th client is not served yet")
        extra[0].close()
        waiting.settimeout(10)
        data = waiting.recv(100)
        t.check(len(data) >= 28, "max_clients: served once another client left")
        waiting.close()
        for x in extra[1:]:
            x.close()
        c.close()
        t.check_eq(d.terminate(), 0, "daemon with a full config exits 0")


def test_config():
    conf = """# a configuration in libvirtd.conf syntax
listen_tls = 0      # not built yet, but off is fine
listen_tcp = 0
tcp_port = "16509"
tls_port = '16514'
unix_sock_dir = "{dir}"
unix_sock_group = "{group}"
unix_sock_rw_perms = "0770"
unix_sock_ro_perms = "0755"
max_clients = 10
max_workers = 4
prio_workers = 2
max_client_requests = 3
keepalive_interval = 10
keepalive_count = 3
log_level = 3
log_outputs = "3:stderr"
log_filters = "1:rpc.nothing"
host_uuid = "a4a5f3e8-2b41-4c5d-9e6f-0123456789ab"
tls_allowed_dn_list = [ "CN=one",
                        "CN=two",   # comments inside lists
                      ]
some_unknown_setting = 1
"""
    root = tempfile.mkdtemp(prefix="vkd-")
    sockdir = os.path.join(root, "elsewhere")
    group, created = socket_group()
    try:
        config_daemon(conf.format(dir=sockdir, group=group.gr_name), root, sockdir, group)
    finally:
        if created:
            subprocess.run(["groupdel", group.gr_name], capture_output=True)
        if os.environ.get("VKD_KEEP_ROOT") is None:
            t.shutil.rmtree(root, ignore_errors=True)

    bad = [
        # plain TCP needs auth_tcp = "none" spelled out (libvirtd's default is sasl)
        ("listen_tcp = 1\n", "listen_tcp", ":1:"),
        # TLS needs its certificates: refused at start, naming the file
        ("listen_tls = 1\n", "cannot read CA certificate", ""),
        ("auth_unix_rw = \"polkit\"\n", "auth_unix_rw", ":1:"),
        ("# ok\nmax_workers = \"many\"\n", "must be a number", ":2:"),
        ("max_workers = 0\n", "out of range", ":1:"),
        ("unix_sock_rw_perms = \"0999\"\n", "octal", ":1:"),
        ("log_level = 7\n", "out of range", ":1:"),
        ("host_uuid = \"not-a-uuid\"\n", "UUID", ":1:"),
        ("tcp_port = \"99999\"\n", "port", ":1:"),
        ("\n\nmax_clients 5\n", "expecting '='", ":3:"),
        ("unix_sock_dir = \"/tmp\n", "unterminated string", ":1:"),
        ("max_clients = 5 6\n", "unexpected text", ":1:"),
        ("x = [ \"a\", [ \"b\" ] ]\n", "lists", ":1:"),
        ("unix_sock_dir = \"relative\"\n", "absolute", ":1:"),
        ("unix_sock_group = \"no-such-group-vkd\"\n", "no-such-group-vkd", ""),
    ]
    for text, needle, line in bad:
        root = tempfile.mkdtemp(prefix="vkd-")
        path = os.path.join(root, "bad.conf")
        with open(path, "w") as f:
            f.write(text)
        rc, out = run_daemon(["--root", root, "--config", path])
        t.check(rc == 1 and needle in out and (line == "" or path + line in out),
                "config %r refused: %s" % (text.strip(), needle), out)
        t.check(not os.path.exists(os.path.join(root, "run", "virtkit", "virtkit-sock")),
                "config %r: no socket left" % text.strip())
        t.shutil.rmtree(root, ignore_errors=True)

    rc, out = run_daemon(["--root", "/tmp", "--config", "/nonexistent/virtkitd.conf"])
    t.check(rc == 1 and "/nonexistent/virtkitd.conf" in out, "--config of a missing file", out)
    rc, out = run_daemon(["--bogus"])
    t.check(rc == 1 and "bogus" in out, "unknown option refused", out)
    rc, out = run_daemon(["--version"])
    t.check(rc == 0 and out.startswith("virtkitd"), "--version", out)


# Procedures of the slow-call tests (remote_protocol.x).
PROC_DOMAIN_GET_INFO = 16
PROC_DOMAIN_GET_JOB_INFO = 163
PROC_DOMAIN_ABORT_JOB = 164
PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS = 305
VIR_MIGRATE_PEER2PEER = 2
VIR_ERR_OPERATION_INVALID = 55


class Peers:
    """Unix sockets standing in for a destination daemon that never answers."""

    def __init__(self, root):
        self.root = root
        self.listeners = {}
        self.conns = {}

    def uri(self, name):
        path = os.path.join(self.root, "peer-%s" % name)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(4)
        self.listeners[name] = s
        return "test+unix:///default?socket=" + path

    def started(self, name, timeout):
        """True once the daemon connected to peer @name (its call runs)."""
        if name in self.conns:
            return True
        s = self.listeners[name]
        s.settimeout(timeout)
        try:
            conn, _ = s.accept()
        except (socket.timeout, TimeoutError, BlockingIOError):
            return False
        self.conns[name] = conn
        return True

    def release(self, name):
        """Ends the call of peer @name: its connection reaches end of file."""
        if name in self.conns:
            self.conns.pop(name).close()
        if name in self.listeners:
            self.listeners.pop(name).close()

    def close(self):
        for name in list(self.listeners) + list(self.conns):
            self.release(name)


def test_domain(c):
    r = c.call(t.PROC_DOMAIN_LOOKUP_BY_NAME, t.xdr_string("test"))
    assert r is not None and r.status == t.OK, r
    name, uuid, ident = r.reader().domain()
    return t.xdr_string(name) + uuid + t.xdr_int(ident)


def send_slow(c, dom, peers, name, serial=None):
    """A peer-to-peer migration to peer @name: runs until the peer is released."""
    payload = (dom + t.xdr_opt_string(peers.uri(name)) + t.xdr_uint(0) + t.xdr_uint(0) +
               t.xdr_uint(VIR_MIGRATE_PEER2PEER))
    return c.send_call(PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS, payload, serial=serial)


def reply_within(c, serial, timeout):
    """The reply to @serial if it comes within @timeout seconds, else None."""
    try:
        return c.recv_reply(serial, timeout=timeout)
    except (socket.timeout, TimeoutError):
        return None


def slow_failed(r):
    """The error reply of a slow call whose peer hung up."""
    return r is not None and r.status == t.ERROR and r.proc == \
        PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS


def test_priority_workers():
    # Two normal workers, both held by slow calls of client A.
    with t.Daemon(config="max_workers = 2\nprio_workers = 1\n") as d:
        peers = Peers(d.root)
        a = t.RawClient(d.sock)
        a.open()
        b = t.RawClient(d.sock)
        b.open()
        dom = test_domain(a)
        try:
            s0 = send_slow(a, dom, peers, "w0")
            s1 = send_slow(a, dom, peers, "w1")
            t.check(peers.started("w0", 10) and peers.started("w1", 10),
                    "prio_workers = 1: two slow calls hold both normal workers")
            # A normal call (a third migration) has no worker to run on.
            s2 = send_slow(b, dom, peers, "w2")
            t.check(not peers.started("w2", 1),
                    "prio_workers = 1: a normal call waits while every worker is busy")
            # High-priority queries (libvirt's: job info, abort job) are answered.
            r = reply_within(b, b.send_call(PROC_DOMAIN_GET_JOB_INFO, dom), 10)
            t.check(r is not None and r.status == t.OK,
                    "prio_workers = 1: DOMAIN_GET_JOB_INFO answered while the workers are busy",
                    repr(r))
            r = reply_within(b, b.send_call(PROC_DOMAIN_ABORT_JOB, dom), 10)
            t.check(r is not None and r.error() is not None and
                    r.error()[0] == VIR_ERR_OPERATION_INVALID,
                    "prio_workers = 1: DOMAIN_ABORT_JOB answered ('no job') while the workers "
                    "are busy", repr(r and r.error()))
            t.check(not peers.started("w2", 0.2), "the normal call still waits")
            # One worker frees: the normal call runs.
            peers.release("w0")
            t.check(slow_failed(reply_within(a, s0, 10)), "the released slow call ends")
            t.check(peers.started("w2", 10), "the normal call runs once a worker is free")
            for name, c, s in (("w1", a, s1), ("w2", b, s2)):
                peers.release(name)
                t.check(slow_failed(reply_within(c, s, 10)), "slow call %s ends" % name)
        finally:
            peers.close()
        a.close()
        b.close()
        t.check_eq(d.terminate(), 0, "prio_workers = 1: exit 0")

    # Without priority workers a query waits for a normal worker like any
    # call; the quick queries still run on the event loop (src/rpc/README.md).
    with t.Daemon(config="max_workers = 2\nprio_workers = 0\n") as d:
        peers = Peers(d.root)
        a = t.RawClient(d.sock)
        a.open()
        b = t.RawClient(d.sock)
        b.open()
        dom = test_domain(a)
        try:
            s0 = send_slow(a, dom, peers, "w0")
            s1 = send_slow(a, dom, peers, "w1")
            t.check(peers.started("w0", 10) and peers.started("w1", 10),
                    "prio_workers = 0: two slow calls hold both workers")
            q = b.send_call(PROC_DOMAIN_GET_JOB_INFO, dom)
            t.check(reply_within(b, q, 1.5) is None,
                    "prio_workers = 0: DOMAIN_GET_JOB_INFO waits while every worker is busy")
            r = b.call(PROC_DOMAIN_GET_INFO, dom)
            t.check(r is not None and r.status == t.OK,
                    "prio_workers = 0: DOMAIN_GET_INFO (inline) is answered meanwhile")
            peers.release("w0")
            t.check(slow_failed(reply_within(a, s0, 10)), "the released slow call ends")
            r = reply_within(b, q, 10)
            t.check(r is not None and r.status == t.OK,
                    "prio_workers = 0: the query is answered once a worker is free")
            peers.release("w1")
            t.check(slow_failed(reply_within(a, s1, 10)), "slow call w1 ends")
        finally:
            peers.close()
        a.close()
        b.close()
        t.check_eq(d.terminate(), 0, "prio_workers = 0: exit 0")


def test_client_request_limit():
    with t.Daemon(config="max_workers = 10\nmax_client_requests = 3\n") as d:
        peers = Peers(d.root)
        a = t.RawClient(d.sock)
        a.open()
        b = t.RawClient(d.sock)
        b.open()
        dom = test_domain(a)
        try:
            # Six slow calls and a quick one, in one write.
            calls = list(range(10, 16))
            payloads = []
            for s in calls:
                payloads.append(dom + t.xdr_opt_string(peers.uri(s)) + t.xdr_uint(0) +
                                t.xdr_uint(0) + t.xdr_uint(VIR_MIGRATE_PEER2PEER))
            quick = 16
            a.send(b"".join(t.packet(t.REMOTE_PROGRAM, 1, PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS,
                                     t.CALL, s, payload=p) for s, p in zip(calls, payloads)) +
                   t.packet(t.REMOTE_PROGRAM, 1, t.PROC_CONNECT_GET_LIB_VERSION, t.CALL, quick))
            t.check(all(peers.started(s, 10) for s in (10, 11, 12)),
                    "max_client_requests = 3: the first three calls run")
            t.check(not any(peers.started(s, 0.5) for s in (13, 14, 15)),
                    "max_client_requests = 3: the fourth to sixth calls do not start")
            t.check(reply_within(a, quick, 0.5) is None,
                    "max_client_requests = 3: the quick call behind them is not read")
            # Other clients are served meanwhile, slow calls included.
            r = b.call(t.PROC_CONNECT_GET_LIB_VERSION)
            t.check(r is not None and r.status == t.OK, "another client is served")
            r = b.call(PROC_DOMAIN_GET_JOB_INFO, dom)
            t.check(r is not None and r.status == t.OK, "another client's worker call is served")
            sb = send_slow(b, dom, peers, "b")
            t.check(peers.started("b", 10), "another client's slow call runs")
            peers.release("b")
            t.check(slow_failed(reply_within(b, sb, 10)), "another client's slow call ends")

            # Each finished call lets exactly the next one in, in order.
            running = {10, 11, 12}
            order = []
            for done, nxt in ((11, 13), (10, 14), (12, 15), (13, quick)):
                peers.release(done)
                running.discard(done)
                r = reply_within(a, done, 10)
                t.check(slow_failed(r), "call %d ends when released" % done, repr(r))
                order.append(done)
                if nxt == quick:
                    r = reply_within(a, quick, 10)
                    t.check(r is not None and r.status == t.OK,
                            "the quick call is answered once a fourth call ended")
                    order.append(quick)
                else:
                    t.check(peers.started(nxt, 10), "call %d starts after %d ended" % (nxt, done))
                    running.add(nxt)
                    later = [s for s in calls if s > nxt]
                    t.check(not any(peers.started(s, 0.3) for s in later),
                            "after call %d ended only call %d started" % (done, nxt))
                    if nxt != 15:
                        t.check(reply_within(a, quick, 0.2) is None,
                                "the quick call still waits (%d calls running)" % len(running))
            for s in (14, 15):
                peers.release(s)
                t.check(slow_failed(reply_within(a, s, 10)), "call %d ends" % s)
                order.append(s)
            t.check_eq(order, [11, 10, 12, 13, quick, 14, 15],
                       "replies in the order the calls ended")
        finally:
            peers.close()
        a.close()
        b.close()
        t.check_eq(d.terminate(), 0, "max_client_requests = 3: exit 0")


def test_pidfile_and_second_daemon():
    with t.Daemon() as d:
        rc, out = run_daemon(["--root", d.root])
        t.check(rc == 1 and "pid file" in out and str(d.proc.pid) in out,
                "a second daemon on the same root is refused", out)
        t.check(os.path.exists(d.sock), "the first daemon's socket is untouched")
        r = t.RawClient(d.sock)
        r.open()
        r.close()
        t.check_eq(d.terminate(), 0, "first daemon exits 0")

    root = tempfile.mkdtemp(prefix="vkd-")
    pid = os.path.join(root, "custom", "vkd.pid")
    with t.Daemon(args=["--pid-file", pid], root=root) as d:
        with open(pid) as f:
            t.check_eq(f.read().strip(), str(d.proc.pid), "--pid-file")
        t.check_eq(d.terminate(), 0, "exit 0")
        t.check(not os.path.exists(pid), "--pid-file removed at exit")
    t.shutil.rmtree(root, ignore_errors=True)

    # A socket file left by a daemon that was killed is replaced.
    with t.Daemon() as d:
        root = d.root
        d.proc.kill()
        d.proc.wait()
        t.check(os.path.exists(d.sock), "SIGKILL leaves the socket file behind")
        d.own_root = False
    with t.Daemon(root=root) as d2:
        c = t.RawClient(d2.sock)
        c.open()
        c.close()
        t.check(True, "a new daemon replaces stale socket and pid files")
        t.check_eq(d2.terminate(), 0, "exit 0")
    t.shutil.rmtree(root, ignore_errors=True)


def main():
    test_layout_and_sigterm()
    test_idle_sleeps()
    test_timeout()
    test_config()
    test_priority_workers()
    test_client_request_limit()
    test_pidfile_and_second_daemon()


t.run(main)
