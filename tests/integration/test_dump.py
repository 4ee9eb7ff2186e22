#!/usr/bin/python3
"""Core dumps through virtkitd's test driver (issue #6).

- Debian's virsh and our CLI run the same scripts of dump commands against
  the daemon; exit status, stdout and stderr must equal what Debian's virsh
  printed running them on libvirt's own test:///default (recorded under
  tests/data/dump/: run at every test, that virsh sometimes never returned;
  TEST_REGENERATE=1 records it again).  A relative file name is made
  absolute by the client: the file appears in the client's directory.
- python3-libvirt: the public API's argument checks (codes and messages as
  libvirt 9.0), the file's contents, STOPPED_CRASHED after a CRASH dump.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402

# Each script runs in one client process; each leaves 'test' running.
SCRIPTS = [
    "dump test {f}; domstate --reason test",
    "dump test {f} --verbose",
    "dump test {f} --crash; domstate --reason test; list --all; start test",
    "suspend test; dump test {f}; domstate --reason test; resume test",
    "dump test {f} --live",
    "dump test {f} --reset",
    "dump test {f} --bypass-cache",
    "dump test {f} --memory-only",
    "dump test {f} --memory-only --format elf",
    "dump test {f} --memory-only --format kdump-zlib",
    "dump test {f} --format kdump-zlib",        # virsh's own check
    "dump test {f} --memory-only --format bogus",   # virsh's own check
    "dump test {f} --crash --reset",
    "dump test {f} --live --crash",
    "dump test {f} --live --reset",
    "dump nosuch {f}",
    "dump test /nonexistent/dir/x.core",
    "destroy test; dump test {f}; start test",
    "dump test rel.core",
    "dump test",
]

# Scripts that fail in virsh before any API call: they tell nothing about
# the daemon, so only our CLI runs them against it.
CLIENT_ONLY = {"dump test {f} --format kdump-zlib", "dump test {f} --memory-only --format bogus"}

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "dump",
                      "virsh-test-default.json")


def mask(text, path):
    # --verbose's progress line shows only if virsh saw the job running
    text = re.sub(r"\rDump: \[[^\]]*\]", "", text)
    return text.replace(path, "FILE")


def reference():
    """[rc, stdout, stderr] per script, from Debian's virsh on test:///default."""
    if os.environ.get("TEST_REGENERATE"):
        workdir = tempfile.mkdtemp(prefix="vkt-dumpref-")
        ref = []
        path = os.path.join(workdir, "ref.core")
        for s in SCRIPTS:
            rc, out, err = run_client("virsh", workdir, "test:///default", s.format(f=path))
            t.check(rc is not None, "recorded '%s' with Debian's virsh" % s)
            ref.append([rc, mask(out, path), mask(err, path)])
        shutil.rmtree(workdir)
        with open(GOLDEN, "w") as f:
            json.dump(ref, f, indent=1)
            f.write("\n")
    with open(GOLDEN) as f:
        return json.load(f)


def run_client(argv0, cwd, uri, script):
    """(rc, stdout, stderr) of @argv0 -c @uri @script.  Debian's virsh
    sometimes never exits after a failed dump (a race in its dump thread,
    seen on its own test:///default too): it gets 15 s, three times."""
    for attempt in range(3 if argv0 == "virsh" else 1):
        try:
            p = subprocess.run([argv0, "-c", uri, script], capture_output=True, text=True,
                               env=t.client_env(), timeout=15 if argv0 == "virsh" else 60,
                               cwd=cwd)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            t.log("%s hung on '%s' (attempt %d)" % (argv0, script, attempt + 1))
    return None, "", "no answer"


def test_client(d, client, ref):
    """The scripts with @client against a fresh daemon (like the reference,
    which ran each on a fresh test:///default, they start from its state)."""
    work = os.path.join(d.root, "work")
    os.makedirs(work)
    path = os.path.join(work, "our.core")
    label = "virsh" if client == "virsh" else "virtkit"
    for i, s in enumerate(SCRIPTS):
        if client == "virsh" and s in CLIENT_ONLY:
            continue
        script = s.format(f=path)
        if os.path.exists(path):
            os.unlink(path)
        rc, out, err = run_client(client, work, d.uri(), script)
        t.check_eq([rc, mask(out, path), mask(err, path)], ref[i] if i < len(ref) else None,
                   "%s '%s': as Debian's virsh on test:///default" % (label, s))
        if s == "dump test {f}; domstate --reason test":
            with open(path, "rb") as f:
                t.check_eq(f.read(), b"TestGuestMagic\0",
                           "%s: the file holds the test driver's marker" % label)
    t.check(os.path.exists(os.path.join(work, "rel.core")),
            "%s: a relative name is the client's directory" % label)


