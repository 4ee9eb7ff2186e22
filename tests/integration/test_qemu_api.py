"""virtkitd's QEMU driver: domain capabilities, display ports, monitor passthrough.

Against virtkitd --root TMP serving qemu:///system, with real TCG guests
booting tests/guest's vkguest.elf:
- domcapabilities: Debian's virsh, python3-libvirt and our CLI get the same
  <domainCapabilities> document through the daemon, with libvirt's errors;
- display ports (qemu.conf remote_display_port_min/max, a private range):
  autoport VNC guests get different ports, a port another process listens
  on is skipped, the port of a stopped (destroyed or crashed) guest is
  handed out again, the port answers with an RFB banner, the live XML and
  domdisplay (virsh and ours) show it; after kill -9 of the daemon the
  running guests' ports stay reserved;
- qemu-monitor-command through QEMU_PROGRAM: python3-libvirt's libvirt_qemu,
  Debian's virsh and our CLI (same output), the taint line in the domain's
  log, read-only refusal, and a C program built against Debian's
  libvirt-qemu headers running on our libraries;
- setmem (virDomainSetMemory, the balloon): QEMU gets "balloon" with the
  requested size in bytes (the daemon's monitor debug log), and what the
  driver reports (dominfo, the live <currentMemory>) is what QEMU's
  query-balloon says; the test guest has no balloon driver, so that stays
  the boot size (as libvirt reports it: it never shows the request itself).

Every QEMU pid is recorded from its pidfile and killed on the way out.
"""

import os
import random
import re
import signal
import socket
import subprocess
import time

import vkdtest as t
from test_qemu import (QEMU, guest_xml, hard_kill_daemon, kill_qemus, process_gone, qemu_pid,
                       vk, wait_for)

RUNNING, SHUTOFF = 1, 5


def vnc_xml(root, name):
    return guest_xml(root, name).replace(
        "</devices>", "  <graphics type='vnc' autoport='yes'/>\n  </devices>")


def live_port(dom):
    m = re.search(r"<graphics type='vnc' port='(\d+)' autoport='yes'", dom.XMLDesc(0))
    return int(m.group(1)) if m else None


