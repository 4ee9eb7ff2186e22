#!/usr/bin/python3
"""Core dumps of a real TCG guest through virtkitd's QEMU driver (issue #6).

- memory-only ELF dump (python3-libvirt): an ELF core whose PT_LOAD
  segments cover the guest's RAM; the guest was paused (reason dump) and
  runs again (unpaused), its heartbeat continues; events SUSPENDED_PAUSED
  then RESUMED_UNPAUSED.
- a memory-only dump QEMU cannot write (a link to /dev/full): VIR_ERR_OPERATION_FAILED
  with QEMU's reason from DUMP_COMPLETED; the guest runs again.
- after a dump, GetJobStats(COMPLETED) and virsh domjobinfo --completed show
  it (operation DUMP; a memory-only dump with its memory figures only).
- kdump-zlib (when QEMU lists it): makedumpfile's flattened format.
- default dump with Debian's virsh and with our CLI (--live too): QEMU's
  migration stream ("QEVM"), the guest beats on afterwards.
- a slow dump (the file is a FIFO read slowly): virDomainGetJobInfo and
  GetJobStats show it (operation DUMP), virDomainAbortJob aborts it
  (VIR_ERR_OPERATION_ABORTED) and the guest runs again; a memory-only dump
  refuses the abort (VIR_ERR_OPERATION_INVALID) and completes.  The same
  for a slow virDomainSave (operation SAVE, virsh domjobabort).
- --reset: the guest boots again (heartbeat 0); --crash: shut off
  (crashed), STOPPED_CRASHED, its QEMU gone.
- errors: kdump format without memory-only, bypass-cache, a missing
  directory, an inactive domain.
Every QEMU pid is recorded and killed on the way out.
"""

import os
import re
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkdtest as t  # noqa: E402
from test_qemu import (QEMU, EventListener, guest_xml, kill_qemus, process_gone,  # noqa: E402
                       qemu_pid, vk, wait_for)

RUNNING, PAUSED, SHUTOFF = 1, 3, 5
RUNNING_UNPAUSED, RUNNING_SAVE_CANCELED, PAUSED_DUMP, SHUTOFF_CRASHED = 5, 7, 4, 3
SUSPENDED, RESUMED, STOPPED = 3, 4, 5
GUEST_RAM = 32 * 1024 * 1024


