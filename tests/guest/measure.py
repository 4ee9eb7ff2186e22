#!/usr/bin/python3
"""measure.py: figures for docs/test-guest.md (not part of `meson test`).

    measure.py --kernel build/tests/guest/vkguest.elf [--accel kvm|tcg] [--runs 10]

Prints, as medians over --runs boots of `-machine pc`, the time from spawning
QEMU to: QEMU's QMP greeting, the guest's first serial line, and its first
heartbeat; then the host CPU used by an idle guest (default options, or
--idle-append) over 5 seconds.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vkguest import Guest  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--accel", choices=["kvm", "tcg"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--idle-append", default="",
                        help="kernel command line of the idle guest")
    args = parser.parse_args()
    kernel = os.path.abspath(args.kernel)

    qmp_ms, first_ms, beat_ms = [], [], []
    accel = None
    with tempfile.TemporaryDirectory(prefix="vkguest-measure-") as tmp:
        for i in range(args.runs):
            with Guest(kernel, tmp, name="boot%d" % i, accel=args.accel,
                       append="heartbeat_ms=100") as g:
                accel = g.accel
                t_qmp = time.monotonic()
                _, t_first, _ = g.serial.wait(r"^VKGUEST \d+ booting$", 60)
                _, t_beat, _ = g.serial.wait(r"^HEARTBEAT 0 ", 60)
                qmp_ms.append((t_qmp - g.spawn_time) * 1000)
                first_ms.append((t_first - g.spawn_time) * 1000)
                beat_ms.append((t_beat - g.spawn_time) * 1000)
        print("accel=%s runs=%d (medians, from spawning QEMU)" % (accel, args.runs))
        print("  QMP greeting answered:   %7.1f ms" % statistics.median(qmp_ms))
        print("  first guest serial line: %7.1f ms" % statistics.median(first_ms))
        print("  first heartbeat:         %7.1f ms" % statistics.median(beat_ms))

        with Guest(kernel, tmp, name="idle", accel=args.accel, append=args.idle_append) as g:
            g.serial.wait(r"^HEARTBEAT 1 ", 60)
            c0, t0 = cpu_seconds(g.proc.pid), time.monotonic()
            time.sleep(args.idle_seconds)
            c1, t1 = cpu_seconds(g.proc.pid), time.monotonic()
            print("  idle guest [%s]: %.1f %% of one host CPU"
                  % (args.idle_append or "defaults", 100 * (c1 - c0) / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