def rfb_banner(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        data = b""
        while len(data) < 12:
            chunk = s.recv(12 - len(data))
            if not chunk:
                break
            data += chunk
        return data


def test_domcapabilities(d, libvirt):
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    xml = conn.getDomainCapabilities(None, None, None, None, 0)
    t.check(xml.startswith("<domainCapabilities>\n  <path>%s</path>\n" % QEMU) and
            "<machine>pc-i440fx-" in xml and "<arch>x86_64</arch>" in xml and
            "<mode name='custom' supported='yes'>" in xml and
            "<value>vnc</value>" in xml, "python: getDomainCapabilities", xml[:400])
    q35 = conn.getDomainCapabilities(QEMU, "x86_64", "q35", "qemu", 0)
    t.check("<domain>qemu</domain>\n  <machine>pc-q35-" in q35,
            "python: q35 + qemu: canonical machine name", q35[:300])
    rc, out, err = t.virsh(uri, "domcapabilities", "--machine", "q35", "--virttype", "qemu")
    # virsh prints the document and two more newlines
    t.check_eq((rc, out), (0, q35 + "\n\n"), "virsh domcapabilities: the same document")
    rc, out2, err = vk(uri, "domcapabilities", "--machine", "q35", "--virttype", "qemu")
    t.check_eq((rc, out2), (0, out), "our CLI domcapabilities: what virsh prints")
    try:
        conn.getDomainCapabilities(None, None, "no-such-machine", None, 0)
        t.check(False, "unknown machine fails")
    except libvirt.libvirtError as e:
        t.check_eq((e.get_error_code(), e.get_error_message()),
                   (libvirt.VIR_ERR_INVALID_ARG,
                    "invalid argument: the machine 'no-such-machine' is not supported by "
                    "emulator '%s'" % QEMU), "unknown machine: libvirt's error")
    test_domcapabilities_shape(d, conn.getDomainCapabilities(None, None, "pc", "qemu", 0))
    rc, out, err = t.virsh(uri, "domcapabilities", "--virttype", "bogus")
    t.check_eq((rc, err.strip()), (1, "error: failed to get emulator capabilities\n"
                                      "error: invalid argument: unknown virttype: bogus"),
               "virsh: unknown virttype")
    rc, out, err = vk(uri, "domcapabilities", "--arch", "aarch64")
    t.check(rc == 1 and "unable to find any emulator to serve 'aarch64' architecture" in err,
            "our CLI: no emulator for aarch64", err)
    conn.close()


def domcaps_shape(xml):
    """Element paths in document order; <mode>, <enum> and <value> keep their name/text."""
    import xml.etree.ElementTree as ET
    out = []

    def walk(el, prefix):
        tag = el.tag
        if tag in ("mode", "enum") and el.get("name"):
            tag += "[%s]" % el.get("name")
        elif tag == "value":
            tag += "[%s]" % el.text
        elif tag == "model" and prefix.endswith("mode[custom]"):
            return   # CPU models: their usability depends on the host
        path = prefix + "/" + tag
        out.append(path)
        for child in el:
            walk(child, path)
    walk(ET.fromstring(xml), "")
    return out


def test_domcapabilities_shape(d, ours):
    """Our document is libvirt's (Debian's QEMU driver, embedded) minus what we lack, in order."""
    root = os.path.join(d.root, "libvirt-embed")
    p = subprocess.run(["virsh", "-c", "qemu:///embed?root=" + root, "domcapabilities",
                        "--virttype", "qemu", "--machine", "pc"],
                       capture_output=True, text=True, env=t.client_env(), timeout=120)
    if p.returncode != 0:
        t.log("Debian's embedded QEMU driver failed (%s): structure not compared" % p.stderr)
        return
    theirs = domcaps_shape(p.stdout)
    mine = domcaps_shape(ours)
    it = iter(theirs)
    missing = [e for e in mine if e not in it]
    t.check(not missing, "domcapabilities: every element of ours is in libvirt's, same order",
            "\n".join(missing))
    for tag in ("path", "domain", "machine", "arch"):
        t.check_eq(re.search("<%s>(.*)</%s>" % (tag, tag), ours).group(1),
                   re.search("<%s>(.*)</%s>" % (tag, tag), p.stdout).group(1),
                   "domcapabilities: <%s> as libvirt's" % tag)
    t.check_eq(re.search("<vcpu max='(\\d+)'/>", ours).group(1),
               re.search("<vcpu max='(\\d+)'/>", p.stdout).group(1),
               "domcapabilities: vcpu max as libvirt's")


def display_range():
    """A private display range of 10 ports below the kernel's ephemeral
    range (outgoing connections of other tests take ports there), with this
    test listening on its first port.  Returns (base, listening socket)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    top = max(low, 12000)
    for _ in range(50):
        base = random.randrange(10000, top - 10, 10)
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            blocker.bind(("127.0.0.1", base))
            blocker.listen(1)
            return base, blocker
        except OSError:
            blocker.close()
    raise RuntimeError("no free port to start a display range at")


def test_display_ports(d, libvirt, base, blocker):
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    # Another process (this test) listens on the first port of the range.
    try:
        doms = {}
        for name in ("v1", "v2"):
            doms[name] = conn.createXML(vnc_xml(d.root, name), 0)
            qemu_pid(d, name)
        p1, p2 = live_port(doms["v1"]), live_port(doms["v2"])
        t.check(p1 is not None and p2 is not None and p1 != p2,
                "two guests get different ports", "%r %r" % (p1, p2))
        t.check(base < p1 <= base + 9 and base < p2 <= base + 9,
                "ports from the range, the port in use skipped", "%r %r" % (p1, p2))
        banner = rfb_banner(p1)
        t.check(banner.startswith(b"RFB 003."), "the port answers with an RFB banner", repr(banner))
        xml = doms["v1"].XMLDesc(0)
        t.check("<graphics type='vnc' port='%d' autoport='yes' listen='127.0.0.1'>" % p1 in xml and
                "<listen type='address' address='127.0.0.1'/>" in xml,
                "live XML shows the port as libvirt does", xml)
        rc, out, err = t.virsh(uri, "domdisplay", "v1")
        t.check_eq((rc, out.strip()), (0, "vnc://127.0.0.1:%d" % (p1 - 5900)),
                   "virsh domdisplay: vnc://HOST:DISPLAY")
        rc, out2, err = vk(uri, "domdisplay", "v1")
        t.check_eq((rc, out2), (0, out), "our CLI domdisplay: what virsh prints")

        # Destroyed: its port is handed out again.
        doms["v1"].destroy()
        doms["v3"] = conn.createXML(vnc_xml(d.root, "v3"), 0)
        qemu_pid(d, "v3")
        t.check_eq(live_port(doms["v3"]), p1, "a destroyed guest's port is reused")

        # Crashed (kill -9 of its QEMU): released too.
        pid = qemu_pid(d, "v3")
        os.kill(pid, signal.SIGKILL)
        t.check(wait_for(lambda: process_gone(pid)), "v3's QEMU is gone")
        # one call: a list of ids then a lookup per id races with the clean-up
        t.check(wait_for(lambda: "v3" not in [dom.name() for dom in conn.listAllDomains(
                    libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)]),
                "v3 (transient) is gone after the crash")
        doms["v4"] = conn.createXML(vnc_xml(d.root, "v4"), 0)
        qemu_pid(d, "v4")
        t.check_eq(live_port(doms["v4"]), p1, "a crashed guest's port is reused")
        conn.close()

        # Daemon restart: the running guests keep their ports, reserved again.
        hard_kill_daemon(d)
        d.start()
        conn = libvirt.open(uri)
        t.check_eq((live_port(conn.lookupByName("v2")), live_port(conn.lookupByName("v4"))),
                   (p2, p1), "after a daemon restart: same ports in the live XML")
        v5 = conn.createXML(vnc_xml(d.root, "v5"), 0)
        qemu_pid(d, "v5")
        p5 = live_port(v5)
        t.check(p5 not in (base, p1, p2), "after a daemon restart: a new guest gets another port",
                "%r" % p5)
        t.check(rfb_banner(p2).startswith(b"RFB "), "v2's display still answers")
        # spice too: a guest with spice and vnc gets two more ports
        sp = conn.createXML(guest_xml(d.root, "sp").replace(
            "</devices>", "  <graphics type='spice' autoport='yes'/>\n"
            "  <graphics type='vnc' autoport='yes'/>\n"
            "  <video><model type='qxl'/></video>\n  </devices>"), 0)
        qemu_pid(d, "sp")
        m = re.search(r"<graphics type='spice' port='(\d+)' autoport='yes' listen='127.0.0.1'>",
                      sp.XMLDesc(0))
        ps, pv = (int(m.group(1)) if m else None), live_port(sp)
        t.check(ps is not None and pv is not None and
                len({ps, pv, p1, p2, p5}) == 5 and base < min(ps, pv) and max(ps, pv) <= base + 9,
                "spice + vnc: two more ports from the range", "%r %r" % (ps, pv))
        rc, out, err = t.virsh(uri, "domdisplay", "--all", "sp")
        t.check_eq((rc, out), (0, "vnc://127.0.0.1:%d\nspice://127.0.0.1:%d\n\n"
                               % (pv - 5900, ps)), "virsh domdisplay --all: vnc and spice")
        rc, out2, err = vk(uri, "domdisplay", "--all", "sp")
        t.check_eq((rc, out2), (0, out), "our CLI domdisplay --all: what virsh prints")
        for name in ("v2", "v4", "v5", "sp"):
            conn.lookupByName(name).destroy()
        conn.close()
    finally:
        blocker.close()


def mask_ids(text):
    """Replies carry the monitor's message id ("vk-N"): mask it."""
    return re.sub(r'"id": ?"[^"]*"', '"id":"ID"', text)


def test_monitor_command(d, libvirt):
    """qemu-monitor-command through the daemon's QEMU_PROGRAM."""
    import libvirt_qemu
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    dom = conn.createXML(guest_xml(d.root, "mc"), 0)
    qemu_pid(d, "mc")
    # python3-libvirt: Debian's libvirt-qemu.so.0 as the client
    reply = libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"query-status"}', 0)
    t.check(re.fullmatch(r'\{"return":\{"status":"running","singlestep":false,"running":true\},'
                         r'"id":"[^"]+"\}', reply) is not None, "python: QMP passthrough", reply)
    hmp = libvirt_qemu.qemuMonitorCommand(dom, "info status", 1)
    t.check(hmp.startswith("VM status: running"), "python: HMP through human-monitor-command",
            repr(hmp))
    err = libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"no-such-command"}', 0)
    t.check('"class":"CommandNotFound"' in err, "a QMP error is returned as the reply", err)
    # the taint: once in the domain's log
    log = os.path.join(d.root, "var", "log", "virtkit", "qemu", "mc.log")
    with open(log) as f:
        lines = [l for l in f if "is tainted: custom-monitor" in l]
    t.check(len(lines) == 1 and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: "
                                         r"Domain id=%d is tainted: custom-monitor$" % dom.ID(),
                                         lines[0]) is not None,
            "domain log: tainted once, libvirt's line", "".join(lines))
    # virsh and our CLI: the same output for the same commands
    cases = [
        ["{\"execute\":\"query-status\"}"],
        ["query-status"],
        ["--pretty", "query-status"],
        ["--return-value", "query-status"],
        ["--pretty", "--return-value", "query-vnc"],
        ["--pretty", "query-iothreads"],
        ["--pretty", "--return-value", "qom-list", '{"path":"/machine/unattached/device[0]"}'],
        ["--return-value", "query-iothreads"],
        ["--pretty", "--return-value", "query-iothreads"],
        ["--pretty", "cont"],
        ["qom-get", '"path":"/machine"', '"property":"type"'],
        ["qom-get", '{"path":"/machine","property":"type"}'],
        ["--hmp", "info", "status"],
        ["no-such-command"],
        ["--return-value", "no-such-command"],
        ["--hmp", "--pretty", "info status"],
    ]
    for args in cases:
        rc1, out1, err1 = t.virsh(uri, "qemu-monitor-command", "mc", *args)
        rc2, out2, err2 = vk(uri, "qemu-monitor-command", "mc", *args)
        t.check_eq((rc2, mask_ids(out2), err2), (rc1, mask_ids(out1), err1),
                   "qemu-monitor-command %s: our CLI prints what virsh prints" % " ".join(args))
    # another procedure of QEMU_PROGRAM: refused as not supported, the daemon goes on
    rc, out, err = t.virsh(uri, "qemu-agent-command", "mc", '{"execute":"guest-ping"}')
    t.check(rc == 1 and "not supported" in err and "DOMAIN_AGENT_COMMAND (procedure 3)" in err,
            "QEMU_PROGRAM procedure 3: VIR_ERR_NO_SUPPORT naming it", err)
    # read-only connections are refused
    ro = libvirt.openReadOnly(d.uri(ro=True, driver="qemu", path="/system"))
    try:
        libvirt_qemu.qemuMonitorCommand(ro.lookupByName("mc"), '{"execute":"query-status"}', 0)
        t.check(False, "read-only: refused")
    except libvirt.libvirtError as e:
        t.check_eq((e.get_error_code(), e.get_error_message()),
                   (libvirt.VIR_ERR_OPERATION_DENIED,
                    "operation forbidden: read only access prevents virDomainQemuMonitorCommand"),
                   "read-only: libvirt's error")
    ro.close()
    # the taint survives a daemon restart (status XML), as libvirt's
    status = os.path.join(d.root, "run", "virtkit", "qemu", "mc.xml")
    with open(status) as f:
        t.check("<taint flag='custom-monitor'/>" in f.read(), "status XML keeps the taint")
    conn.close()
    hard_kill_daemon(d)
    d.start()
    conn = libvirt.open(uri)
    dom = conn.lookupByName("mc")
    libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"query-status"}', 0)
    with open(log) as f:
        t.check_eq(len([l for l in f if "is tainted: custom-monitor" in l]), 1,
                   "after a daemon restart: not logged again")
    # a program built against Debian's libvirt-qemu, run on our libraries
    probe = os.environ.get("QEMUAPICOMPAT")
    if probe and os.path.exists(probe):
        env = t.client_env()
        env["LD_LIBRARY_PATH"] = os.environ["VIRTKIT_LIBDIR"]
        p = subprocess.run([probe, uri, "mc"], capture_output=True, text=True, env=env,
                           timeout=30)
        t.check(p.returncode == 0 and
                'query-status: ret=0 result=["return":{"status":"running","singlestep":false,'
                '"running":true},"id":' in p.stdout and
                "hmp: ret=0 result=[VM status: running" in p.stdout,
                "C program built against Debian's libvirt-qemu, on our libraries", p.stdout + p.stderr)
    else:
        t.log("QEMUAPICOMPAT not built (no libvirt-dev): C probe not run")
    dom.destroy()
    conn.close()


