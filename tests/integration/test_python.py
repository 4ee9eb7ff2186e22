#!/usr/bin/python3
"""Debian's python3-libvirt against virtkitd.

The same operations as the virsh test, from a script: queries, define,
start, suspend, resume, destroy, undefine, host information; lifecycle
events received by one connection for actions of another; calls from
several threads overlapping on one connection; client keepalive.
"""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

t.need_libvirt_python()
import libvirt  # noqa: E402

UUID = "5f1e1c2a-9a8b-4c3d-8e7f-112233445566"
DOMAIN_XML = """<domain type='test'>
  <name>py1</name>
  <uuid>%s</uuid>
  <memory>262144</memory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
</domain>
""" % UUID


def silence(ctx, err):
    pass


class EventLoop:
    """libvirt's default event loop, run in a thread as python clients do."""

    def __init__(self):
        libvirt.virEventRegisterDefaultImpl()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            libvirt.virEventRunDefaultImpl()


class Collector:
    def __init__(self):
        self.cond = threading.Condition()
        self.events = []

    def lifecycle(self, conn, dom, event, detail, opaque):
        with self.cond:
            self.events.append((opaque, dom.name(), event, detail))
            self.cond.notify_all()

    def wait(self, n, timeout=10):
        with self.cond:
            return self.cond.wait_for(lambda: len(self.events) >= n, timeout)


def test_queries(conn, ref):
    t.check_eq(conn.getType(), ref.getType(), "getType")
    t.check_eq(conn.getVersion(), ref.getVersion(), "getVersion")
    t.check_eq(conn.getLibVersion(), 9000000, "getLibVersion")
    t.check_eq(conn.getHostname(), ref.getHostname(), "getHostname")
    t.check_eq(conn.getInfo(), ref.getInfo(), "getInfo (nodeinfo)")
    t.check_eq(conn.getCapabilities(), ref.getCapabilities(), "getCapabilities")
    t.check_eq(conn.getMaxVcpus(None), ref.getMaxVcpus(None), "getMaxVcpus")
    t.check_eq(conn.getSecurityModel(), ref.getSecurityModel(), "getSecurityModel")
    t.check_eq(conn.getFreeMemory(), ref.getFreeMemory(), "getFreeMemory")
    t.check(conn.getURI().startswith("test+unix:///default"), "getURI", conn.getURI())
    t.check_eq(conn.isAlive(), 1, "isAlive")
    t.check_eq(conn.isSecure(), 1, "isSecure")

    names = sorted(d.name() for d in conn.listAllDomains())
    t.check_eq(names, sorted(d.name() for d in ref.listAllDomains()), "listAllDomains")
    t.check_eq(conn.listDomainsID(), ref.listDomainsID(), "listDomainsID")
    t.check_eq(conn.numOfDomains(), ref.numOfDomains(), "numOfDomains")
    t.check_eq(conn.listDefinedDomains(), ref.listDefinedDomains(), "listDefinedDomains")
    t.check_eq(conn.numOfDefinedDomains(), ref.numOfDefinedDomains(), "numOfDefinedDomains")

    dom = conn.lookupByName("test")
    rdom = ref.lookupByName("test")
    t.check_eq(dom.UUIDString(), rdom.UUIDString(), "lookupByName: UUID")
    t.check_eq(conn.lookupByID(dom.ID()).name(), "test", "lookupByID")
    t.check_eq(conn.lookupByUUIDString(dom.UUIDString()).name(), "test", "lookupByUUID")
    t.check_eq(dom.info()[:4], rdom.info()[:4], "info (state, memory, vcpus)")
    t.check_eq(dom.state(), rdom.state(), "state")
    t.check_eq(dom.XMLDesc(0), rdom.XMLDesc(0), "XMLDesc")
    t.check_eq(dom.OSType(), rdom.OSType(), "OSType")
    t.check_eq(dom.maxMemory(), rdom.maxMemory(), "maxMemory")
    t.check_eq(dom.maxVcpus(), rdom.maxVcpus(), "maxVcpus")
    t.check_eq(dom.isActive(), 1, "isActive")
    t.check_eq(dom.isPersistent(), 1, "isPersistent")
    t.check_eq(dom.autostart(), rdom.autostart(), "autostart")
    t.check_eq(dom.hasManagedSaveImage(), 0, "hasManagedSaveImage")
    t.check_eq(dom.securityLabel(), rdom.securityLabel(), "securityLabel")
    # libvirt's test driver has no job calls; ours reports "no job".
    t.check_eq(dom.jobInfo(), [libvirt.VIR_DOMAIN_JOB_NONE] + [0] * 11, "jobInfo")
    t.check_eq(dom.jobStats(), {"type": libvirt.VIR_DOMAIN_JOB_NONE}, "jobStats")
    t.check_eq(dom.vcpusFlags(0), rdom.vcpusFlags(0), "vcpusFlags")

    try:
        conn.lookupByName("nosuch")
        t.check(False, "lookup of a missing domain fails")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN,
                   "lookup of a missing domain: VIR_ERR_NO_DOMAIN")
    try:
        dom.attachDevice("<disk/>")
        t.check(False, "an unimplemented procedure fails")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_NO_SUPPORT,
                   "an unimplemented procedure: VIR_ERR_NO_SUPPORT")


