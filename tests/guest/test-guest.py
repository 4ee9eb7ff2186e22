#!/usr/bin/python3
"""test-guest.py: the 'guest' suite: vkguest under a real qemu-system-x86_64.

Usage: test-guest.py --kernel build/tests/guest/vkguest.elf CASE
Cases: see CASES below.  Exit status 0 = pass, 1 = fail, 77 = skipped (no
QEMU).  Every QEMU started here is killed and reaped by PID in every path;
each case has a hard timeout (SIGALRM).  The accelerator is chosen by
vkguest.pick_accel() ($VKGUEST_ACCEL = kvm | tcg overrides).
"""

import argparse
import os
import signal
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vkguest  # noqa: E402
from vkguest import (CHECK_OK_RE, CORRUPT_RE, HEARTBEAT_RE, GdbStub, Guest,  # noqa: E402
                     GuestError)

HARD_TIMEOUT = 50
# serial lines that must never appear in a healthy run
BAD_RE = r"^(CORRUPT|CHECK FAILED|EXCEPTION|POWEROFF FAILED|VKGUEST warning)"


def log(msg):
    print(msg, flush=True)


def heartbeats(serial, start=0):
    """[(counter, ms, dirtied)] of the heartbeat lines seen so far."""
    return [tuple(int(x) for x in m.groups()) for m in serial.matches(HEARTBEAT_RE, start)]


def assert_clean(g):
    bad = g.serial.matches(BAD_RE)
    if bad:
        raise GuestError("%s printed: %s" % (g.name, bad[0].string))


def wait_heartbeats(g, count, timeout=10.0):
    """Wait for @count heartbeats with strictly increasing counters."""
    g.serial.wait(r"^HEARTBEAT %d " % (count - 1), timeout)
    beats = heartbeats(g.serial)
    counters = [b[0] for b in beats]
    if counters[:count] != list(range(count)):
        raise GuestError("heartbeat counters not 0..%d in order: %s" % (count - 1, counters))
    return beats


def case_boot(kernel, tmp, machine="pc"):
    with Guest(kernel, tmp, append="heartbeat_ms=100 wss_mib=4", machine=machine) as g:
        _, t_ready, _ = g.serial.wait(r"^VKGUEST ready$", 20)
        _, t_first, _ = g.serial.wait(r"^HEARTBEAT 0 ", 5)
        g.serial.wait(r"^VKGUEST options .*heartbeat_ms=100 .*wss_mib=4 ", 1)
        g.serial.wait(r"^VKGUEST acpi pm1a_evt=", 1)
        beats = wait_heartbeats(g, 4)
        ms = [b[1] for b in beats[:4]]
        if not all(b > a for a, b in zip(ms, ms[1:])):
            raise GuestError("heartbeat times do not increase: %s" % ms)
        g.serial.wait(CHECK_OK_RE, 5)
        assert_clean(g)
        log("machine=%s accel=%s spawn-to-ready=%.0f ms spawn-to-first-heartbeat=%.0f ms"
            % (machine, g.accel, (t_ready - g.spawn_time) * 1000,
               (t_first - g.spawn_time) * 1000))


def case_q35(kernel, tmp):
    case_boot(kernel, tmp, machine="q35")


def case_powerdown(kernel, tmp, machine="pc"):
    with Guest(kernel, tmp, append="heartbeat_ms=100", machine=machine) as g:
        g.serial.wait(r"^HEARTBEAT 1 ", 20)
        t0 = time.monotonic()
        g.qmp.cmd("system_powerdown")
        g.serial.wait(r"^POWEROFF$", 5)
        status = g.wait_exit(5)
        if status is None:
            raise GuestError("QEMU still running 5 s after POWEROFF")
        if status != 0:
            raise GuestError("QEMU exited with status %s: %s" % (status, g.log_tail()))
        _, ev = g.qmp.wait_event("SHUTDOWN", 1)
        if ev["data"].get("reason") != "guest-shutdown" or not ev["data"].get("guest"):
            raise GuestError("unexpected SHUTDOWN event %s" % ev)
        assert_clean(g)
        log("machine=%s accel=%s powerdown-to-exit=%.0f ms"
            % (machine, g.accel, (time.monotonic() - t0) * 1000))


