"""RPC streams through virtkitd with the test driver's screenshot (issue 4).

- Debian's virsh and python3-libvirt receive the screenshot stream: the
  bytes are exactly the test driver's image (src/test/test_screenshot.c);
- a raw client: the call's reply comes before the first data packet, data
  is STREAM/CONTINUE under the call's serial and procedure, the end of data
  an empty CONTINUE, finish (OK) is confirmed with OK, abort (empty ERROR)
  with OK; stream packets for an unknown serial are dropped without an
  answer and without closing the connection, as libvirtd does;
- clients that disconnect in the middle of 50 streams, or open streams and
  never read them: the daemon keeps serving others, and its descriptors
  and memory come back to where they were (no leak);
- our CLI's screenshot prints virsh's text and saves the same bytes.
"""

import os
import re
import subprocess
import time

import vkdtest as t

PROC_DOMAIN_SCREENSHOT = 211
HERE = os.path.dirname(os.path.abspath(__file__))
IMAGE_SRC = os.path.join(HERE, "..", "..", "src", "test", "test_screenshot.c")


def expected_image():
    with open(IMAGE_SRC) as f:
        src = f.read()
    body = src[src.index("{"):src.index("};")]
    return bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", body))


def domain_payload(raw, name="test"):
    r = raw.call(t.PROC_DOMAIN_LOOKUP_BY_NAME, t.xdr_string(name))
    assert r.status == t.OK, r.error()
    rd = r.reader()
    dname, uuid, did = rd.domain()
    return t.xdr_string(dname) + uuid + t.xdr_int(did)