def serial(d, name):
    try:
        with open(os.path.join(d.root, name + ".serial"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def beats(d, name):
    return [int(n) for n in re.findall(r"^HEARTBEAT (\d+) ", serial(d, name), re.M)]


def beats_on(d, name, what):
    """The guest prints at least 2 heartbeats more than now."""
    n = len(beats(d, name))
    t.check(wait_for(lambda: len(beats(d, name)) >= n + 2, timeout=30),
            "%s: the heartbeat continues" % what, serial(d, name)[-300:])


def elf_load_bytes(path):
    """Sum of the PT_LOAD segments' file sizes of an ELF64 core."""
    with open(path, "rb") as f:
        hdr = f.read(64)
        t.check_eq(hdr[:4], b"\x7fELF", "the memory-only dump is an ELF file")
        t.check_eq((hdr[4], struct.unpack("<H", hdr[16:18])[0]), (2, 4),
                   "ELF64, type ET_CORE")
        phoff = struct.unpack("<Q", hdr[32:40])[0]
        phentsize, phnum = struct.unpack("<HH", hdr[54:58])
        total = 0
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = f.read(phentsize)
            p_type = struct.unpack("<I", ph[0:4])[0]
            if p_type == 1:
                total += struct.unpack("<Q", ph[32:40])[0]
        return total


def code_of(libvirt, f):
    try:
        f()
    except libvirt.libvirtError as e:
        return e.get_error_code(), e.get_error_message()
    return 0, ""


class SlowFifo:
    """A FIFO at @path whose reader drains it slowly (or fast once told)."""

    def __init__(self, path):
        self.path = path
        os.mkfifo(path)
        self.fast = False
        self.got = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            with open(self.path, "rb", buffering=0) as f:
                while True:
                    b = f.read(1 << 20 if self.fast else 32 * 1024)
                    if not b:
                        break
                    self.got += len(b)
                    if not self.fast:
                        time.sleep(0.05)
        finally:
            self.done.set()

    def close(self):
        self.fast = True
        if not self.done.wait(30):
            # nobody opened it for writing: unblock our own open
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
            except OSError:
                pass
            self.done.wait(5)
        if os.path.exists(self.path):
            os.unlink(self.path)


def in_thread(f):
    """Runs @f in a thread; returns (thread, result list: [error code, message])."""
    res = []

    def run():
        try:
            f()
            res.append((0, ""))
        except Exception as e:  # libvirtError
            res.append((e.get_error_code(), e.get_error_message()))
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th, res


def test_dumps(d, libvirt):
    uri = d.uri(driver="qemu", path="/system")
    conn = libvirt.open(uri)
    listener = EventListener(libvirt, uri)
    try:
        dom = conn.defineXML(guest_xml(d.root, "dp"))
        dom.create()
        pid = qemu_pid(d, "dp")
        t.check(wait_for(lambda: len(beats(d, "dp")) >= 3, timeout=30), "the guest beats",
                serial(d, "dp")[-300:])

        # memory-only, ELF
        path = os.path.join(d.root, "dp.elf")
        dom.coreDumpWithFormat(path, libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
                               libvirt.VIR_DUMP_MEMORY_ONLY)
        load = elf_load_bytes(path)
        t.check(GUEST_RAM <= load < GUEST_RAM + 16 * 1024 * 1024,
                "the PT_LOAD segments cover the guest's RAM", str(load))
        t.check_eq(dom.state(), [RUNNING, RUNNING_UNPAUSED], "after the dump: running (unpaused)")
        ev = lambda: listener.of("dp")  # noqa: E731
        t.check(wait_for(lambda: [(SUSPENDED, 0), (RESUMED, 0)] == ev()[-2:], timeout=10),
                "events: SUSPENDED_PAUSED, RESUMED_UNPAUSED", str(ev()))
        beats_on(d, "dp", "memory-only dump")
        stats = dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
        t.check_eq((stats.get("type"), stats.get("operation")),
                   (libvirt.VIR_DOMAIN_JOB_COMPLETED, libvirt.VIR_DOMAIN_JOB_OPERATION_DUMP),
                   "completed job stats after the memory-only dump: COMPLETED, operation DUMP")
        t.check(stats.get("memory_total", 0) >= GUEST_RAM and
                stats.get("memory_processed") == stats.get("memory_total") and
                stats.get("memory_remaining") == 0 and "time_elapsed" in stats and
                "data_total" not in stats,
                "completed memory-only dump stats: the memory figures (as libvirt)", str(stats))
        t.check_eq(dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED).get("type"),
                   libvirt.VIR_DOMAIN_JOB_NONE, "the completed stats were read once")

        # a memory-only dump QEMU fails to write (a link to /dev/full): the
        # reason comes from QEMU's DUMP_COMPLETED, the guest runs again
        path = os.path.join(d.root, "dp.full")
        os.symlink("/dev/full", path)
        rc, msg = code_of(libvirt, lambda: dom.coreDump(path, libvirt.VIR_DUMP_MEMORY_ONLY))
        t.check(rc == libvirt.VIR_ERR_OPERATION_FAILED and
                msg.startswith("operation failed: memory-only dump failed: ") and
                "unknown reason" not in msg,
                "a failed memory-only dump reports QEMU's reason", "%s %s" % (rc, msg))
        t.log("failed memory-only dump: %s" % msg)
        t.check(not os.path.lexists(path), "the failed dump removed its file (the link)")
        t.check(os.path.exists("/dev/full"), "/dev/full is still there")
        t.check_eq(dom.state(), [RUNNING, RUNNING_UNPAUSED], "after the failed dump: running")

        # kdump-zlib if this QEMU offers it
        path = os.path.join(d.root, "dp.kdump")
        rc, msg = code_of(libvirt, lambda: dom.coreDumpWithFormat(
            path, libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, libvirt.VIR_DUMP_MEMORY_ONLY))
        if rc == libvirt.VIR_ERR_INVALID_ARG and "for this QEMU binary" in msg:
            t.log("QEMU offers no kdump-zlib: %s" % msg)
        else:
            t.check_eq(rc, 0, "kdump-zlib dump: %s" % msg)
            with open(path, "rb") as f:
                t.check_eq(f.read(12), b"makedumpfile", "kdump-zlib: makedumpfile's signature")

        # default: QEMU's migration stream, Debian's virsh then our CLI
        path = os.path.join(d.root, "dp.core")
        rc, out, err = t.virsh(uri, "dump", "dp", path)
        t.check_eq((rc, out), (0, "\nDomain 'dp' dumped to %s\n\n" % path), "virsh dump: %s" % err)
        with open(path, "rb") as f:
            t.check_eq(f.read(4), b"QEVM", "the default dump is QEMU's migration stream")
        t.check(os.path.getsize(path) > GUEST_RAM // 4, "the stream holds the RAM",
                str(os.path.getsize(path)))
        t.check_eq(dom.state(), [RUNNING, RUNNING_UNPAUSED], "after virsh dump: running")
        rc, out, err = t.virsh(uri, "domjobinfo", "dp", "--completed")
        t.check(rc == 0 and re.search(r"^Job type:\s+Completed\s*$", out, re.M) and
                re.search(r"^Operation:\s+Dump\s*$", out, re.M) and
                re.search(r"^Data processed:", out, re.M),
                "virsh domjobinfo --completed shows the dump", out + err)
        beats_on(d, "dp", "virsh dump")
        os.unlink(path)
        for extra in ([], ["--live"], ["--memory-only", "--format", "elf"]):
            rc, out, err = vk(uri, "dump", "dp", path, *extra)
            t.check_eq((rc, out), (0, "\nDomain 'dp' dumped to %s\n\n" % path),
                       "virtkit dump %s: %s" % (" ".join(extra), err))
            with open(path, "rb") as f:
                magic = f.read(4)
            t.check_eq(magic, b"\x7fELF" if extra[:1] == ["--memory-only"] else b"QEVM",
                       "virtkit dump %s: the file's magic" % " ".join(extra))
            t.check_eq(dom.state()[0], RUNNING, "after virtkit dump %s: running" % " ".join(extra))
        beats_on(d, "dp", "virtkit dump")

        # a slow dump: job info, stats, abort
        fifo = SlowFifo(os.path.join(d.root, "dp.fifo"))
        try:
            th, res = in_thread(lambda: dom.coreDump(fifo.path, 0))
            t.check(wait_for(lambda: fifo.got > 256 * 1024, timeout=30),
                    "the slow dump streams", str(fifo.got))
            info = dom.jobInfo()
            t.check(info[0] == libvirt.VIR_DOMAIN_JOB_UNBOUNDED and info[3] > 0 and
                    info[4] > 0, "job info during the dump: unbounded, data total", str(info))
            stats = dom.jobStats()
            t.check_eq((stats.get("type"), stats.get("operation")),
                       (libvirt.VIR_DOMAIN_JOB_UNBOUNDED, libvirt.VIR_DOMAIN_JOB_OPERATION_DUMP),
                       "job stats during the dump: operation DUMP")
            t.check_eq(dom.state(), [PAUSED, PAUSED_DUMP], "during the dump: paused (dump)")
            rc, out, err = t.virsh(uri, "domjobinfo", "dp")
            t.check(rc == 0 and re.search(r"^Operation:\s+Dump\s*$", out, re.M),
                    "virsh domjobinfo shows the dump", out + err)
            dom.abortJob()
            th.join(60)
            t.check(not th.is_alive(), "the aborted dump returns")
            t.check_eq(res[:1] and res[0][0], libvirt.VIR_ERR_OPERATION_ABORTED,
                       "the dump fails with VIR_ERR_OPERATION_ABORTED: %s" % res)
            t.check_eq(dom.state(), [RUNNING, RUNNING_UNPAUSED], "after the abort: running")
            t.check_eq(dom.jobInfo()[0], libvirt.VIR_DOMAIN_JOB_NONE, "no job after the abort")
        finally:
            fifo.close()
        beats_on(d, "dp", "aborted dump")

        fifo = SlowFifo(os.path.join(d.root, "dp.fifo"))
        try:
            th, res = in_thread(lambda: dom.coreDump(fifo.path, libvirt.VIR_DUMP_MEMORY_ONLY))
            t.check(wait_for(lambda: fifo.got > 64 * 1024, timeout=30),
                    "the slow memory-only dump streams", str(fifo.got))
            t.check_eq(dom.jobInfo()[0], libvirt.VIR_DOMAIN_JOB_UNBOUNDED,
                       "job info during the memory-only dump")
            rc, msg = code_of(libvirt, dom.abortJob)
            t.check_eq((rc, msg), (libvirt.VIR_ERR_OPERATION_INVALID,
                                   "Requested operation is not valid: "
                                   "cannot abort memory-only dump"),
                       "a memory-only dump cannot be aborted")
            fifo.fast = True
            th.join(60)
            t.check_eq(res, [(0, "")], "the memory-only dump completes")
        finally:
            fifo.close()

        # the same for a save (virDomainSave is a job too)
        fifo = SlowFifo(os.path.join(d.root, "dp.fifo"))
        try:
            th, res = in_thread(lambda: dom.save(fifo.path))
            t.check(wait_for(lambda: fifo.got > 256 * 1024, timeout=30),
                    "the slow save streams", str(fifo.got))
            info = dom.jobInfo()
            t.check(info[0] == libvirt.VIR_DOMAIN_JOB_UNBOUNDED and info[3] > 0,
                    "job info during the save: unbounded, data total", str(info))
            stats = dom.jobStats()
            t.check_eq((stats.get("type"), stats.get("operation")),
                       (libvirt.VIR_DOMAIN_JOB_UNBOUNDED, libvirt.VIR_DOMAIN_JOB_OPERATION_SAVE),
                       "job stats during the save: operation SAVE")
            rc, out, err = t.virsh(uri, "domjobabort", "dp")
            t.check(rc == 0, "virsh domjobabort during the save", err)
            th.join(60)
            t.check_eq(res, [(libvirt.VIR_ERR_OPERATION_ABORTED,
                              "operation aborted: job 'domain save' canceled by client")],
                       "the save fails as aborted")
            t.check_eq(dom.state(), [RUNNING, RUNNING_SAVE_CANCELED],
                       "after the aborted save: running (save canceled)")
            t.check(not os.path.exists(fifo.path), "the aborted save removed its file")
        finally:
            fifo.close()
        beats_on(d, "dp", "aborted save")

        # --reset: the guest boots again
        rc, out, err = t.virsh(uri, "dump", "dp", path, "--reset")
        t.check(rc == 0, "virsh dump --reset", err)
        t.check(wait_for(lambda: beats(d, "dp").count(0) >= 2, timeout=30),
                "after --reset the guest boots again (heartbeat 0)", serial(d, "dp")[-300:])
        t.check_eq(dom.state()[0], RUNNING, "after --reset: running")

        # errors
        t.check_eq(code_of(libvirt, lambda: dom.coreDumpWithFormat(
            path, libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0)),
            (libvirt.VIR_ERR_OPERATION_UNSUPPORTED, "Operation not supported: kdump-compressed "
             "format is only supported with memory-only dump"),
            "a kdump format without memory-only is refused")
        t.check_eq(code_of(libvirt, lambda: dom.coreDump(path, libvirt.VIR_DUMP_BYPASS_CACHE))[0],
                   libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, "bypass-cache is refused")
        rc, msg = code_of(libvirt, lambda: dom.coreDump("/nonexistent/dir/x", 0))
        t.check(rc == libvirt.VIR_ERR_SYSTEM_ERROR and "/nonexistent/dir/x" in msg,
                "a missing directory is a system error", msg)
        t.check_eq(dom.state()[0], RUNNING, "after the errors: running")

        # --crash: shut off (crashed)
        rc, out, err = t.virsh(uri, "dump", "dp", path, "--crash")
        t.check(rc == 0, "virsh dump --crash", err)
        t.check_eq(dom.state(), [SHUTOFF, SHUTOFF_CRASHED], "after --crash: shut off (crashed)")
        t.check(wait_for(lambda: process_gone(pid), timeout=10), "--crash: its QEMU is gone")
        t.check(wait_for(lambda: (STOPPED, 2) in ev(), timeout=10), "event STOPPED_CRASHED",
                str(ev()))
        t.check_eq(code_of(libvirt, lambda: dom.coreDump(path, 0))[0],
                   libvirt.VIR_ERR_OPERATION_INVALID, "dumping an inactive domain")
        dom.undefine()
    finally:
        listener.close()
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

    d = t.Daemon()
    try:
        test_dumps(d, libvirt)
        t.check_eq(d.terminate(), 0, "daemon stops cleanly (SIGTERM)")
    except BaseException:
        t.log("daemon log:\n" + d.log()[-4000:])
        raise
    finally:
        kill_qemus()
        d.kill()


if __name__ == "__main__":
    t.run(main, timeout=200)
