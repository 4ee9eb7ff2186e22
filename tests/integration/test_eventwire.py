#!/usr/bin/python3
"""The domain event messages on the wire, decoded by Debian's virsh and by ours.

A proxy sits between a client and virtkitd.  It watches the client's
CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY calls and their replies (event
ID -> callback ID), and once the client has registered for every event it
injects one hand-encoded message of each type below (libvirt's procedure
numbers and layouts, encoded here independently of our C code).  Debian's
virsh and our `virtkit event --all --loop` run through the proxy: each must
print one line per message, and virtkit's output must equal virsh's byte
for byte (virsh's texts are the golden data).
"""

import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

VIRTKIT = os.environ.get("VIRTKIT_CLI") or os.path.join(
    os.path.dirname(os.path.dirname(os.environ.get("VIRTKITD", "/x/x"))), "tools", "virtkit")

PROC_REGISTER = 316
UUID = bytes.fromhex("6695eb01f6a4830479aa97f2502e193f")  # the test driver's 'test'
DOM = t.xdr_string("test") + UUID + t.xdr_int(1)


def uhyper(v):
    return struct.pack(">Q", v)


# (event ID, procedure, payload after the callback ID, expected text start)
# Older events: callbackID, [reason,] then the legacy message; newer: flat.
EVENTS = [
    (2, 320, DOM + t.xdr_hyper(-3600), "event 'rtc-change'"),
    (3, 321, DOM + t.xdr_int(2), "event 'watchdog'"),
    (4, 322, DOM + t.xdr_string("/img/a.qcow2") + t.xdr_string("virtio-disk0") + t.xdr_int(1),
     "event 'io-error'"),
    (5, 323, DOM + t.xdr_int(0) + t.xdr_int(0) + t.xdr_string("127.0.0.1") + t.xdr_string("5900")
     + t.xdr_int(1) + t.xdr_string("::1") + t.xdr_string("41234") + t.xdr_string("vnc")
     + t.xdr_uint(2) + t.xdr_string("x509dname") + t.xdr_string("CN=client")
     + t.xdr_string("saslUsername") + t.xdr_string("fred"), "event 'graphics'"),
    (6, 324, DOM + t.xdr_string("/img/b.qcow2") + t.xdr_string("virtio-disk1") + t.xdr_int(2)
     + t.xdr_string("enospc"), "event 'io-error'"),
    (7, 325, DOM, "event 'control-error'"),
    (8, 326, DOM + t.xdr_string("/img/c.qcow2") + t.xdr_int(2) + t.xdr_int(3),
     "event 'block-job'"),
    (9, 327, DOM + t.xdr_opt_string("/old.iso") + t.xdr_opt_string(None)
     + t.xdr_string("ide0-1-0") + t.xdr_int(1), "event 'disk-change'"),
    (10, 328, DOM + t.xdr_string("sata0-0-1") + t.xdr_int(0), "event 'tray-change'"),
    (11, 329, t.xdr_int(0) + DOM, "event 'pm-wakeup'"),
    (12, 330, t.xdr_int(0) + DOM, "event 'pm-suspend'"),
    (13, 331, DOM + uhyper(524288), "event 'balloon-change'"),
    (14, 332, t.xdr_int(0) + DOM, "event 'pm-suspend-disk'"),
    (15, 333, DOM + t.xdr_string("net1"), "event 'device-removed'"),
    (16, 339, DOM + t.xdr_string("vda") + t.xdr_int(3) + t.xdr_int(0), "event 'block-job-2'"),
    (17, 346, DOM + t.xdr_uint(1) + t.xdr_string("cputune.vcpu_quota") + t.xdr_int(3)
     + t.xdr_hyper(1000), "event 'tunable'"),
    (18, 348, DOM + t.xdr_int(1) + t.xdr_int(2), "event 'agent-lifecycle'"),
    (19, 354, DOM + t.xdr_string("hostdev0"), "event 'device-added'"),
    (22, 367, DOM + t.xdr_string("dimm1"), "event 'device-removal-failed'"),
    (23, 379, DOM + t.xdr_int(2) + t.xdr_opt_string("http://example.org/ns"),
     "event 'metadata-change'"),
    (24, 385, DOM + t.xdr_string("vda[1]") + t.xdr_opt_string("/img/d.qcow2")
     + uhyper(1 << 30) + uhyper(4096), "event 'block-threshold'"),
    (25, 423, DOM + t.xdr_int(1) + t.xdr_int(2) + t.xdr_uint(3), "event 'memory-failure'"),
    (26, 438, DOM + t.xdr_string("virtiomem0") + uhyper(2097152),
     "event 'memory-device-size-change'"),
]


def frames(buf):
    """Splits complete packets off @buf; returns (packets, rest)."""
    out = []
    while len(buf) >= 4:
        n = struct.unpack(">I", buf[:4])[0]
        if n < 28 or len(buf) < n:
            break
        out.append(buf[:n])
        buf = buf[n:]
    return out, buf


def header(pkt):
    return struct.unpack(">IIiiIi", pkt[4:28])


