#!/usr/bin/python3
"""Keepalive: PING/PONG both ways, dead peers closed, settings from the config.

With keepalive_interval = 1 and keepalive_count = 2, a client that asked
for keepalive (CONNECT_SUPPORTS_FEATURE 10) and then stays silent gets two
PINGs, one per silent second, and is closed after interval * (count + 1)
= 3 s of silence, as libvirtd.conf describes these settings.  A client
that answers stays; one that never asked is never pinged; the daemon
answers a client's PINGs (python-libvirt with setKeepAlive stays alive).
"""

import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

VIRTKIT = os.environ.get("VIRTKIT_CLI") or os.path.join(
    os.path.dirname(os.path.dirname(os.environ.get("VIRTKITD", "/x/x"))), "tools", "virtkit")

CONFIG = """# keepalive test
keepalive_interval = 1
keepalive_count = 2
"""


def ask_keepalive(c):
    r = c.call(t.PROC_AUTH_LIST)
    r = c.call(t.PROC_CONNECT_SUPPORTS_FEATURE, t.xdr_int(10))
    ok = r is not None and r.status == t.OK and r.reader().int() == 1
    r = c.call(t.PROC_CONNECT_OPEN, t.xdr_opt_string("test:///default") + t.xdr_uint(0))
    return ok and r.status == t.OK


def silent_client(d, out):
    """Asks for keepalive, then never answers: counts PINGs until closed."""
    c = t.RawClient(d.sock, timeout=15)
    out["asked"] = ask_keepalive(c)
    start = time.monotonic()
    pings = []
    while True:
        try:
            p = c.recv_packet(timeout=15)
        except OSError:
            p = None
        if p is None:
            break
        if p.prog == t.KEEPALIVE_PROGRAM and p.proc == 1:
            pings.append(time.monotonic() - start)
    out["pings"] = pings
    out["closed_after"] = time.monotonic() - start
    c.close()


def answering_client(d, out, duration):
    """Asks for keepalive and answers every PING (RawClient does that)."""
    c = t.RawClient(d.sock)
    out["asked"] = ask_keepalive(c)
    end = time.monotonic() + duration
    pings = 0
    while time.monotonic() < end:
        try:
            p = c.recv_packet(timeout=max(0.05, end - time.monotonic()))
        except (TimeoutError, OSError):
            continue
        if p is None:
            out["eof"] = True
            break
        if p.prog == t.KEEPALIVE_PROGRAM and p.proc == 1:
            pings += 1
            c.send(t.packet(t.KEEPALIVE_PROGRAM, 1, 2, t.MESSAGE, 0))
    r = c.call(t.PROC_CONNECT_GET_LIB_VERSION)
    out["pings"] = pings
    out["alive"] = r is not None and r.status == t.OK
    c.close()


def quiet_client(d, out, duration):
    """Never asks for keepalive and stays silent: must not be pinged or closed."""
    c = t.RawClient(d.sock)
    c.open()
    end = time.monotonic() + duration
    packets = 0
    while time.monotonic() < end:
        try:
            p = c.recv_packet(timeout=max(0.05, end - time.monotonic()))
        except (TimeoutError, OSError):
            continue
        if p is None:
            out["eof"] = True
            break
        packets += 1
    r = c.call(t.PROC_CONNECT_GET_LIB_VERSION)
    out["packets"] = packets
    out["alive"] = r is not None and r.status == t.OK
    c.close()


def python_client(d, out, duration):
    try:
        import libvirt
    except ImportError:
        out["skipped"] = True
        return
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    th = threading.Thread(target=loop, daemon=True)
    th.start()
    conn = libvirt.open(d.uri())
    conn.setKeepAlive(1, 1)
    time.sleep(duration)  # idle on purpose: keepalive must keep it open
    out["alive"] = conn.isAlive() == 1 and conn.getLibVersion() == 9000000
    conn.close()
    stop.set()


