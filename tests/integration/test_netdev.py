"""Guest NICs on a host bridge (issue 5: "bridge via tap where permitted").

Everything runs in a network namespace the test creates, with a Linux bridge
br0 (10.213.0.1/24) in it; virtkitd runs inside it (`ip netns exec`) and
python3-libvirt talks to it over its unix socket from outside.

- <interface type='bridge'>: the driver creates tap vnetN, host MAC = guest
  MAC with the first byte 0xFE, port of br0, up; the live XML shows
  <target dev='vnetN'/>, the inactive XML does not;
- <interface type='ethernet'><target dev='vkndtap0'/>: a named tap, no bridge;
- <driver queues='2'>: a multiqueue tap with both queues held by QEMU;
- interface counters (InterfaceStats, domstats net.*) are the tap's, swapped
  (UDP broadcasts br0 floods to the tap are rx of the guest);
- kill -9 of the daemon, start again: the domain runs, the live XML still
  names its tap, counters still work; destroy removes both taps;
- kill -9 of QEMU: shutoff (crashed), taps gone;
- a bridge that does not exist: clear error, no tap left behind;
- type='network': VIR_ERR_NO_SUPPORT (no virtual network driver);
- a daemon without CAP_NET_ADMIN (setpriv --bounding-set -net_admin): a clear
  error naming the tap device and the missing capability; it stays usable.

Needs root, /dev/net/tun, iproute2; otherwise skipped (77).  Every QEMU pid
is taken from its pidfile and killed on the way out; the namespace is
deleted at the end.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import vkdtest as t

QEMU = "/usr/bin/qemu-system-x86_64"
NS = "vknd%d" % os.getpid()
GUEST_MAC = "52:54:00:3a:5b:01"
RUNNING, SHUTOFF = 1, 5
SHUTOFF_DESTROYED, SHUTOFF_CRASHED = 2, 3
ERR_NO_SUPPORT, ERR_SYSTEM_ERROR = 3, 38

_qemu_pids = set()

BROADCAST = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for i in range(3):
    s.sendto(b"virtkit-netdev-test", ("10.213.0.255", 9))
"""


class NsDaemon(t.Daemon):
    """virtkitd inside the test's namespace, optionally behind a wrapper."""

    def __init__(self, wrapper=(), **kw):
        self.wrapper = list(wrapper)
        super().__init__(**kw)

    def start(self, wait=True):
        log_fd = open(self.logfile, "ab")
        # ip netns exec and setpriv exec: the pid is the daemon's
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS] + self.wrapper +
                                     [self.binary, "--root", self.root] + self.args,
                                     stdin=subprocess.DEVNULL, stdout=log_fd,
                                     stderr=subprocess.STDOUT)
        log_fd.close()
        if wait:
            self.wait_ready()