def test_python(d):
    import libvirt

    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    timer = libvirt.virEventAddTimeout(100, lambda timer, opaque: None, None)
    th = threading.Thread(target=loop, daemon=True)
    th.start()
    got = []
    lock = threading.Lock()

    def cb(conn, dom, event, detail, opaque):
        with lock:
            got.append((dom.name(), event, detail))

    listener = libvirt.open(d.uri())
    actor = libvirt.open(d.uri())
    ro = libvirt.openReadOnly(d.uri(ro=True))
    try:
        cbid = listener.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               cb, None)
        dom = actor.lookupByName("test")
        path = os.path.join(d.root, "py.core")

        def err_of(f):
            try:
                f()
            except libvirt.libvirtError as e:
                return (e.get_error_code(), e.get_error_domain(), e.get_error_message())
            return (0, 0, "")

        def last_error(f):
            rc = f()
            e = libvirt.virGetLastError()
            return (rc, e[0], e[1], e[2]) if e else (rc,)

        # libvirt 9.0's public API checks, observed on its test:///default
        DOM, TEST = libvirt.VIR_FROM_DOMAIN, libvirt.VIR_FROM_TEST
        INVAL = libvirt.VIR_ERR_INVALID_ARG
        cases = [
            (lambda: dom.coreDumpWithFormat(path, 5, 0),
             (INVAL, DOM, "dumpformat '5' is not supported")),
            (lambda: dom.coreDumpWithFormat(path, 0xffffffff, 0),
             (INVAL, DOM, "dumpformat '-1' is not supported")),
            (lambda: dom.coreDumpWithFormat(path, 9, 3),
             (INVAL, DOM, "dumpformat '9' is not supported")),
            (lambda: dom.coreDump(path, 2 | 8),
             (INVAL, DOM, "Flags 'VIR_DUMP_LIVE' and 'VIR_DUMP_RESET' are mutually exclusive")),
            (lambda: dom.coreDump(path, 1 | 2 | 8),
             (INVAL, DOM, "Flags 'VIR_DUMP_CRASH' and 'VIR_DUMP_LIVE' are mutually exclusive")),
            (lambda: dom.coreDumpWithFormat(path, 1, 0),
             (libvirt.VIR_ERR_OPERATION_UNSUPPORTED, TEST,
              "Operation not supported: kdump-compressed format is not supported here")),
            (lambda: dom.coreDumpWithFormat(path, 0, 0x20),
             (INVAL, TEST, "unsupported flags (0x20) in function testDomainCoreDumpWithFormat")),
            (lambda: dom.coreDump("/tmp", 0),
             (libvirt.VIR_ERR_SYSTEM_ERROR, TEST,
              "domain 'test' coredump: failed to open /tmp: Is a directory")),
            (lambda: ro.lookupByName("test").coreDump(path, 0),
             (libvirt.VIR_ERR_OPERATION_DENIED, DOM,
              "operation forbidden: read only access prevents virDomainCoreDump")),
            (lambda: ro.lookupByName("test").coreDumpWithFormat(path, 9, 3),
             (libvirt.VIR_ERR_OPERATION_DENIED, DOM,
              "operation forbidden: read only access prevents virDomainCoreDumpWithFormat")),
        ]
        for i, (f, want) in enumerate(cases):
            t.check_eq(err_of(f), want, "python: API check %d" % i)
        t.check_eq(last_error(lambda: libvirt.libvirtmod.virDomainCoreDump(dom._o, None, 0)),
                   (-1, INVAL, DOM, "to in virDomainCoreDump must not be NULL"),
                   "python: a NULL file is refused")
        t.check_eq(last_error(lambda: libvirt.libvirtmod.virDomainCoreDumpWithFormat(
            dom._o, None, 9, 3)),
            (-1, INVAL, DOM, "to in virDomainCoreDumpWithFormat must not be NULL"),
            "python: a NULL file is checked before the format")
        # the test driver writes the file before it refuses a kdump format, as libvirt's
        t.check(os.path.exists(path), "python: the refused kdump dump left its file")
        os.unlink(path)

        before = dom.state()
        dom.coreDump(path, 0)
        t.check_eq(dom.state(), before, "python: the state is unchanged after a dump")
        t.check_eq(before[0], libvirt.VIR_DOMAIN_RUNNING, "python: running")
        dom.coreDumpWithFormat(path, 0, libvirt.VIR_DUMP_CRASH)
        t.check_eq(dom.state(), [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_CRASHED],
                   "python: shut off (crashed) after a CRASH dump")
        t.check_eq(err_of(lambda: dom.coreDump(path, 0))[:2],
                   (libvirt.VIR_ERR_OPERATION_INVALID, DOM), "python: an inactive domain")
        expected = [("test", libvirt.VIR_DOMAIN_EVENT_STOPPED,
                     libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED)]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if got:
                    break
            time.sleep(0.05)
        time.sleep(0.2)
        with lock:
            t.check_eq(got, expected, "python: the listener saw STOPPED_CRASHED only")
        dom.create()
        listener.domainEventDeregisterAny(cbid)
    finally:
        stop.set()
        libvirt.virEventRemoveTimeout(timer)
        th.join(5)
        ro.close()
        actor.close()
        listener.close()


def main():
    t.need_virsh()
    t.need_libvirt_python()
    ref = reference()
    t.check_eq(len(ref), len(SCRIPTS), "the reference has one entry per script")
    for client in ("virsh", os.environ["VIRTKIT"]):
        with t.Daemon() as d:
            test_client(d, client, ref)
    with t.Daemon() as d:
        test_python(d)
        t.check(d.alive(), "daemon still running")
        t.check_eq(d.terminate(), 0, "daemon exits 0 on SIGTERM")


t.run(main)
