"""virDomainOpenConsole through virtkitd with a real QEMU guest (issues 4, 5).

The test guest prints HEARTBEAT lines on its serial port, a pty here:
- python3-libvirt reads them through virDomainOpenConsole (non-blocking
  stream, as virsh uses it);
- a second open fails as libvirt's ("Active console session exists for
  this domain", VIR_ERR_OPERATION_FAILED) unless forced; forcing ends the
  first session (its reader sees the end of the data);
- a client killed while it holds the console releases it (a plain open
  works again) and the daemon keeps serving;
- Debian's virsh console and our CLI's console in a pty: the same header
  lines, heartbeats on the terminal, ^] (or -e's character) leaves with
  status 0;
- a console nobody reads for a while: the daemon's memory stays put, other
  clients are served, and reading resumes with consecutive heartbeats
  (nothing lost in the daemon, nothing buffered without bound).
"""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import vkdtest as t
import test_qemu as q

OPERATION_FAILED = 9


def console_guest_xml(root, name, heartbeat_ms=20):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>heartbeat_ms=%d</cmdline></os>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
""" % (name, os.environ["VKGUEST"], heartbeat_ms)


def read_until(libvirt, st, pattern, timeout=20):
    """Reads the non-blocking stream until @pattern matches; returns the text."""
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = st.recv(4096)
        except libvirt.libvirtError as e:
            return buf.decode(errors="replace") + "\n[error: %s]" % e
        if data == -2:
            time.sleep(0.01)
            continue
        if not data:
            return buf.decode(errors="replace") + "\n[EOF]"
        buf += data
        if re.search(pattern, buf.decode(errors="replace")):
            break
    return buf.decode(errors="replace")


def heartbeats(text):
    return [int(n) for n in re.findall(r"HEARTBEAT (\d+) ", text)]


def run_in_pty(argv, send_after, keys, timeout=30):
    """Runs @argv on a pty; once @send_after matches, types @keys.  Returns (status, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        env = t.client_env()
        os.execvpe(argv[0], argv, env)
    out = b""
    sent = False
    deadline = time.monotonic() + timeout
    status = None
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    break
                out += data
            if not sent and re.search(send_after, out.decode(errors="replace")):
                os.write(fd, keys)
                sent = True
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid:
                status = st
                pid = 0
                # drain what is left
                while True:
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if not r:
                        break
                    try:
                        data = os.read(fd, 4096)
                    except OSError:
                        break
                    if not data:
                        break
                    out += data
                break
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    return code, out.decode(errors="replace")


HOLDER = r"""
import sys, time, libvirt
conn = libvirt.open(sys.argv[1])
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
conn.lookupByName(sys.argv[2]).openConsole(None, st, 0)
print("open", flush=True)
time.sleep(60)
"""


def test_python(d, libvirt, uri, name):
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName(name)
        st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        dom.openConsole(None, st, 0)
        # What the pty kept from before may have gaps (QEMU drops output
        # nobody reads): the check starts after the first heartbeat.
        read_until(libvirt, st, r"HEARTBEAT \d+ .*\n")
        text = read_until(libvirt, st, r"(HEARTBEAT \d+ .*\n){5}")
        beats = heartbeats(text)
        t.check(len(beats) >= 2 and beats == list(range(beats[0], beats[0] + len(beats))),
                "python: consecutive heartbeats through the console", text[-300:])
        t.check(st.send(b"\r") == 1, "python: sending to the console")

        st2 = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        try:
            dom.openConsole(None, st2, 0)
            t.check(False, "second open without FORCE must fail")
        except libvirt.libvirtError as e:
            t.check_eq((e.get_error_code(), e.get_error_message()),
                       (OPERATION_FAILED,
                        "operation failed: Active console session exists for this domain"),
                       "second open: libvirt's error")
        try:
            dom.openConsole("serial7", st2, 0)
            t.check(False, "unknown device must fail")
        except libvirt.libvirtError as e:
            t.check_eq(e.get_error_message(),
                       "internal error: cannot find character device serial7",
                       "unknown device: libvirt's error")
        dom.openConsole("serial0", st2, libvirt.VIR_DOMAIN_CONSOLE_FORCE |
                        libvirt.VIR_DOMAIN_CONSOLE_SAFE)
        text2 = read_until(libvirt, st2, r"HEARTBEAT \d+ ")
        t.check("HEARTBEAT" in text2, "forced open reads the console", text2[-200:])
        rest = read_until(libvirt, st, r"\[EOF\]", timeout=10)
        t.check(rest.endswith("[EOF]"), "the forced-off session sees the end of the data",
                rest[-200:])
        st.abort()
        st2.finish()
    finally:
        conn.close()

    # A client killed while it holds the console releases it.
    p = subprocess.Popen([sys.executable, "-c", HOLDER, uri, name], stdout=subprocess.PIPE,
                         env=t.client_env(), text=True)
    try:
        line = p.stdout.readline()
        t.check_eq(line.strip(), "open", "holder process opened the console")
    finally:
        p.kill()
        p.wait()
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName(name)
        ok = False
        deadline = time.monotonic() + 10
        while not ok and time.monotonic() < deadline:
            st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
            try:
                dom.openConsole(None, st, 0)
                ok = True
            except libvirt.libvirtError:
                time.sleep(0.05)
        t.check(ok, "console free again after its client was killed")
        if ok:
            t.check("HEARTBEAT" in read_until(libvirt, st, r"HEARTBEAT \d+ "),
                    "and it reads heartbeats")
            st.finish()
    finally:
        conn.close()


def test_slow_reader(d, libvirt, uri, name):
    conn = libvirt.open(uri)
    try:
        dom = conn.lookupByName(name)
        st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        dom.openConsole(None, st, 0)
        first = heartbeats(read_until(libvirt, st, r"HEARTBEAT \d+ .*\n"))
        rss0 = q_rss(d.proc.pid)
        # Nobody reads for 3 s while another client keeps calling.
        other = libvirt.open(uri)
        start = time.monotonic()
        calls = 0
        while time.monotonic() - start < 3:
            other.lookupByName(name).info()
            calls += 1
        other.close()
        t.check(calls > 10, "other client served while the console is not read (%d calls)"
                % calls)
        grow = q_rss(d.proc.pid) - rss0
        if q_asan(d.proc.pid):
            # ASan's quarantine keeps what the other client's calls freed.
            t.log("ASan build: daemon memory +%d KiB not checked" % grow)
        else:
            t.check(grow < 8 * 1024, "daemon memory while nobody reads: +%d KiB" % grow)
        # The pty holds a few KiB the daemon did not take; QEMU drops what
        # does not fit while nobody reads.  Past that, the flow is continuous.
        text = read_until(libvirt, st, r"(HEARTBEAT \d+ .*\n){200}", timeout=20)
        beats = heartbeats(text)[-20:]
        t.check(len(beats) >= 20 and beats == list(range(beats[0], beats[0] + len(beats))),
                "reading resumes with consecutive heartbeats", text[-300:])
        t.check(bool(first) and beats and beats[0] > first[0], "and continues after %s" %
                (first[:1],))
        st.abort()
    finally:
        conn.close()


PROC_DOMAIN_OPEN_CONSOLE = 201


def test_fast_writer(d, libvirt, uri, name):
    """A client pours data into a console whose guest never reads input.

    QEMU stops taking input, the pty fills, the daemon's writes would block:
    the client's packets then wait in the daemon, counted against
    max_client_requests, and the daemon stops reading that client.  The
    client finds its socket full after a few MiB; the daemon's memory stays
    put and other clients are served.  Closing the client frees the console.
    """
    import threading
    raw = t.RawClient(d.sock, timeout=30)
    raw.open(uri="qemu:///system")
    r = raw.call(t.PROC_DOMAIN_LOOKUP_BY_NAME, t.xdr_string(name))
    dname, uuid, did = r.reader().domain()
    dom = t.xdr_string(dname) + uuid + t.xdr_int(did)
    serial = raw.send_call(PROC_DOMAIN_OPEN_CONSOLE, dom + t.xdr_opt_string(None) + t.xdr_uint(0))
    r = raw.recv_reply(serial)
    t.check(r is not None and r.status == t.OK, "raw client opens the console",
            r and r.error())
    rss0 = q_rss(d.proc.pid)
    chunk = t.packet(t.REMOTE_PROGRAM, 1, PROC_DOMAIN_OPEN_CONSOLE, t.STREAM, serial, t.CONTINUE,
                     b"x" * 262120)
    sent = [0]
    limit = 64 * 1024 * 1024

    def pour():
        raw.sock.settimeout(None)
        try:
            while sent[0] < limit:
                raw.sock.sendall(chunk)
                sent[0] += len(chunk)
        except OSError:
            pass

    th = threading.Thread(target=pour, daemon=True)
    th.start()
    # Wait until the sender stalls (no progress for a second).
    last = -1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sent[0] != last and sent[0] < limit:
        last = sent[0]
        time.sleep(1)
    t.check(sent[0] < 16 * 1024 * 1024,
            "the daemon stops taking data it cannot pass on (%d KiB sent)" % (sent[0] // 1024))
    grow = q_rss(d.proc.pid) - rss0
    if q_asan(d.proc.pid):
        t.log("ASan build: daemon memory +%d KiB not checked" % grow)
    else:
        t.check(grow < 16 * 1024,
                "daemon memory while the console's input is full: +%d KiB" % grow)
    other = libvirt.open(uri)
    try:
        t.check_eq(other.lookupByName(name).info()[0], 1, "other clients are served meanwhile")
    finally:
        other.close()
    # shutdown() first: close() alone would wait for the blocked sendall.
    import socket
    raw.sock.shutdown(socket.SHUT_RDWR)
    raw.close()
    th.join(10)
    conn = libvirt.open(uri)
    try:
        ok = False
        deadline = time.monotonic() + 10
        while not ok and time.monotonic() < deadline:
            st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
            try:
                conn.lookupByName(name).openConsole(None, st, 0)
                ok = True
                st.abort()
            except libvirt.libvirtError:
                time.sleep(0.05)
        t.check(ok, "the console is free once the flooding client is gone")
    finally:
        conn.close()


def q_asan(pid):
    """ASan keeps freed memory in quarantine: memory is not measured there."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def q_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_terminals(d, uri, name):
    header = ("Connected to domain '%s'\r\nEscape character is ^] (Ctrl + ])\r\n" % name)
    code, out = run_in_pty(["virsh", "-c", uri, "console", name], r"HEARTBEAT \d+ ", b"\x1d")
    # (virsh may first print a polkit notice when it runs as root.)
    t.check(code == 0 and header in out and "HEARTBEAT" in out,
            "virsh console: header, heartbeats, ^] leaves", "status %s\n%r" % (code, out[-400:]))
    vk = os.environ.get("VIRTKIT")
    if not vk:
        return
    code2, out2 = run_in_pty([vk, "-c", uri, "console", name], r"HEARTBEAT \d+ ", b"\x1d")
    t.check(code2 == 0 and out2.startswith(header) and "HEARTBEAT" in out2,
            "virtkit console: virsh's header, heartbeats, ^] leaves",
            "status %s\n%r" % (code2, out2[-400:]))
    # Both end the session with a newline of their own (what precedes it is
    # whatever the guest printed last, so not compared).
    t.check(out.endswith("\r\n") and out2.endswith("\r\n"), "console ends with a newline",
            "%r\n%r" % (out[-40:], out2[-40:]))
    code3, out3 = run_in_pty([vk, "-e", "^Q", "-c", uri, "console", name, "--force"],
                             r"HEARTBEAT \d+ ", b"\x11")
    t.check(code3 == 0 and "Escape character is ^Q (Ctrl + Q)\r\n" in out3,
            "virtkit -e ^Q console --force", "status %s\n%r" % (code3, out3[-400:]))


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not os.access(q.QEMU, os.X_OK):
        t.skip("%s is not installed" % q.QEMU)
    if not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("the test guest (VKGUEST) is not built")
    import libvirt
    import threading
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    # As virsh: non-blocking streams move data through the event loop.
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                     daemon=True).start()

    d = t.Daemon()
    name = "vkcons"
    try:
        uri = d.uri(driver="qemu", path="/system")
        xml = os.path.join(d.root, name + ".xml")
        with open(xml, "w") as f:
            f.write(console_guest_xml(d.root, name))
        rc, out, err = t.virsh(uri, "create", xml)
        t.check(rc == 0, "guest with a pty serial console starts", err)
        q.qemu_pid(d, name)
        test_python(d, libvirt, uri, name)
        test_terminals(d, uri, name)
        test_slow_reader(d, libvirt, uri, name)
        test_fast_writer(d, libvirt, uri, name)
        rc, out, err = t.virsh(uri, "destroy", name)
        t.check(rc == 0, "guest destroyed", err)
        t.check(d.alive(), "daemon alive")
    except BaseException:
        t.log("daemon log:\n" + d.log()[-3000:])
        raise
    finally:
        q.kill_qemus()
        d.kill()


if __name__ == "__main__":
    t.run(main, timeout=150)
