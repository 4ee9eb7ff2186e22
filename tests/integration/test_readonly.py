#!/usr/bin/python3
"""The read-only socket: queries and events work, every change is denied.

Also: a read-only connection asked for on the read-write socket
(virConnectOpenReadOnly, `virsh -r`) is just as limited.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

DOMAIN_XML = """<domain type='test'>
  <name>ro1</name>
  <memory>65536</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
"""


def test_virsh(d):
    xml = os.path.join(d.root, "ro1.xml")
    with open(xml, "w") as f:
        f.write(DOMAIN_XML)
    ro = d.uri(ro=True)
    rc, out, err = t.virsh(d.uri(), "define", xml)
    t.check(rc == 0, "read-write socket: define", err)
    for cmd in (["list", "--all"], ["dominfo", "test"], ["domstate", "--reason", "test"],
                ["dumpxml", "test"], ["version"], ["hostname"], ["nodeinfo"],
                ["capabilities"]):
        rc, out, err = t.virsh(ro, *cmd)
        t.check(rc == 0 and out.strip(), "read-only socket: virsh %s" % cmd[0], err)

    for cmd, api in ((["define", xml], "virDomainDefineXML"),
                     (["suspend", "test"], "virDomainSuspend"),
                     (["destroy", "test"], "virDomainDestroy"),
                     (["undefine", "ro1"], None),
                     (["start", "ro1"], "virDomainCreate")):
        rc, out, err = t.virsh(ro, *cmd)
        t.check(rc == 1 and "operation forbidden: read only access prevents" in err,
                "read-only socket: virsh %s is denied" % cmd[0], err)
        if api:
            t.check(api in err, "read-only socket: the denial names %s" % api, err)

    # `virsh -r` asks for a read-only connection on the read-write socket.
    p = t.subprocess.run(["virsh", "-r", "-c", d.uri(), "suspend", "test"],
                         capture_output=True, text=True, env=t.client_env(), timeout=30)
    t.check(p.returncode == 1 and "read only access prevents" in p.stderr,
            "virsh -r on the read-write socket is denied too", p.stderr)
    rc, out, err = t.virsh(d.uri(), "domstate", "test")
    t.check_eq((rc, out.strip()), (0, "running"), "nothing was changed")
    rc, out, err = t.virsh(d.uri(), "domstate", "ro1")
    t.check_eq((rc, out.strip()), (0, "shut off"), "nothing was changed (ro1)")


def test_python(d):
    try:
        import libvirt
    except ImportError:
        return
    libvirt.registerErrorHandler(lambda c, e: None, None)
    conn = libvirt.open(d.uri(ro=True))
    dom = conn.lookupByName("test")
    t.check_eq(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING, "python, read-only socket: query")
    for name, fn in (("suspend", dom.suspend), ("destroy", dom.destroy),
                     ("defineXML", lambda: conn.defineXML(DOMAIN_XML)),
                     ("setMemory", lambda: dom.setMemory(1024))):
        try:
            fn()
            t.check(False, "python, read-only socket: %s is denied" % name)
        except libvirt.libvirtError as e:
            t.check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED,
                       "python, read-only socket: %s is denied" % name)
    conn.close()

    conn = libvirt.openReadOnly(d.uri())
    try:
        conn.lookupByName("test").suspend()
        t.check(False, "python, openReadOnly on the read-write socket: suspend denied")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_DENIED,
                   "python, openReadOnly on the read-write socket: suspend denied")
    conn.close()


def main():
    t.need_virsh()
    with t.Daemon() as d:
        st = os.stat(d.sock_ro)
        t.check_eq(oct(st.st_mode & 0o777), oct(0o777), "read-only socket mode 0777")
        t.check_eq(oct(os.stat(d.sock).st_mode & 0o777), oct(0o700),
                   "read-write socket mode 0700")
        test_virsh(d)
        test_python(d)
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