def ns_run(*args, check=True):
    p = subprocess.run(["ip", "netns", "exec", NS] + list(args), capture_output=True,
                       text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p


def links():
    """name -> ip -j link entry, in the namespace."""
    out = ns_run("ip", "-j", "link", "show").stdout
    return {e["ifname"]: e for e in json.loads(out)}


def proc_net_dev(ifname):
    """The counters of @ifname in the namespace, seen from the guest: its rx is
    the host side's tx (bytes, packets, errs, drop), as virDomainInterfaceStats."""
    for line in ns_run("cat", "/proc/net/dev").stdout.splitlines():
        if ":" not in line:
            continue
        name, rest = line.split(":", 1)
        if name.strip() == ifname:
            f = [int(x) for x in rest.split()]
            return tuple(f[8:12] + f[0:4])
    return None


def guest_xml(root, name, iface):
    return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><cmdline>heartbeat_ms=100</cmdline></os>
  <devices>
    %s
    <serial type='file'><source path='%s/%s.serial'/><target port='0'/></serial>
  </devices>
</domain>
""" % (name, os.environ["VKGUEST"], iface, root, name)


BRIDGE_IFACES = """<interface type='bridge'>
      <mac address='%s'/>
      <source bridge='br0'/>
      <model type='virtio'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:3a:5b:02'/>
      <target dev='vkndtap0'/>
      <model type='e1000'/>
    </interface>""" % GUEST_MAC


def qemu_pid(d, name):
    path = os.path.join(d.root, "run", "virtkit", "qemu", name + ".pid")
    with open(path) as f:
        pid = int(f.read().strip())
    _qemu_pids.add(pid)
    return pid


def process_gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(pred, timeout=15, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def kill_qemus():
    for pid in list(_qemu_pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        wait_for(lambda: process_gone(pid), timeout=5)
    _qemu_pids.clear()


def target_devs(xml):
    return re.findall(r"<target dev='([^']+)'", xml)


def check_taps(dom, libvirt, label):
    """The guest's taps exist as the live XML says; returns the bridge tap's name."""
    xml = dom.XMLDesc(0)
    devs = target_devs(xml)
    t.check(len(devs) == 2 and re.fullmatch(r"vnet\d+", devs[0]) is not None and
            devs[1] == "vkndtap0", "%s: live XML names the taps" % label, xml)
    ls = links()
    tap = ls.get(devs[0]) if devs else None
    t.check(tap is not None and tap.get("master") == "br0", "%s: %s is a port of br0"
            % (label, devs[0] if devs else "?"), json.dumps(ls, indent=1))
    t.check(tap is not None and tap.get("address") == "fe" + GUEST_MAC[2:] and
            "UP" in tap.get("flags", []) and tap.get("mtu") == ls["br0"]["mtu"],
            "%s: host MAC fe:..., up, bridge MTU" % label, json.dumps(tap))
    eth = ls.get("vkndtap0")
    t.check(eth is not None and "master" not in eth and "UP" in eth.get("flags", []) and
            eth.get("address") == "fe:54:00:3a:5b:02",
            "%s: ethernet tap vkndtap0 exists, up, on no bridge" % label, json.dumps(eth))
    return devs[0] if devs else None


def check_stats(dom, libvirt, tap, label):
    # UDP broadcasts on br0's subnet are flooded to every port: the tap
    ns_run(sys.executable, "-c", BROADCAST)
    # QEMU reads one frame from the tap, then waits for the guest (which has
    # no NIC driver) to take it: the guest's rx.pkts is at least 1.  The
    # counters are the host side's, swapped, once they stand still.
    st = host = None
    for _ in range(50):
        host = proc_net_dev(tap)
        st = dom.interfaceStats(tap)
        if host == proc_net_dev(tap) and tuple(st) == host:
            break
        time.sleep(0.1)
    t.check(host is not None and tuple(st) == host and st[1] >= 1 and st[0] >= 42,
            "%s: InterfaceStats(%s) = the tap's counters" % (label, tap),
            "%r vs %r" % (st, host))
    try:
        dom.interfaceStats("nosuchdev")
        t.check(False, "%s: InterfaceStats of an unknown device fails" % label)
    except libvirt.libvirtError as e:
        t.check(e.get_error_code() == libvirt.VIR_ERR_INVALID_ARG,
                "%s: InterfaceStats of an unknown device fails" % label, str(e))
    conn = dom.connect()
    recs = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_INTERFACE)
    s = recs[0][1] if recs else {}
    t.check(s.get("net.count") == 2 and s.get("net.0.name") == tap and
            s.get("net.0.rx.pkts", 0) >= st[1] and s.get("net.1.name") == "vkndtap0",
            "%s: domstats --interface" % label, repr(s))


def vk(uri, *args):
    p = subprocess.run([os.environ["VIRTKIT"], "-c", uri] + list(args), capture_output=True,
                       text=True, env=t.client_env(), timeout=30)
    return p.returncode, p.stdout, p.stderr


def check_cli(uri, tap):
    """domiflist and domifstat: our CLI prints what Debian's virsh prints."""
    rc, out, err = vk(uri, "domiflist", "nd1")
    row = re.search(r"^\s*%s\s+bridge\s+br0\s+virtio\s+%s\s*$" % (tap, GUEST_MAC), out, re.M)
    t.check(rc == 0 and row is not None, "virtkit domiflist shows the tap", out + err)
    if shutil.which("virsh"):
        vrc, vout, verr = t.virsh(uri, "domiflist", "nd1")
        t.check_eq((rc, out), (vrc, vout), "domiflist: virtkit = virsh")
        rc, out, err = vk(uri, "domifstat", "nd1", tap)
        vrc, vout, verr = t.virsh(uri, "domifstat", "nd1", tap)
        t.check(rc == 0 and (rc, out) == (vrc, vout) and ("%s rx_packets" % tap) in out,
                "domifstat: virtkit = virsh", out + err + "\n--- virsh:\n" + vout + verr)
        for args in (["domblklist", "nd1"], ["domiflist", "nd1", "--inactive"]):
            rc, out, err = vk(uri, *args)
            vrc, vout, verr = t.virsh(uri, *args)
            t.check(rc == 0 and (rc, out) == (vrc, vout), "%s: virtkit = virsh" % " ".join(args),
                    out + err + "\n--- virsh:\n" + vout + verr)


def gone(names):
    ls = links()
    return not any(n in ls for n in names)


def test_bridge(d, libvirt):
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    dom = conn.defineXML(guest_xml(d.root, "nd1", BRIDGE_IFACES))
    dom.create()
    qemu_pid(d, "nd1")
    tap = check_taps(dom, libvirt, "start")
    inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    t.check_eq(target_devs(inactive), ["vkndtap0"], "inactive XML keeps only the chosen name")
    check_stats(dom, libvirt, tap, "start")
    check_cli(uri, tap)
    conn.close()

    # the daemon dies and comes back: the tap is learnt again from the status XML
    d.proc.kill()
    d.proc.wait()
    d.start()
    conn = libvirt.open(uri)
    dom = conn.lookupByName("nd1")
    t.check_eq(dom.state()[0], RUNNING, "after a daemon restart: running")
    t.check_eq(check_taps(dom, libvirt, "reconnected"), tap, "reconnected: same tap")
    check_stats(dom, libvirt, tap, "reconnected")

    dom.destroy()
    t.check_eq(dom.state(), [SHUTOFF, SHUTOFF_DESTROYED], "destroyed")
    t.check(gone([tap, "vkndtap0"]), "destroy removed the taps", json.dumps(list(links())))
    t.check_eq(target_devs(dom.XMLDesc(0)), ["vkndtap0"], "shut off: no generated name")

    # a crash of QEMU
    dom.create()
    pid = qemu_pid(d, "nd1")
    tap = check_taps(dom, libvirt, "restart")
    os.kill(pid, signal.SIGKILL)
    t.check(wait_for(lambda: dom.state()[0] == SHUTOFF), "QEMU killed: shutoff")
    t.check_eq(dom.state(), [SHUTOFF, SHUTOFF_CRASHED], "QEMU killed: crashed")
    t.check(gone([tap, "vkndtap0"]), "crash: taps gone", json.dumps(list(links())))
    dom.undefine()

    # multiqueue: one descriptor per queue, all on the same tap
    mq = """<interface type='bridge'>
      <mac address='52:54:00:3a:5b:05'/>
      <source bridge='br0'/>
      <model type='virtio'/>
      <driver queues='2'/>
    </interface>"""
    dom = conn.createXML(guest_xml(d.root, "nd5", mq))
    qemu_pid(d, "nd5")
    devs = target_devs(dom.XMLDesc(0))
    info = {}
    if len(devs) == 1:
        out = ns_run("ip", "-d", "-j", "link", "show", "dev", devs[0]).stdout
        info = json.loads(out)[0].get("linkinfo", {}).get("info_data", {})
    # QEMU detaches the queues the guest has not enabled (numdisabled)
    t.check(info.get("multi_queue") is True and
            info.get("numqueues", 0) + info.get("numdisabled", 0) == 2 and
            info.get("vnet_hdr") is True and info.get("pi") is False,
            "multiqueue tap: 2 queues held by QEMU", repr(devs) + " " + json.dumps(info))
    dom.destroy()
    t.check(devs and gone(devs), "multiqueue tap removed by destroy")

    # a bridge that is not there: the error names it, nothing is left over
    before = set(links())
    bad = BRIDGE_IFACES.replace("'br0'", "'nosuchbr0'")
    dom = conn.defineXML(guest_xml(d.root, "nd2", bad))
    try:
        dom.create()
        t.check(False, "missing bridge: start fails")
    except libvirt.libvirtError as e:
        t.check("nosuchbr0" in str(e) and e.get_error_code() == ERR_SYSTEM_ERROR,
                "missing bridge: start fails naming it", str(e))
    t.check_eq(dom.state(), [SHUTOFF, 6], "missing bridge: shutoff (failed)")
    t.check_eq(set(links()), before, "missing bridge: no tap left behind")
    dom.undefine()

    net = "<interface type='network'><source network='default'/></interface>"
    dom = conn.defineXML(guest_xml(d.root, "nd3", net))
    try:
        dom.create()
        t.check(False, "type='network': refused")
    except libvirt.libvirtError as e:
        t.check(e.get_error_code() == ERR_NO_SUPPORT and "network" in str(e),
                "type='network': VIR_ERR_NO_SUPPORT", str(e))
    dom.undefine()
    conn.close()


def test_no_permission(libvirt):
    with NsDaemon(wrapper=["setpriv", "--bounding-set", "-net_admin"]) as d:
        uri = d.uri(driver="qemu", path="/system")
        conn = libvirt.open(uri)
        before = set(links())
        dom = conn.defineXML(guest_xml(d.root, "nd4", BRIDGE_IFACES))
        try:
            dom.create()
            t.check(False, "no CAP_NET_ADMIN: start fails")
        except libvirt.libvirtError as e:
            msg = str(e)
            t.check(e.get_error_code() == ERR_SYSTEM_ERROR and "tap device" in msg and
                    "CAP_NET_ADMIN" in msg and "Operation not permitted" in msg,
                    "no CAP_NET_ADMIN: a clear error", msg)
        t.check_eq(dom.state()[0], SHUTOFF, "no CAP_NET_ADMIN: shutoff")
        t.check_eq(set(links()), before, "no CAP_NET_ADMIN: no tap")
        t.check_eq(len(conn.listAllDomains()), 1, "no CAP_NET_ADMIN: daemon answers")
        dom.undefine()
        conn.close()
        t.check_eq(d.terminate(signal.SIGTERM), 0, "unprivileged daemon stops cleanly")


def main():
    t.need_libvirt_python()
    if os.geteuid() != 0:
        t.skip("needs root (network namespace, tap devices)")
    for tool in ("ip", "setpriv"):
        if not shutil.which(tool):
            t.skip("%s is not installed" % tool)
    if not os.access(QEMU, os.X_OK):
        t.skip("%s is not installed" % QEMU)
    if not os.path.exists(os.environ.get("VKGUEST", "")):
        t.skip("the test guest (VKGUEST) is not built")
    if not os.path.exists("/dev/net/tun"):
        t.skip("/dev/net/tun is missing")
    if subprocess.run(["ip", "netns", "add", NS], capture_output=True).returncode != 0:
        t.skip("cannot create a network namespace")
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    d = None
    try:
        ns_run("ip", "link", "set", "lo", "up")
        ns_run("ip", "link", "add", "br0", "type", "bridge")
        ns_run("ip", "addr", "add", "10.213.0.1/24", "dev", "br0")
        ns_run("ip", "link", "set", "br0", "up")
        d = NsDaemon()
        test_bridge(d, libvirt)
        test_no_permission(libvirt)
        t.check_eq(d.terminate(signal.SIGTERM), 0, "daemon stops cleanly")
    except BaseException:
        if d is not None:
            t.log("daemon log:\n" + d.log())
        raise
    finally:
        kill_qemus()
        if d is not None:
            d.kill()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


if __name__ == "__main__":
    t.run(main, timeout=110)