class Proxy(threading.Thread):
    def __init__(self, path, target, inject=True):
        super().__init__(daemon=True)
        self.inject = inject
        self.messages = []  # daemon -> client MESSAGE packets of REMOTE_PROGRAM
        self.ids = {}       # eventID -> callbackID
        self.lsock = socket.socket(socket.AF_UNIX)
        self.lsock.bind(path)
        self.lsock.listen(1)
        self.target = target
        self.injected = False

    def run(self):
        c, _ = self.lsock.accept()
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.target)
        up, down = b"", b""
        pending = {}  # serial -> eventID
        ids = self.ids
        wanted = {e[0] for e in EVENTS}
        ready_at = None
        try:
            while True:
                r, _, _ = select.select([c, s], [], [], 0.1)
                for sock in r:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is c:
                        up += data
                        pkts, up = frames(up)
                        for p in pkts:
                            prog, vers, proc, typ, serial, status = header(p)
                            if proc == PROC_REGISTER and typ == t.CALL:
                                pending[serial] = struct.unpack(">i", p[28:32])[0]
                            s.sendall(p)
                    else:
                        down += data
                        pkts, down = frames(down)
                        for p in pkts:
                            prog, vers, proc, typ, serial, status = header(p)
                            c.sendall(p)
                            if typ == t.MESSAGE and prog == t.REMOTE_PROGRAM:
                                self.messages.append(p)
                            if proc == PROC_REGISTER and typ == t.REPLY and status == t.OK \
                                    and serial in pending:
                                ids[pending.pop(serial)] = struct.unpack(">i", p[28:32])[0]
                        if ready_at is None and wanted <= set(ids):
                            ready_at = time.monotonic()
                # The client learns a callback's remote ID only after the
                # register call has returned to its caller: an event sent
                # right behind the reply can beat that (a client may then
                # drop it, as libvirt's does).  This test is about decoding,
                # not that race: the proxy waits 0.5 s.
                if self.inject and not self.injected and ready_at is not None \
                        and time.monotonic() - ready_at >= 0.5:
                    self.injected = True
                    for evid, proc, payload, _ in EVENTS:
                        c.sendall(t.packet(t.REMOTE_PROGRAM, 1, proc, t.MESSAGE, 1,
                                           t.OK, t.xdr_int(ids[evid]) + payload))
        except OSError:
            return
        finally:
            c.close()
            s.close()


def run_client(d, cmd, n):
    path = os.path.join(d.root, "proxy-%d.sock" % n)
    proxy = Proxy(path, d.sock)
    proxy.start()
    uri = "test+unix:///default?socket=" + path
    # the messages go out only once all 26 registrations are answered: on a
    # loaded machine that can take seconds, so the listener waits 8 s
    p = subprocess.run(cmd + ["-c", uri, "event", "--all", "--loop", "--timeout", "8"],
                       capture_output=True, text=True, timeout=60, env=t.client_env())
    return p, proxy.injected


def main():
    t.need_virsh()
    with t.Daemon() as d:
        p, injected = run_client(d, ["virsh"], 1)
        t.check(injected, "virsh registered for every event; messages injected")
        for _, proc, _, text in EVENTS:
            t.check(text in p.stdout, "virsh decodes procedure %d (%s)" % (proc, text),
                    p.stdout + p.stderr)
        t.check("events received: %d" % len(EVENTS) in p.stdout, "virsh counted them all",
                p.stdout)
        if not os.path.exists(VIRTKIT):
            t.log("no %s, our CLI not checked" % VIRTKIT)
        else:
            q, injected = run_client(d, [VIRTKIT], 2)
            t.check(injected, "virtkit registered for every event; messages injected")
            t.check_eq(q.stdout, p.stdout, "virtkit's event output equals virsh's")
            t.check_eq((q.returncode, q.stderr), (p.returncode, p.stderr),
                       "same exit status and stderr")

        # Live: the test driver emits METADATA_CHANGE (as libvirt's does);
        # the daemon encodes it, virsh and virtkit listeners print it alike.
        # virsh listens through a recording proxy: the daemon's bytes must be
        # exactly libvirt's layout, as encoded independently here.
        recorder = Proxy(os.path.join(d.root, "proxy-rec.sock"), d.sock, inject=False)
        recorder.start()
        listeners = []
        for cmd, uri in ((["virsh"], "test+unix:///default?socket=" +
                          os.path.join(d.root, "proxy-rec.sock")),
                         ([VIRTKIT] if os.path.exists(VIRTKIT) else [], d.uri())):
            if cmd:
                listeners.append(subprocess.Popen(
                    cmd + ["-c", uri, "event", "--event", "metadata-change", "--loop",
                           "--timeout", "6"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    env=t.client_env()))
        time.sleep(1.5)
        rc1 = t.virsh(d.uri(), "desc", "test", "--live", "hello")[0]
        rc2 = t.virsh(d.uri(), "metadata", "test", "http://example.org/vk", "--key", "vk",
                      "--set", "<vk/>", "--live")[0]
        t.check(rc1 == 0 and rc2 == 0, "virsh desc / metadata --set succeed")
        outs = [p.communicate(timeout=30)[0] for p in listeners]
        want = ("event 'metadata-change' for domain 'test': type description, uri <null>\n"
                "event 'metadata-change' for domain 'test': type element, "
                "uri http://example.org/vk\n")
        t.check(outs[0].startswith(want), "virsh receives both METADATA_CHANGE events", outs[0])
        if len(outs) > 1:
            t.check_eq(outs[1], outs[0], "virtkit prints the same live events as virsh")
        cbid = recorder.ids.get(23)
        want_pkts = [t.packet(t.REMOTE_PROGRAM, 1, 379, t.MESSAGE, 1, t.OK,
                              t.xdr_int(cbid if cbid is not None else -1) + DOM + body)
                     for body in (t.xdr_int(0) + t.xdr_opt_string(None),
                                  t.xdr_int(2) + t.xdr_opt_string("http://example.org/vk"))]
        got_pkts = [m for m in recorder.messages if header(m)[2] == 379]
        t.check_eq([m.hex() for m in got_pkts], [m.hex() for m in want_pkts],
                   "the daemon's METADATA_CHANGE messages are byte for byte libvirt's layout")

        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