def test_lifecycle(conn, watcher, coll):
    dom = conn.defineXML(DOMAIN_XML)
    t.check_eq(dom.UUIDString(), UUID, "defineXML")
    t.check_eq(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, 0], "defined domain is shut off")
    dom.create()
    t.check(dom.ID() > 0, "create gives the domain an id", dom.ID())
    t.check_eq(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
               "running (booted)")
    dom.suspend()
    t.check_eq(dom.state(), [libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PAUSED_USER],
               "paused (user)")
    dom.resume()
    t.check_eq(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING, "running again")
    dom.setMemory(131072)
    t.check_eq(dom.info()[2], 131072, "setMemory")
    dom.destroy()
    t.check_eq(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_DESTROYED],
               "shut off (destroyed)")
    dom.createWithFlags(0)
    t.check_eq(dom.state()[0], libvirt.VIR_DOMAIN_RUNNING, "createWithFlags")
    dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "a test domain", None, None, 0)
    t.check_eq(dom.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0), "a test domain",
               "setMetadata / metadata (description)")
    dom.setMetadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, "<note>x</note>", "vk",
                    "http://example.org/vk", 0)
    t.check("note" in dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                                   "http://example.org/vk", 0),
            "setMetadata / metadata (element)")
    dom.destroyFlags(0)
    dom.undefineFlags(0)
    try:
        conn.lookupByUUIDString(UUID)
        t.check(False, "undefined domain is gone")
    except libvirt.libvirtError as e:
        t.check_eq(e.get_error_code(), libvirt.VIR_ERR_NO_DOMAIN, "undefined domain is gone")

    E = libvirt
    expected = [
        ("all", "py1", E.VIR_DOMAIN_EVENT_DEFINED, E.VIR_DOMAIN_EVENT_DEFINED_ADDED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_SUSPENDED, E.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED),
        ("all", "py1", E.VIR_DOMAIN_EVENT_UNDEFINED, E.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
    ]
    coll.wait(len(expected))
    got = [e for e in coll.events if e[0] == "all"]
    t.check_eq(got, expected, "the other connection received every lifecycle event")


def test_filtered_events(conn, watcher, coll):
    """A callback for one domain sees only that domain's events."""
    dom = watcher.lookupByName("test")
    cid = watcher.domainEventRegisterAny(dom, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         coll.lifecycle, "test-only")
    before = len(coll.events)
    conn.lookupByName("test").suspend()
    conn.lookupByName("test").resume()
    conn.defineXML(DOMAIN_XML).undefine()
    coll.wait(before + 2 + 2 + 2)
    only = [e for e in coll.events[before:] if e[0] == "test-only"]
    t.check_eq([e[1:] for e in only],
               [("test", libvirt.VIR_DOMAIN_EVENT_SUSPENDED, 0),
                ("test", libvirt.VIR_DOMAIN_EVENT_RESUMED, 0)],
               "domain-filtered callback")
    watcher.domainEventDeregisterAny(cid)


def test_threads(conn):
    """Calls of several threads overlap on one connection."""
    errors = []
    counts = [0] * 8

    def worker(i):
        try:
            dom = conn.lookupByName("test")
            for _ in range(100):
                dom.info()
                conn.getLibVersion()
                counts[i] += 1
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    t.check_eq(errors, [], "8 threads on one connection: no error")
    t.check_eq(counts, [100] * 8, "8 threads on one connection: every call answered")


def main():
    libvirt.registerErrorHandler(silence, None)
    loop = EventLoop()
    with t.Daemon() as d:
        ref = libvirt.open("test:///default")
        conn = libvirt.open(d.uri())
        watcher = libvirt.open(d.uri())
        watcher.setKeepAlive(1, 3)
        coll = Collector()
        watcher.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                       coll.lifecycle, "all")
        test_queries(conn, ref)
        test_lifecycle(conn, watcher, coll)
        test_filtered_events(conn, watcher, coll)
        test_threads(conn)
        t.check_eq(watcher.isAlive(), 1, "the keepalive connection is alive")
        conn.close()
        watcher.close()
        ref.close()
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")
    loop.stop = True


t.run(main)