def case_powerdown_q35(kernel, tmp):
    case_powerdown(kernel, tmp, machine="q35")


def case_dirty(kernel, tmp):
    rate = 50
    append = "heartbeat_ms=200 dirty_mib_s=%d wss_mib=64 check_ms=500" % rate
    with Guest(kernel, tmp, append=append) as g:
        i, _, m = g.serial.wait(r"^VKGUEST filled ms=(\d+)", 20)
        filled_ms = int(m.group(1))
        # three complete passes that began after the fill
        for n in range(3):
            i, _, _ = g.serial.wait(CHECK_OK_RE, 10, start=i + 1)
        # the rate over heartbeats that all fall after the fill (dirtying starts then)
        beats = [b for b in heartbeats(g.serial) if b[1] > filled_ms + 250]
        if len(beats) < 4:
            raise GuestError("too few heartbeats after the fill: %s" % beats)
        first, last = beats[0], beats[-1]
        guest_rate = (last[2] - first[2]) / ((last[1] - first[1]) / 1000.0) / 256.0
        if not 0.8 * rate <= guest_rate <= 1.2 * rate:
            raise GuestError("guest dirtied %.1f MiB/s, wanted %d" % (guest_rate, rate))
        # QEMU's own count of dirtied pages over one second
        # page-sampling: mode dirty-bitmap crashes QEMU 7.2 under TCG (SIGSEGV)
        g.qmp.cmd("calc-dirty-rate", {"calc-time": 1, "sample-pages": 4096})
        deadline = time.monotonic() + 10
        while True:
            res = g.qmp.cmd("query-dirty-rate")
            if res["status"] == "measured":
                break
            if time.monotonic() > deadline:
                raise GuestError("dirty rate not measured: %s" % res)
            time.sleep(0.1)
        qemu_rate = res["dirty-rate"]
        if not 0.5 * rate <= qemu_rate <= 1.5 * rate:
            raise GuestError("QEMU measured %s MB/s of dirtying, wanted about %d"
                             % (qemu_rate, rate))
        assert_clean(g)
        log("accel=%s guest-rate=%.1f MiB/s qemu-measured=%s MB/s passes=%d"
            % (g.accel, guest_rate, qemu_rate, len(g.serial.matches(CHECK_OK_RE))))


def case_corrupt_external(kernel, tmp):
    """A write into guest RAM from outside (QEMU's gdbstub) must be reported."""
    with Guest(kernel, tmp, append="heartbeat_ms=100 wss_mib=8 check_ms=200") as g:
        wss_start, _ = g.memory_layout()
        g.serial.wait(CHECK_OK_RE, 20)
        gdb_path = os.path.join(g.dir, "gdb.sock")
        g.qmp.hmp("gdbserver unix:%s,server=on,wait=off" % gdb_path)
        addr = wss_start + 5 * 4096 + 0x124
        gdb = GdbStub(gdb_path)
        try:
            old = struct.unpack("<I", gdb.read(addr, 4))[0]
            new = old ^ 0x00FF00FF
            gdb.write(addr, struct.pack("<I", new))
            if struct.unpack("<I", gdb.read(addr, 4))[0] != new:
                raise GuestError("gdbstub write did not stick")
        finally:
            gdb.detach()
        g.qmp.hmp("gdbserver none")
        i, _, m = g.serial.wait(CORRUPT_RE, 5)
        got = (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16))
        if got != (addr, old, new):
            raise GuestError("reported %s, wrote addr=0x%x old=0x%x new=0x%x"
                             % (m.string, addr, old, new))
        g.serial.wait(r"^CHECK FAILED \d+ bad_words=1$", 5, start=i)
        # the guest repaired the word: the next pass is clean again
        g.serial.wait(CHECK_OK_RE, 5, start=i)
        log("accel=%s detected: %s" % (g.accel, m.string))


