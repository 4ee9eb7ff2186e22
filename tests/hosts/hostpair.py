"""Two virtkitd hosts on one machine, each in its own network namespace.

    HostPair(virtkitd).up()   two namespaces joined by a veth pair, one
                              address each (10.R.S.1 and 10.R.S.2/24), one
                              virtkitd per namespace with its own --root,
                              host_uuid and plain TCP on its address
    pair.down()               kills the daemons by PID, deletes the
                              namespaces (which removes the veth pair)

The daemons are reachable from the calling namespace through their unix
sockets (pair.a.uri(), pair.b.uri()); between themselves only over the veth
link (pair.tcp_uri(pair.b) from inside A): migration data and peer-to-peer
connections cross a real network boundary.  Needs root (ip netns); the
tests skip without it.

HostPair(loopback=True) is the fallback where namespaces cannot be made
(not root): both daemons in the calling namespace on 127.0.0.1, each on
its own port; everything but cutting the link works the same.

Command line (tests/hosts/hostpair.sh wraps it):
    hostpair.py up STATEDIR      sets a pair up, records it in STATEDIR/state
    hostpair.py down STATEDIR    tears the recorded pair down
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

TCP_PORT = 16509


def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), check=check, capture_output=True, text=True)


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def available():
    """(True, "") when namespaces can be made here, else (False, reason)."""
    if os.geteuid() != 0:
        return False, "network namespaces need root"
    if not shutil.which("ip"):
        return False, "ip (iproute2) is not installed"
    name = "vkprobe%d" % os.getpid()
    r = _ip("netns", "add", name, check=False)
    if r.returncode != 0:
        return False, "cannot create a network namespace: %s" % r.stderr.strip()
    _ip("netns", "del", name, check=False)
    return True, ""


class Host:
    """One virtkitd in one namespace."""

    def __init__(self, netns, addr, root, host_uuid, binary, port=TCP_PORT, extra_conf=""):
        self.netns = netns
        self.extra_conf = extra_conf  # more virtkitd.conf lines (e.g. logging)          # None: the calling namespace
        self.addr = addr
        self.port = port
        self.root = root
        self.host_uuid = host_uuid
        self.binary = binary
        self.sock = os.path.join(root, "run", "virtkit", "virtkit-sock")
        self.logfile = os.path.join(root, "virtkitd.log")
        self.pid = None
        self.proc = None
        self.exit_status = None     # returncode of the last daemon reaped here

    def uri(self, path="/default", driver="test"):
        """URI for a client in the calling namespace (unix socket)."""
        return "%s+unix://%s?socket=%s" % (driver, path, self.sock)

    def tcp_uri(self, path="/default", driver="test"):
        """URI for the other host (plain TCP over the veth link)."""
        return "%s+tcp://%s:%d%s" % (driver, self.addr, self.port, path)

    def start(self, timeout=20):
        conf = os.path.join(self.root, "etc", "virtkit", "virtkitd.conf")
        os.makedirs(os.path.dirname(conf), exist_ok=True)
        with open(conf, "w") as f:
            f.write('listen_tcp = 1\nauth_tcp = "none"\nlisten_addr = "%s"\n'
                    'tcp_port = "%d"\nhost_uuid = "%s"\n'
                    % (self.addr, self.port, self.host_uuid))
            f.write(self.extra_conf)
        log = open(self.logfile, "ab")
        env = dict(os.environ)
        env.pop("LD_PRELOAD", None)
        # ip netns exec execs the daemon: the PID is the daemon's
        argv = [self.binary, "--root", self.root]
        if self.netns:
            argv = ["ip", "netns", "exec", self.netns] + argv
        self.proc = subprocess.Popen(argv,
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, env=env)
        log.close()
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("virtkitd in %s exited with %s:\n%s"
                                   % (self.netns, self.proc.returncode, self.log()))
            if os.path.exists(self.sock):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(self.sock)
                    return
                except OSError:
                    pass
                finally:
                    s.close()
            time.sleep(0.02)
        raise RuntimeError("virtkitd in %s did not listen within %ds" % (self.netns, timeout))

    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def kill(self, sig=signal.SIGKILL, timeout=30):
        """Sends @sig to this host's daemon (by its PID), SIGKILL after
        @timeout seconds, and reaps it."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
            self.exit_status = self.proc.returncode
        else:
            deadline = time.monotonic() + 30
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pid = None
        self.proc = None

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class HostPair:
    def __init__(self, binary=None, statedir=None, loopback=False, extra_conf=""):
        self.extra_conf = extra_conf
        self.binary = binary or os.environ.get("VIRTKITD")
        if not self.binary:
            raise RuntimeError("VIRTKITD is not set")
        self.own_dir = statedir is None
        self.dir = statedir or tempfile.mkdtemp(prefix="vkpair-")
        tag = os.getpid() % 100000
        self.ns = ["vkA%d" % tag, "vkB%d" % tag]
        self.veth = ["vka%d" % tag, "vkb%d" % tag]
        net = "10.%d.%d" % (200 + (tag // 250) % 50, tag % 250)
        self.addrs = [net + ".1", net + ".2"]
        self.loopback = loopback
        if loopback:
            self.ns = [None, None]
            self.addrs = ["127.0.0.1", "127.0.0.1"]
        self.a = None
        self.b = None
        self._netns_made = []

    def up(self):
        try:
            if self.loopback:
                self._start_hosts()
                return self
            for ns in self.ns:
                _ip("netns", "add", ns)
                self._netns_made.append(ns)
                _ip("-n", ns, "link", "set", "lo", "up")
            _ip("link", "add", self.veth[0], "netns", self.ns[0], "type", "veth",
                "peer", "name", self.veth[1], "netns", self.ns[1])
            for ns, dev, addr in zip(self.ns, self.veth, self.addrs):
                _ip("-n", ns, "addr", "add", addr + "/24", "dev", dev)
                _ip("-n", ns, "link", "set", dev, "up")
            self._start_hosts()
        except BaseException:
            self.down()
            raise
        return self

    def _start_hosts(self):
        hosts = []
        for i, (ns, addr) in enumerate(zip(self.ns, self.addrs)):
            root = os.path.join(self.dir, "host" + "ab"[i])
            os.makedirs(root, exist_ok=True)
            port = _free_port() if self.loopback else TCP_PORT
            hosts.append(Host(ns, addr, root, str(uuid.uuid4()), self.binary, port,
                              self.extra_conf))
        self.a, self.b = hosts
        self.a.start()
        self.b.start()
        self.save()

    def hosts(self):
        return [h for h in (self.a, self.b) if h is not None]

    def link(self, up):
        """Cuts (False) or restores (True) the network between the hosts."""
        if self.loopback:
            raise RuntimeError("a loopback pair has no link to cut")
        _ip("-n", self.ns[0], "link", "set", self.veth[0], "up" if up else "down")

    def save(self):
        state = {"ns": self.ns, "dir": self.dir,
                 "hosts": [{"netns": h.netns, "addr": h.addr, "root": h.root,
                            "uuid": h.host_uuid, "pid": h.pid, "port": h.port}
                           for h in self.hosts()]}
        with open(os.path.join(self.dir, "state"), "w") as f:
            json.dump(state, f)

    @classmethod
    def load(cls, statedir):
        with open(os.path.join(statedir, "state")) as f:
            state = json.load(f)
        pair = cls(binary="virtkitd", statedir=statedir)
        pair.ns = state["ns"]
        pair._netns_made = [ns for ns in state["ns"] if ns]
        hosts = []
        for h in state["hosts"]:
            host = Host(h["netns"], h["addr"], h["root"], h["uuid"], "virtkitd",
                        h.get("port", TCP_PORT))
            host.pid = h["pid"]
            hosts.append(host)
        pair.a, pair.b = (hosts + [None, None])[:2]
        return pair

    def guest_pids(self):
        """PIDs of QEMU processes started under this pair's directory."""
        found = []
        key = self.dir.encode()
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and b"qemu-system" in os.path.basename(argv[0]) and \
                    any(key in a for a in argv):
                found.append(int(d))
        return found

    def down(self):
        # SIGTERM first: a daemon that exits cleanly runs its leak checks
        for h in self.hosts():
            h.kill(signal.SIGTERM, timeout=10)
        # guests outlive their daemon by design: whatever a test left
        # running (it failed, or was stopped half-way) goes with the pair
        for pid in self.guest_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for ns in self._netns_made:
            _ip("netns", "del", ns, check=False)
        self._netns_made = []
        if self.own_dir and os.environ.get("VKD_KEEP_ROOT") is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.up()

    def __exit__(self, *exc):
        self.down()
        return False


def main(argv):
    loopback = "--loopback" in argv
    argv = [a for a in argv if a != "--loopback"]
    if len(argv) != 3 or argv[1] not in ("up", "down"):
        sys.stderr.write("usage: hostpair.py up|down [--loopback] STATEDIR\n")
        return 2
    statedir = os.path.abspath(argv[2])
    if argv[1] == "up":
        os.makedirs(statedir, exist_ok=True)
        pair = HostPair(statedir=statedir, loopback=loopback).up()
        # the daemons outlive this process: detach them
        for h in pair.hosts():
            h.proc = None
        for h, name in ((pair.a, "A"), (pair.b, "B")):
            print("host %s: netns %s address %s pid %d\n  local URI: %s\n  from the peer: %s"
                  % (name, h.netns, h.addr, h.pid, h.uri(), h.tcp_uri()))
        return 0
    HostPair.load(statedir).down()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
