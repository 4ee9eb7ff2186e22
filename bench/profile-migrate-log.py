#!/usr/bin/python3
"""Per-interval profile of virtkitd migrations, from both daemons' debug logs.

Reads the two daemon logs that `run-bench-migrate.py --keep-tmp
--vk-log-filters "1:qemu 1:migration 1:rpc.server 3:*"` leaves in
TMP/pair/host{a,b}/virtkitd.log, finds every migration (a Begin3 job on
one host, then the Prepare3 job of the same domain on the other), stamps
the moments below and prints, per interval, the median and range over all
migrations (of the configurations whose guest names match --match).

Usage: bench/profile-migrate-log.py TMPDIR... [--match direct] [--all] [--json]
Several TMPDIRs (runs) are pooled.
The first migration of each configuration (the benchmark's warm-up) is
left out unless --all.

Intervals (S: source daemon, D: destination daemon):
  begin      S Begin3 job started -> D Prepare3 job started
  prep-exec  D Prepare3 job started -> D QEMU exec'd
  greeting   D QEMU exec'd -> D QMP greeting read
  caps       D greeting -> D qmp_capabilities reply
  incoming   D qmp_capabilities reply -> D Prepare3 job ended
  to-perform D Prepare3 job ended -> S Perform3 job started
  perf-mig   S Perform3 job started -> S `migrate` sent
  pass1      S `migrate` sent -> S `pre-switchover` read
  continue   S `pre-switchover` read -> S `migrate-continue` sent
  switch     S `migrate-continue` sent -> S `completed` read
  perf-end   S `completed` read -> S Perform3 job ended
  to-finish  S Perform3 job ended -> D Finish3 job started
  cont       D Finish3 job started -> D RESUME read
  fin-end    D RESUME read -> D Finish3 job ended
  to-confirm D Finish3 job ended -> S Confirm3 job started
  kill       S Confirm3 job started -> S SIGKILL sent
  exit       S SIGKILL sent -> S Confirm3 job ended
  total      S Begin3 job started -> S Confirm3 job ended
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys

LINE_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\+0000: (\d+): \w+ : (.*)$")
DOM_RE = re.compile(r"domain '([^']+)'|monitor '([^']+)'|monitor of '([^']+)'")

# (key, side, pattern): the first line of @side matching @pattern after the
# previous key was stamped
STEPS = (
    ("begin", "S", "(virDomainMigrateBegin3Params) started"),
    ("prepare", "D", "(virDomainMigratePrepare3Params) started"),
    ("exec", "D", "QEMU started, pid"),
    ("greeting", "D", "recv: {\"QMP\""),
    ("capsreply", "D", "\"id\": \"vk-1\"}"),
    ("prepend", "D", "(virDomainMigratePrepare3Params) ended"),
    ("perform", "S", "(virDomainMigratePerform3Params) started"),
    ("migrate", "S", "send: {\"execute\":\"migrate\","),
    ("presw", "S", "\"status\": \"pre-switchover\""),
    ("contsent", "S", "send: {\"execute\":\"migrate-continue\""),
    ("completed", "S", "\"status\": \"completed\"}"),
    ("perfend", "S", "(virDomainMigratePerform3Params) ended"),
    ("finish", "D", "(virDomainMigrateFinish3Params) started"),
    ("resume", "D", "\"event\": \"RESUME\""),
    ("finend", "D", "(virDomainMigrateFinish3Params) ended"),
    ("confirm", "S", "(virDomainMigrateConfirm3Params) started"),
    ("kill", "S", "SIGKILL to"),
    ("confend", "S", "(virDomainMigrateConfirm3Params) ended"),
)

INTERVALS = (
    ("begin", "begin", "prepare"),
    ("prep-exec", "prepare", "exec"),
    ("greeting", "exec", "greeting"),
    ("caps", "greeting", "capsreply"),
    ("incoming", "capsreply", "prepend"),
    ("to-perform", "prepend", "perform"),
    ("perf-mig", "perform", "migrate"),
    ("pass1", "migrate", "presw"),
    ("continue", "presw", "contsent"),
    ("switch", "contsent", "completed"),
    ("perf-end", "completed", "perfend"),
    ("to-finish", "perfend", "finish"),
    ("cont", "finish", "resume"),
    ("fin-end", "resume", "finend"),
    ("to-confirm", "finend", "confirm"),
    ("kill", "confirm", "kill"),
    ("exit", "kill", "confend"),
    ("total", "begin", "confend"),
)


def read_log(path, host):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE_RE.match(line)
            if not m:
                continue
            t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
            text = m.group(3)
            d = DOM_RE.search(text)
            if not d:
                continue
            out.append((t, host, next(g for g in d.groups() if g), text))
    return out


def migrations(lines):
    """Per migration a dict key -> time (s).  A migration is the lines of
    one domain from a Begin3 job to the next; each step is the first line
    of its side matching its pattern at or after the previous step (the
    logs stamp milliseconds: lines of the two daemons within the same one
    may be sorted either way)."""
    segs = {}       # domain -> list of segments (source host, [lines])
    for ln in lines:
        t, host, dom, text = ln
        if STEPS[0][2] in text:
            segs.setdefault(dom, []).append((host, []))
        if dom in segs:
            segs[dom][-1][1].append(ln)
    out = []
    for dom, lst in segs.items():
        for src, seg in lst:
            rec = {"domain": dom}
            prev = None
            for key, side, pat in STEPS:
                hit = next((t for t, host, _, text in seg
                            if pat in text and (side == "S") == (host == src)
                            and (prev is None or t >= prev)), None)
                if hit is None:
                    break
                rec[key] = prev = hit
            if "confend" in rec:
                out.append(rec)
    return out


def config_of(domain):
    """The benchmark's guests are named mb-CONFIG-WORKLOAD-ROUND."""
    return domain.rsplit("-", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tmpdir", nargs="+", help="kept temporary directories of runs, pooled")
    ap.add_argument("--match", default="", help="only guests whose name contains this")
    ap.add_argument("--all", action="store_true",
                    help="count the first migration of each configuration too")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    migs = []
    for tmpdir in args.tmpdir:
        lines = []
        for host in ("a", "b"):
            lines += read_log(os.path.join(tmpdir, "pair", "host" + host, "virtkitd.log"), host)
        lines.sort(key=lambda x: x[0])
        run = sorted(migrations(lines), key=lambda m: m["begin"])
        if not args.all:
            # as the benchmark: the first migration of each configuration warms up
            seen = set()
            kept = []
            for m in run:
                if config_of(m["domain"]) in seen:
                    kept.append(m)
                seen.add(config_of(m["domain"]))
            run = kept
        migs += [m for m in run if args.match in m["domain"]]
    if not migs:
        sys.exit("no complete migration found")
    rows = []
    for name, a, b in INTERVALS:
        vals = [(m[b] - m[a]) * 1000.0 for m in migs]
        rows.append({"interval": name, "n": len(vals), "median_ms": statistics.median(vals),
                     "min_ms": min(vals), "max_ms": max(vals)})
    if args.json:
        print(json.dumps(rows))
        return
    print("%d migrations%s" % (len(migs), " matching %r" % args.match if args.match else ""))
    print("%-11s %8s %8s %8s" % ("interval", "median", "min", "max"))
    for r in rows:
        print("%-11s %8.1f %8.1f %8.1f" % (r["interval"], r["median_ms"], r["min_ms"],
                                           r["max_ms"]))


if __name__ == "__main__":
    main()