def case_corrupt_selftest(kernel, tmp):
    with Guest(kernel, tmp, append="wss_mib=4 check_ms=200 selftest_corrupt=1") as g:
        _, _, m = g.serial.wait(r"^SELFTEST corrupting addr=0x([0-9a-f]+)$", 20)
        i, _, c = g.serial.wait(CORRUPT_RE, 5)
        if c.group(1) != m.group(1):
            raise GuestError("corrupted 0x%s, reported %s" % (m.group(1), c.string))
        g.serial.wait(r"^CHECK FAILED ", 5, start=i)
        log("accel=%s detected: %s" % (g.accel, c.string))


def case_random(kernel, tmp):
    """random_mib: the area after the working set holds xorshift32 words,
    every page non-zero and different (read back with QMP pmemsave)."""
    with Guest(kernel, tmp, append="heartbeat_ms=100 wss_mib=4 random_mib=8") as g:
        wss_start, _ = g.memory_layout()
        _, _, m = g.serial.wait(r"^VKGUEST random start=0x([0-9a-f]+) pages=(\d+)$", 20)
        start, pages = int(m.group(1), 16), int(m.group(2))
        if start != wss_start + 4 * 1024 * 1024 or pages != 8 * 256:
            raise GuestError("random area at 0x%x, %d pages; expected 0x%x, 2048"
                             % (start, pages, wss_start + 4 * 1024 * 1024))
        g.serial.wait(r"^VKGUEST random filled ms=\d+$", 20)
        dump = os.path.join(g.dir, "random.bin")
        g.qmp.cmd("pmemsave", {"val": start, "size": pages * 4096, "filename": dump})
        with open(dump, "rb") as f:
            data = f.read()
        words = struct.unpack("<%dI" % (len(data) // 4), data)
        x = 0x2545F491
        for i in range(4096):
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            if words[i] != x:
                raise GuestError("word %d is 0x%08x, xorshift32 gives 0x%08x" % (i, words[i], x))
        chunks = [data[i:i + 4096] for i in range(0, len(data), 4096)]
        if len(set(chunks)) != pages or bytes(4096) in chunks:
            raise GuestError("random pages are not all distinct and non-zero")
        g.serial.wait(CHECK_OK_RE, 10)
        assert_clean(g)
        log("accel=%s random area 0x%x, %d pages checked" % (g.accel, start, pages))


def case_migrate(kernel, tmp):
    """Local live migration of a dirtying guest: it keeps running, memory intact."""
    append = "heartbeat_ms=100 dirty_mib_s=20 wss_mib=32 check_ms=300"
    mig_sock = os.path.join(tmp, "migrate.sock")
    src = Guest(kernel, tmp, append=append, name="src")
    dst = Guest(kernel, tmp, append=append, name="dst", incoming="defer")
    try:
        src.start()
        dst.start()
        src.serial.wait(CHECK_OK_RE, 20)
        for g in (src, dst):
            g.qmp.cmd("migrate-set-capabilities",
                      {"capabilities": [{"capability": "events", "state": True}]})
        src.qmp.cmd("migrate-set-parameters", {"max-bandwidth": 4 << 30})
        dst.qmp.cmd("migrate-incoming", {"uri": "unix:%s" % mig_sock})
        t0 = time.monotonic()
        src.qmp.cmd("migrate", {"uri": "unix:%s" % mig_sock})
        src.qmp.wait_event("MIGRATION", 30,
                           check=lambda e: e["data"]["status"] in ("completed", "failed"))
        status = src.qmp.cmd("query-migrate")
        if status.get("status") != "completed":
            raise GuestError("migration did not complete: %s" % status)
        dst.qmp.wait_event("RESUME", 10)
        last_src = heartbeats(src.serial)[-1][0]
        _, _, m = dst.serial.wait(HEARTBEAT_RE, 10)
        first_dst = int(m.group(1))
        if not last_src < first_dst <= last_src + 2:
            raise GuestError("heartbeat went from %d (source) to %d (destination)"
                             % (last_src, first_dst))
        # two complete verification passes on the destination
        i, _, _ = dst.serial.wait(CHECK_OK_RE, 10)
        dst.serial.wait(CHECK_OK_RE, 10, start=i + 1)
        for g in (src, dst):
            assert_clean(g)
        ram = status.get("ram", {})
        log("accel=%s migrated in %.0f ms (downtime %s ms, %s bytes); heartbeat %d -> %d"
            % (src.accel, (time.monotonic() - t0) * 1000, status.get("downtime"),
               ram.get("transferred"), last_src, first_dst))
    finally:
        src.kill()
        dst.kill()


def case_panic_pvpanic(kernel, tmp):
    # -no-shutdown as libvirt passes it: QEMU then pauses a panicked guest
    with Guest(kernel, tmp, append="panic_after_s=1",
               extra_args=["-device", "pvpanic", "-no-shutdown"]) as g:
        g.serial.wait(r"^PANIC pvpanic$", 20)
        _, ev = g.qmp.wait_event("GUEST_PANICKED", 5)
        if ev["data"].get("action") != "pause":
            raise GuestError("unexpected event %s" % ev)
        st = g.qmp.cmd("query-status")
        if st["status"] != "guest-panicked":
            raise GuestError("status %s after pvpanic" % st)
        log("accel=%s %s, status %s" % (g.accel, ev["event"], st["status"]))


def case_panic_triple(kernel, tmp):
    with Guest(kernel, tmp, append="panic_after_s=1", extra_args=["-no-reboot"]) as g:
        g.serial.wait(r"^PANIC triple-fault$", 20)
        status = g.wait_exit(5)
        if status is None:
            raise GuestError("QEMU still running after the triple fault")
        _, ev = g.qmp.wait_event("SHUTDOWN", 1)
        if ev["data"].get("reason") != "guest-reset":
            raise GuestError("unexpected SHUTDOWN event %s" % ev)
        log("accel=%s QEMU exited (%s) with SHUTDOWN reason %s"
            % (g.accel, status, ev["data"]["reason"]))


CASES = {
    "boot": case_boot,
    "q35": case_q35,
    "powerdown": case_powerdown,
    "powerdown-q35": case_powerdown_q35,
    "dirty": case_dirty,
    "corrupt-external": case_corrupt_external,
    "corrupt-selftest": case_corrupt_selftest,
    "migrate": case_migrate,
    "random": case_random,
    "panic-pvpanic": case_panic_pvpanic,
    "panic-triple": case_panic_triple,
}


class HardTimeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise HardTimeout("hard timeout of %d s" % HARD_TIMEOUT)


def _on_term(signum, frame):
    raise SystemExit("terminated by signal %d" % signum)


def dump_logs(tmp):
    for root, _, files in sorted(os.walk(tmp)):
        for name in sorted(files):
            if name.endswith(".log"):
                path = os.path.join(root, name)
                with open(path, errors="replace") as f:
                    lines = f.readlines()
                log("--- %s (last 40 lines)" % os.path.relpath(path, tmp))
                sys.stdout.write("".join(lines[-40:]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", required=True)
    parser.add_argument("case", choices=sorted(CASES))
    args = parser.parse_args()

    if not vkguest.find_qemu():
        log("SKIP: qemu-system-x86_64 not found")
        return 77
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(HARD_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="vkguest-") as tmp:
        try:
            CASES[args.case](os.path.abspath(args.kernel), tmp)
        except (GuestError, HardTimeout, SystemExit) as e:
            log("FAIL %s: %s" % (args.case, e))
            dump_logs(tmp)
            return 1
        finally:
            signal.alarm(0)
    log("PASS %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