def screenshot_call(raw, dom):
    return raw.send_call(PROC_DOMAIN_SCREENSHOT, dom + t.xdr_uint(0) + t.xdr_uint(0))


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def fd_list(pid):
    out = []
    for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            out.append("%s->%s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
        except OSError:
            pass
    return " ".join(out)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_clients(d, image):
    uri = d.uri()
    path = os.path.join(d.root, "virsh.png")
    rc, out, err = t.virsh(uri, "screenshot", "test", path)
    t.check_eq((rc, out.strip()), (0, "Screenshot saved to %s, with type of image/png" % path),
               "virsh screenshot")
    with open(path, "rb") as f:
        t.check(f.read() == image, "virsh: the image's bytes")

    vk = os.environ.get("VIRTKIT")
    if vk:
        path2 = os.path.join(d.root, "vk.png")
        p = subprocess.run([vk, "-c", uri, "screenshot", "test", path2, "--screen", "0"],
                           capture_output=True, text=True, env=t.client_env(), timeout=30)
        t.check_eq((p.returncode, p.stdout.strip(), p.stderr),
                   (0, "Screenshot saved to %s, with type of image/png" % path2, ""),
                   "virtkit screenshot prints virsh's line")
        with open(path2, "rb") as f:
            t.check(f.read() == image, "virtkit: the image's bytes")
        p = subprocess.run([vk, "-c", uri, "screenshot", "nosuch"], capture_output=True,
                           text=True, env=t.client_env(), timeout=30)
        rc, out, err = t.virsh(uri, "screenshot", "nosuch")
        t.check_eq((p.returncode, p.stderr), (rc, err), "screenshot of a missing domain: as virsh")

    import libvirt
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName("test")
        st = conn.newStream(0)
        mime = dom.screenshot(st, 0, 0)
        chunks = []
        st.recvAll(lambda s, data, acc: acc.append(data) or len(data), chunks)
        st.finish()
        t.check_eq(mime, "image/png", "python: MIME type")
        t.check(b"".join(chunks) == image, "python: the image's bytes",
                "%d bytes" % len(b"".join(chunks)))
        # Abort after the first bytes; the connection goes on.
        st = conn.newStream(0)
        dom.screenshot(st, 0, 0)
        t.check(len(st.recv(10)) == 10, "python: first bytes")
        st.abort()
        t.check(conn.getLibVersion() > 0, "python: connection serves calls after an abort")
    finally:
        conn.close()


def test_wire(d, image):
    raw = t.RawClient(d.sock)
    try:
        raw.open()
        dom = domain_payload(raw)
        serial = screenshot_call(raw, dom)
        p = raw.recv_packet()
        t.check(p.type == t.REPLY and p.serial == serial and p.status == t.OK,
                "reply first", repr(p))
        mime = p.reader().opt_string()
        t.check_eq(mime, "image/png", "reply carries the MIME type")
        data = b""
        shape_ok = True
        while True:
            p = raw.recv_packet()
            if not (p.type == t.STREAM and p.serial == serial and
                    p.proc == PROC_DOMAIN_SCREENSHOT and p.status == t.CONTINUE):
                shape_ok = False
                break
            if not p.payload:
                break
            data += p.payload
        t.check(shape_ok, "data packets: STREAM/CONTINUE with the call's serial and procedure",
                repr(p))
        t.check(data == image, "stream data is the image")
        raw.send(t.packet(t.REMOTE_PROGRAM, 1, PROC_DOMAIN_SCREENSHOT, t.STREAM, serial, t.OK))
        p = raw.recv_packet()
        t.check(p.type == t.STREAM and p.status == t.OK and p.serial == serial and
                not p.payload, "finish confirmed with an empty OK", repr(p))

        # Abort before reading anything.
        serial = screenshot_call(raw, dom)
        p = raw.recv_packet()
        t.check(p.type == t.REPLY and p.status == t.OK, "second stream opens", repr(p))
        raw.send(t.packet(t.REMOTE_PROGRAM, 1, PROC_DOMAIN_SCREENSHOT, t.STREAM, serial,
                          t.ERROR))
        confirm = None
        while True:
            p = raw.recv_packet()
            if p.type == t.STREAM and p.status == t.CONTINUE:
                continue  # data sent before the abort arrived
            confirm = p
            break
        t.check(confirm.type == t.STREAM and confirm.status == t.OK and
                confirm.serial == serial, "abort confirmed with an empty OK", repr(confirm))

        # Late and unknown stream packets: dropped, the connection lives.
        for s in (serial, 4242):
            raw.send(t.packet(t.REMOTE_PROGRAM, 1, PROC_DOMAIN_SCREENSHOT, t.STREAM, s,
                              t.CONTINUE, b"junk"))
        r = raw.call(t.PROC_CONNECT_GET_LIB_VERSION)
        t.check(r is not None and r.status == t.OK and r.type == t.REPLY,
                "unknown stream serials are dropped; the next call is answered", repr(r))
    finally:
        raw.close()


def test_disconnects(d):
    pid = d.proc.pid
    # Warm up the daemon's caches before measuring.
    raw = t.RawClient(d.sock)
    raw.open()
    dom = domain_payload(raw)
    raw.close()
    time.sleep(0.2)
    fds0 = fd_count(pid)
    rss0 = rss_kib(pid)

    # 10 clients x 50 streams, each gone without reading or finishing.
    for i in range(10):
        raw = t.RawClient(d.sock)
        raw.open()
        for _ in range(50):
            screenshot_call(raw, dom)
        if i % 2:
            raw.recv_packet()  # some read a little first
        raw.close()
    # Streams of a client that never reads, while others are served.
    idle = t.RawClient(d.sock)
    idle.open()
    for _ in range(20):
        screenshot_call(idle, dom)
    other = t.RawClient(d.sock)
    other.open()
    start = time.monotonic()
    for _ in range(50):
        r = other.call(t.PROC_CONNECT_GET_LIB_VERSION)
        assert r.status == t.OK
    t.check(time.monotonic() - start < 10, "other clients served beside a non-reading one")
    other.close()
    idle.close()

    def settled():
        return fd_count(pid) <= fds0

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not settled():
        time.sleep(0.05)
    t.check(settled(), "descriptors back to %d after the disconnects" % fds0,
            "now %d: %s" % (fd_count(pid), fd_list(pid)))
    grow = rss_kib(pid) - rss0
    if sanitized(pid):
        # ASan keeps freed memory in quarantine: not a measure of leaks there.
        t.log("ASan build: daemon memory +%d KiB not checked" % grow)
    else:
        t.check(grow < 16 * 1024, "daemon memory after 520 abandoned streams: +%d KiB" % grow)
    t.check(d.alive(), "daemon alive")
    rc, out, err = t.virsh(d.uri(), "screenshot", "test", os.path.join(d.root, "after.png"))
    t.check_eq(rc, 0, "screenshot works after the disconnects")


def main():
    t.need_virsh()
    t.need_libvirt_python()
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    image = expected_image()
    with t.Daemon() as d:
        try:
            test_clients(d, image)
            test_wire(d, image)
            test_disconnects(d)
        except BaseException:
            t.log("daemon log:\n" + d.log()[-3000:])
            raise


if __name__ == "__main__":
    t.run(main, timeout=100)