def main():
    with t.Daemon(config=CONFIG) as d:
        res = {k: {} for k in ("silent", "answering", "quiet", "python")}
        threads = [
            threading.Thread(target=silent_client, args=(d, res["silent"])),
            threading.Thread(target=answering_client, args=(d, res["answering"], 4.5)),
            threading.Thread(target=quiet_client, args=(d, res["quiet"], 4.5)),
            threading.Thread(target=python_client, args=(d, res["python"], 4.5)),
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(30)

        s = res["silent"]
        t.check(s.get("asked"), "the daemon supports keepalive (feature 10 = 1)")
        t.check_eq(len(s.get("pings", [])), 2, "a silent client gets count = 2 PINGs")
        pings = s.get("pings", [])
        t.check(len(pings) == 2 and 0.7 < pings[0] < 2.0 and 1.7 < pings[1] < 3.2,
                "PINGs after 1 s and 2 s of silence", pings)
        closed = s.get("closed_after", 99)
        t.check(2.7 < closed < 5.0, "a silent client is closed after ~3 s", closed)

        a = res["answering"]
        t.check(a.get("asked") and a.get("alive") and not a.get("eof"),
                "a client answering PINGs stays connected", a)
        t.check(a.get("pings", 0) >= 2, "it was pinged while idle", a)

        q = res["quiet"]
        t.check(q.get("alive") and not q.get("eof") and q.get("packets") == 0,
                "a client that did not ask is neither pinged nor closed", q)

        p = res["python"]
        if not p.get("skipped"):
            t.check(p.get("alive"), "python-libvirt with setKeepAlive(1, 1) stays alive", p)

        # -k / -K: Debian's virsh and our CLI set up client keepalive
        # (virConnectSetKeepAlive) and work; the daemon pings every second
        # while `list` runs, and both answer.
        for name, cmd in (("virsh", ["virsh"]), ("virtkit", [VIRTKIT])):
            if name == "virtkit" and not os.path.exists(VIRTKIT):
                t.log("no %s, CLI checks skipped" % VIRTKIT)
                continue
            p = subprocess.run(cmd + ["-k", "1", "-K", "2", "-c", d.uri(), "list", "--all"],
                               capture_output=True, text=True, timeout=30,
                               env=t.client_env())
            t.check(p.returncode == 0 and "test" in p.stdout,
                    "%s -k 1 -K 2 list --all against virtkitd" % name, p)
            p = subprocess.run(cmd + ["-k", "1", "-K", "1", "-c", d.uri(),
                                      "event", "--all", "--loop", "--timeout", "3"],
                               capture_output=True, text=True, timeout=30,
                               env=t.client_env())
            t.check(p.returncode == 1 and p.stdout == "event loop timed out\nevents received: 0\n\n"
                    and p.stderr == "",
                    "%s -k 1 -K 1 idle 3 s in event --loop stays connected" % name, p)
        if os.path.exists(VIRTKIT):
            p = subprocess.run([VIRTKIT, "-k", "1", "-c", "test:///default", "list"],
                               capture_output=True, text=True, timeout=30)
            t.check(p.returncode == 1 and
                    "Cannot setup keepalive on connection as requested" in p.stderr,
                    "virtkit -k 1 on an in-process driver fails as virsh", p)
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")

    # A client with -k 1 -K 1 notices a stopped (SIGSTOP) daemon by itself:
    # `event --loop` ends at once with virsh's messages (ours must match).
    with t.Daemon(config=CONFIG) as d:
        results = {}
        for name, cmd in (("virsh", ["virsh"]), ("virtkit", [VIRTKIT])):
            if name == "virtkit" and not os.path.exists(VIRTKIT):
                continue
            p = subprocess.Popen(cmd + ["-k", "1", "-K", "1", "-c", d.uri(),
                                        "event", "--all", "--loop", "--timeout", "20"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=t.client_env())
            try:
                time.sleep(1.5)
                os.kill(d.proc.pid, signal.SIGSTOP)
                start = time.monotonic()
                out, err = p.communicate(timeout=15)
                took = time.monotonic() - start
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
                took = 99
            finally:
                os.kill(d.proc.pid, signal.SIGCONT)
            results[name] = (p.returncode, out, err)
            t.check(took < 8 and "due to keepalive timeout" in err,
                    "%s -k 1 -K 1 event --loop ends soon after SIGSTOP" % name,
                    "took %.1f s\n%s%s" % (took, out, err))
            time.sleep(1)  # the daemon drops the dead connection
        if "virtkit" in results:
            t.check_eq(results["virtkit"], results["virsh"],
                       "virtkit's disconnect output and status equal virsh's")
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")

    # keepalive_interval = -1: the daemon never pings.
    with t.Daemon(config="keepalive_interval = -1\n") as d:
        c = t.RawClient(d.sock)
        t.check(ask_keepalive(c), "keepalive disabled: feature 10 still answered")
        try:
            p = c.recv_packet(timeout=2.5)
        except (TimeoutError, OSError):
            p = "timeout"
        t.check_eq(p, "timeout", "keepalive disabled: no PING")
        c.close()
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
