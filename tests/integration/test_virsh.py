#!/usr/bin/python3
"""Debian's virsh against virtkitd, compared with virsh on libvirt's own test driver.

Each command runs as its own virsh process against the daemon (so the
daemon's state carries from one client to the next), while the reference
runs the same commands in one virsh process on Debian's in-process
test:///default.  Outputs must be identical, apart from values that depend
on the clock (CPU time) or the URI itself.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

DOMAIN_XML = """<domain type='test'>
  <name>vkt1</name>
  <uuid>7e0b5b5c-58a3-4d35-9a63-0d2c3b1f9a11</uuid>
  <memory>1048576</memory>
  <currentMemory>524288</currentMemory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
</domain>
"""

# (command, compare with the reference?)
COMMANDS = [
    "list --all",
    "dominfo test",
    "domstate --reason test",
    "dumpxml test",
    "define {xml}",
    "list --all",
    "dominfo vkt1",
    "domstate --reason vkt1",
    "start vkt1",
    "domstate --reason vkt1",
    "list --all",
    "suspend vkt1",
    "domstate --reason vkt1",
    "resume vkt1",
    "domstate --reason vkt1",
    "dumpxml vkt1",
    "destroy vkt1",
    "domstate --reason vkt1",
    "undefine vkt1",
    "list --all",
    "version",
    "hostname",
    "nodeinfo",
    "capabilities",
    "list --name",
    "list --inactive",
    "domid test",
    "domuuid test",
    "domname 1",
]

MARK = "@@@VKT@@@"


def mask(text):
    return re.sub(r"CPU time:\s+\S+", "CPU time: <masked>", text)


def main():
    t.need_virsh()
    with t.Daemon() as d:
        xml = os.path.join(d.root, "vkt1.xml")
        with open(xml, "w") as f:
            f.write(DOMAIN_XML)
        cmds = [c.format(xml=xml) for c in COMMANDS]

        script = ("; echo %s; " % MARK).join(cmds)
        rc, ref_out, ref_err = t.virsh("test:///default", script)
        t.check_eq(rc, 0, "reference run on Debian's test:///default")
        ref = [mask(x) for x in ref_out.split(MARK + "\n")]
        t.check_eq(len(ref), len(cmds), "reference has one output per command")

        for i, cmd in enumerate(cmds):
            rc, out, err = t.virsh(d.uri(), *cmd.split())
            t.check(rc == 0, "virsh %s: exit status 0" % cmd, err)
            if i < len(ref):
                t.check_eq(mask(out), ref[i], "virsh %s: same output as libvirt" % cmd)

        # "uri" prints the URI the client was given (it sends no call).
        rc, out, err = t.virsh(d.uri(), "uri")
        t.check_eq((rc, out.strip()), (0, d.uri()), "virsh uri")

        # Errors come back with libvirt's codes and messages.
        rc, out, err = t.virsh(d.uri(), "domstate", "nosuch")
        rc2, out2, err2 = t.virsh("test:///default", "domstate", "nosuch")
        t.check(rc == 1 and rc2 == 1, "missing domain fails", err)
        t.check_eq(err.strip(), err2.strip(), "missing domain: same message as libvirt")
        rc, out, err = t.virsh(d.uri(), "suspend", "vkt1")
        t.check(rc == 1 and "vkt1" in err, "suspending a missing domain fails", err)
        rc, out, err = t.virsh(d.uri(), "start", "test")
        rc2, out2, err2 = t.virsh("test:///default", "start", "test")
        t.check_eq((rc, err.strip()), (rc2, err2.strip()),
                   "starting a running domain: same error as libvirt")

        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
