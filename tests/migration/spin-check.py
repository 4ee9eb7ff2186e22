#!/usr/bin/env python3
#
# spin-check.py: model-check the migration table with spin (suite 'migration').
#
#   spin-check.py check GEN TABLE [--faults N]
#       generate the model, run spin -a, cc, ./pan; fail on any violation
#       or invalid end state.  Exit 77 (skip) when spin is not installed.
#   spin-check.py mutants GEN TABLE
#       for each mutant below (one transition of a copy of the table
#       changed), the check must FAIL naming the expected property: proves
#       that the model follows the table.
#   spin-check.py export GEN TABLE DUMPER
#       the table as the generator reads it equals the table the C code
#       compiled (DUMPER prints migrationTableFormatJSON()).

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MUTANTS = [
    # the source resumes after a post-copy failure (disk corruption)
    ("MIG_ROW(S_POSTCOPY, Q_PC_FAILED, NONE, S_POSTCOPY_FAILED, S_POSTCOPY_FAILED)",
     "MIG_ROW(S_POSTCOPY, Q_PC_FAILED, NONE, S_CANCELLED, S_CANCELLED)",
     "never_resumed_after_postcopy_switch"),
    # the source resumes when it cannot know whether Finish succeeded
    ("MIG_ROW(S_DONE_PRECOPY, PEER_ERROR, NONE, S_UNKNOWN, S_UNKNOWN)",
     "MIG_ROW(S_DONE_PRECOPY, PEER_ERROR, NONE, S_CANCELLED, S_CANCELLED)",
     "never_runs_on_both_hosts"),
    # Perform kills the source (migration v2's flaw): Finish cannot fail safely
    ("MIG_ROW(S_SWITCHOVER, Q_COMPLETED, NONE, S_DONE_PRECOPY, S_DONE_PRECOPY)",
     "MIG_ROW(S_SWITCHOVER, Q_COMPLETED, NONE, S_COMPLETED, S_COMPLETED)",
     "source_killed_only_if_destination_has_it"),
    # a restarted destination keeps a guest whose Finish reply was lost
    ("MIG_ROW(D_RECOVER, Q_COMPLETED, NONE, D_FAILED, D_FAILED)",
     "MIG_ROW(D_RECOVER, Q_COMPLETED, RESUME, D_FINISHED, D_FAILED)",
     "never_runs_on_both_hosts"),
    # a phase without an exit: the destination waits for ever
    ("MIG_ROW(D_POSTCOPY, TIMEOUT, NONE, D_POSTCOPY_FAILED, D_POSTCOPY_FAILED)",
     "",
     "kind[phase"),
]


def run_model(gen, table, faults, mutations=()):
    """Returns (ok, output)."""
    work = tempfile.mkdtemp(prefix="migspin.")
    try:
        cmd = [sys.executable, gen, table, "-o", os.path.join(work, "m.pml")]
        for old, new, _ in mutations:
            cmd += ["--mutate", old + "=>" + new]
        subprocess.run(cmd, check=True)
        subprocess.run(["spin", "-DMAXF=%d" % faults, "-a", "m.pml"], cwd=work,
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cc", "-O1", "-DSAFETY", "-DNOREDUCE", "-w", "-o", "pan",
                        "pan.c"], cwd=work, check=True)
        # bounded: depth and a wall-clock limit
        res = subprocess.run(["./pan", "-m300000"], cwd=work, capture_output=True,
                             text=True, timeout=120)
        out = res.stdout + res.stderr
        ok = re.search(r"errors: 0\b", out) is not None
        if not ok and os.path.exists(os.path.join(work, "m.pml.trail")):
            trail = subprocess.run(["spin", "-DMAXF=%d" % faults, "-t", "m.pml"],
                                   cwd=work, capture_output=True, text=True)
            out += "\n--- counterexample (MSC: side phase event found -> next) ---\n"
            out += "\n".join(l for l in trail.stdout.splitlines()
                             if "MSC" in l or "assert" in l)
        return ok, out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cmd_check(gen, table, faults):
    ok, out = run_model(gen, table, faults)
    print(out)
    if not ok:
        print("FAIL: spin found a violation in the migration table")
        return 1
    print("PASS: no violation with up to %d faults per run" % faults)
    return 0


def cmd_mutants(gen, table):
    failures = 0
    for mut in MUTANTS:
        ok, out = run_model(gen, table, 2, [mut])
        if ok:
            print("FAIL: mutant not detected: %s -> %s" % (mut[0], mut[1] or "(removed)"))
            failures += 1
        elif mut[2] not in out:
            print("FAIL: mutant %s reported something else than %s:\n%s"
                  % (mut[0], mut[2], out))
            failures += 1
        else:
            print("ok: %s -> %s: spin reports %s" % (mut[0], mut[1] or "(removed)", mut[2]))
    return 1 if failures else 0


def cmd_export(gen, table, dumper):
    c = json.loads(subprocess.run([dumper], check=True, capture_output=True,
                                  text=True).stdout)
    py = json.loads(subprocess.run([sys.executable, gen, table, "--json"], check=True,
                                   capture_output=True, text=True).stdout)
    errors = []
    if c["events"] != py["events"]:
        errors.append("events differ")
    if c["actions"] != py["actions"]:
        errors.append("actions differ")
    if c["rows"] != py["rows"]:
        errors.append("rows differ:\n C %s\n py %s" % (c["rows"], py["rows"]))
    cp = [(p["name"], p["side"], p["kind"], p["persist"], p["entry"], p["step"],
           p["state"] is None, p["eventType"] is None) for p in c["phases"]]
    pp = [(p["name"], p["side"], p["kind"], p["persist"], p["entry"], p["step"],
           p["state"] is None, p["eventType"] is None) for p in py["phases"]]
    if cp != pp:
        errors.append("phases differ:\n C %s\n py %s" % (cp, pp))
    for e in errors:
        print("FAIL:", e)
    if not errors:
        print("PASS: %d phases, %d rows: the model reads the table the C code runs"
              % (len(cp), len(c["rows"])))
    return 1 if errors else 0


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    mode, gen, table = sys.argv[1:4]
    if mode == "export":
        return cmd_export(gen, table, sys.argv[4])
    if not shutil.which("spin"):
        print("spin is not installed (Debian package 'spin'): skipping")
        return 77
    if mode == "check":
        faults = 3
        if "--faults" in sys.argv:
            faults = int(sys.argv[sys.argv.index("--faults") + 1])
        return cmd_check(gen, table, faults)
    if mode == "mutants":
        return cmd_mutants(gen, table)
    return 2


if __name__ == "__main__":
    sys.exit(main())
