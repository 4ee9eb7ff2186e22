#!/usr/bin/python3
"""Run bench-api against virtkit and against the system libvirt, in one go.

Both binaries come from the same source (bench/bench-api.c).  Each is run
--runs times, alternating which goes first; every figure is the median over
the runs.  Output: a human table with the ratio virtkit/libvirt and whether
the issue's target is met, then one JSON object per figure.

Usage: bench/run-bench-api.py [--build-dir DIR] [--runs K] [--domains N]
                              [--only virtkit|libvirt] [--markdown] [--check]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

# figure -> (target description, predicate on ratio virtkit/libvirt).
# Figures not listed here are informational (no target).
TARGETS = {
    "list_all_1_ms": ("<= 1", lambda r: r <= 1.0),
    "list_all_1001_ms": ("<= 1", lambda r: r <= 1.0),
    "list_all_n_ms": ("< 0.5", lambda r: r < 0.5),
    "define_first_1000_ms": ("<= 1", lambda r: r <= 1.0),
    "define_all_ms": ("<= 1", lambda r: r <= 1.0),
    "define_rate": (">= 1", lambda r: r >= 1.0),
    "lookup_name_rate": (">= 1", lambda r: r >= 1.0),
    "lookup_uuid_rate": (">= 1", lambda r: r >= 1.0),
    "getinfo_rate": (">= 1", lambda r: r >= 1.0),
    "getinfo_one_rate": (">= 1", lambda r: r >= 1.0),
    "undefine_all_ms": ("<= 1", lambda r: r <= 1.0),
    "undefine_rate": (">= 1", lambda r: r >= 1.0),
    "mem_per_domain_bytes": ("<= 1", lambda r: r <= 1.0),
}

LABELS = ("virtkit", "libvirt")


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(here), "build"),
                    help="meson build directory (default: ../build next to bench/)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs of each binary; figures are medians (default: 3)")
    ap.add_argument("--domains", type=int, default=10000,
                    help="domains to define (default: 10000)")
    ap.add_argument("--getinfo-seconds", default="1",
                    help="duration of the GetInfo loop (default: 1)")
    ap.add_argument("--only", choices=LABELS,
                    help="run one of the two binaries only")
    ap.add_argument("--markdown", action="store_true",
                    help="also print the table in Markdown (for docs/benchmarks.md)")
    ap.add_argument("--check", action="store_true",
                    help="exit with status 3 when a target is missed")
    args = ap.parse_args()
    if args.runs < 1 or args.domains < 1:
        ap.error("--runs and --domains must be at least 1")
    return args


def binary_env(label, build_dir):
    """Environment that makes each binary load the intended library."""
    env = dict(os.environ)
    env.pop("LIBVIRT_DEFAULT_URI", None)
    env.pop("LD_PRELOAD", None)
    if label == "virtkit":
        # The build-tree RUNPATH already points at src/; LD_LIBRARY_PATH
        # takes precedence over RUNPATH, so set it to the same place.
        env["LD_LIBRARY_PATH"] = os.path.join(build_dir, "src")
    else:
        # Nothing may steer the system binary to the build tree.
        env.pop("LD_LIBRARY_PATH", None)
    return env


def run_once(label, exe, args):
    cmd = [exe, "--json", "--label", label, "--domains", str(args.domains),
           "--getinfo-seconds", args.getinfo_seconds]
    proc = subprocess.run(cmd, env=binary_env(label, args.build_dir),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise RuntimeError("%s exited with status %d" % (exe, proc.returncode))
    meta = None
    figures = {}
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        if obj["figure"] == "meta":
            meta = obj
        else:
            figures[obj["figure"]] = obj
    if meta is None:
        raise RuntimeError("%s printed no meta line" % exe)
    return meta, figures


def check_library(label, meta, build_dir):
    """Refuse to report figures measured on the wrong library."""
    lib = os.path.realpath(meta["library"])
    in_build = lib.startswith(os.path.realpath(build_dir) + os.sep)
    if label == "virtkit" and not in_build:
        raise RuntimeError("bench-api-virtkit loaded %s, not the build tree's library" % lib)
    if label == "libvirt" and in_build:
        raise RuntimeError("bench-api-libvirt loaded the build tree's library %s" % lib)


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "calls/s":
        return "{:,.0f}".format(value)
    if unit == "ms":
        if value < 1:
            return "{:.4g}".format(value)
        return "{:.3f}".format(value) if value < 10 else "{:,.1f}".format(value)
    if unit == "bytes":
        return "{:,.0f}".format(value)
    return "{:,.0f}".format(value)


def main():
    args = parse_args()
    args.build_dir = os.path.abspath(args.build_dir)
    exes = {
        "virtkit": os.path.join(args.build_dir, "bench", "bench-api-virtkit"),
        "libvirt": os.path.join(args.build_dir, "bench", "bench-api-libvirt"),
    }
    labels = [args.only] if args.only else list(LABELS)
    for label in labels:
        if not os.access(exes[label], os.X_OK):
            sys.exit("run-bench-api: %s not built (ninja -C %s)" % (exes[label], args.build_dir))

    load_start = os.getloadavg()[0]
    metas = {}
    samples = {label: {} for label in labels}   # label -> figure -> [values]
    info = {}                                   # figure -> (unit, better, desc)
    for r in range(args.runs):
        order = labels if r % 2 == 0 else list(reversed(labels))
        for label in order:
            meta, figures = run_once(label, exes[label], args)
            check_library(label, meta, args.build_dir)
            metas[label] = meta
            for name, obj in figures.items():
                samples[label].setdefault(name, []).append(obj["value"])
                info.setdefault(name, (obj["unit"], obj["better"], obj["desc"]))

    med = {label: {name: statistics.median(v) for name, v in samples[label].items()}
           for label in labels}

    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_end = os.getloadavg()[0]
    print("bench-api: %s, %s, %d CPUs, %d domains, median of %d run(s)"
          % (date, platform.platform(), os.cpu_count() or 0, args.domains, args.runs))
    # Other work on the machine skews both columns; say how busy it was.
    print("  load average (1 min): %.2f at start, %.2f at end" % (load_start, load_end))
    for label in labels:
        v = metas[label]["lib_version"]
        print("  %-8s %s (API %d.%d.%d)" % (label, metas[label]["library"],
                                            v // 1000000, (v // 1000) % 1000, v % 1000))
    print()

    rows = []
    for name, (unit, better, desc) in info.items():
        vk = med.get("virtkit", {}).get(name)
        lv = med.get("libvirt", {}).get(name)
        ratio = vk / lv if vk is not None and lv not in (None, 0) else None
        target, pred = TARGETS.get(name, ("", None))
        met = pred(ratio) if pred and ratio is not None else None
        rows.append((name, unit, better, desc, vk, lv, ratio, target, met))

    head = ("%-52s %14s %14s %8s  %s" % ("figure", "virtkit", "libvirt", "ratio", "target"))
    print(head)
    print("-" * len(head))
    for name, unit, better, desc, vk, lv, ratio, target, met in rows:
        verdict = "" if met is None else ("ok" if met else "MISSED")
        print("%-52s %14s %14s %8s  %s %s" % (
            "%s [%s]" % (desc, unit), fmt(vk, unit), fmt(lv, unit),
            "-" if ratio is None else "%.2f" % ratio, target, verdict))
    print()

    if args.markdown:
        print("| Figure | Unit | virtkit | libvirt | virtkit/libvirt | Target | Met |")
        print("|---|---|---:|---:|---:|---|---|")
        for name, unit, better, desc, vk, lv, ratio, target, met in rows:
            print("| %s | %s | %s | %s | %s | %s | %s |" % (
                desc, unit, fmt(vk, unit), fmt(lv, unit),
                "-" if ratio is None else "%.2f" % ratio, target or "-",
                "-" if met is None else ("yes" if met else "**no**")))
        print()

    for name, unit, better, desc, vk, lv, ratio, target, met in rows:
        print(json.dumps({
            "bench": "api", "figure": name, "unit": unit, "better": better,
            "virtkit": vk, "libvirt": lv,
            "ratio": None if ratio is None else round(ratio, 4),
            "target": target or None, "met": met, "runs": args.runs,
            "domains": args.domains, "date": date,
            "loadavg": [round(load_start, 2), round(load_end, 2)],
        }))

    if args.check and any(row[8] is False for row in rows):
        return 3
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        sys.exit("run-bench-api: %s" % e)