def test_setmem(d, libvirt):
    """virDomainSetMemory on a guest without a balloon driver."""
    import libvirt_qemu
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    xml = guest_xml(d.root, "bal").replace(
        "<memory unit='MiB'>32</memory>", "<memory unit='MiB'>64</memory>")
    xml = xml.replace("</devices>", "<memballoon model='virtio'/></devices>")
    dom = conn.createXML(xml, 0)
    qemu_pid(d, "bal")
    rc, out, err = t.virsh(uri, "setmem", "bal", "49152", "--live")
    t.check(rc == 0, "virsh setmem --live", err)
    sent = [l for l in d.log().splitlines()
            if "monitor 'bal' send:" in l and '"balloon"' in l]
    t.check(len(sent) == 1 and '"value":50331648' in sent[0].replace(" ", ""),
            "QEMU got balloon with 48 MiB in bytes", "\n".join(sent))
    reply = libvirt_qemu.qemuMonitorCommand(dom, '{"execute":"query-balloon"}', 0)
    t.check('"actual":67108864' in reply, "query-balloon: the guest kept its 64 MiB", reply)
    t.check_eq(dom.info()[2], 65536, "GetInfo memory = QEMU's actual balloon size")
    t.check("<currentMemory unit='KiB'>65536</currentMemory>" in dom.XMLDesc(0),
            "live XML currentMemory = QEMU's actual balloon size")
    rc, out, err = t.virsh(uri, "setmem", "bal", "131072", "--live")
    t.check(rc != 0 and "cannot set memory higher than max memory" in err,
            "setmem above the maximum refused", err)
    # without a balloon device: QEMU's error, nothing changes
    xml2 = guest_xml(d.root, "nobal").replace("</devices>",
                                              "<memballoon model='none'/></devices>")
    dom2 = conn.createXML(xml2, 0)
    qemu_pid(d, "nobal")
    rc, out, err = t.virsh(uri, "setmem", "nobal", "16384", "--live")
    t.check(rc != 0 and "balloon" in err.lower(), "setmem without a balloon device fails", err)
    t.check_eq(dom2.info()[2], 32768, "memory unchanged without a balloon device")
    dom.destroy()
    dom2.destroy()
    conn.close()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    if not os.access(QEMU, os.X_OK):
        t.skip("%s is not installed" % QEMU)
    if not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("the test guest (VKGUEST) is not built")
    import libvirt
    libvirt.virEventRegisterDefaultImpl()
    libvirt.registerErrorHandler(lambda ctx, err: None, None)

    # A private display range, so that parallel runs rarely meet.
    base, blocker = display_range()
    # the monitor traffic in the daemon's log, for test_setmem
    os.environ["VIRTKIT_LOG_FILTERS"] = "qemu.monitor:debug"
    d = t.Daemon(start=False)
    conf = os.path.join(d.root, "etc", "virtkit", "qemu.conf")
    os.makedirs(os.path.dirname(conf), exist_ok=True)
    with open(conf, "w") as f:
        f.write("remote_display_port_min = %d\nremote_display_port_max = %d\n"
                % (base, base + 9))
    d.start()
    try:
        test_domcapabilities(d, libvirt)
        test_display_ports(d, libvirt, base, blocker)
        test_monitor_command(d, libvirt)
        test_setmem(d, libvirt)
        t.check_eq(d.terminate(signal.SIGTERM), 0, "daemon stops cleanly (SIGTERM)")
    except BaseException:
        t.log("daemon log:\n" + d.log())
        raise
    finally:
        kill_qemus()
        d.kill()


if __name__ == "__main__":
    t.run(main, timeout=200)
