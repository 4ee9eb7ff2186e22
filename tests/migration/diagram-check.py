#!/usr/bin/env python3
"""docs/migration.md's state diagram is the one generated from the table.

1. scripts/gen-migration-diagram.py --check passes on the real table and doc;
2. with a copy of the table where one transition goes elsewhere, the same
   check fails (so the check notices a stale doc).
usage: diagram-check.py GENERATOR TABLE DOC
"""

import os
import subprocess
import sys
import tempfile


def check(gen, table, doc):
    return subprocess.run([sys.executable, gen, table, "--check", doc],
                          capture_output=True, text=True)


def main():
    gen, table, doc = sys.argv[1:4]
    failures = 0
    r = check(gen, table, doc)
    if r.returncode == 0:
        print("ok 1 - docs/migration.md matches the table")
    else:
        failures += 1
        print("not ok 1 - docs/migration.md is out of date with the table")
        for line in (r.stderr or "").splitlines()[:40]:
            print("#   " + line)
    with open(table) as f:
        text = f.read()
    old = "MIG_ROW(S_BEGIN, ABORT, NONE, S_CANCELLED, S_CANCELLED)"
    if old not in text:
        print("not ok 2 - the row the mutation changes is gone: %s" % old)
        failures += 1
    else:
        with tempfile.TemporaryDirectory() as d:
            mutated = os.path.join(d, "migration_table.def")
            with open(mutated, "w") as f:
                f.write(text.replace(old, "MIG_ROW(S_BEGIN, ABORT, NONE, S_LOST, S_LOST)"))
            r = check(gen, mutated, doc)
        if r.returncode != 0 and "out of date" in r.stderr:
            print("ok 2 - a changed transition makes the check fail")
        else:
            failures += 1
            print("not ok 2 - a changed transition went unnoticed (rc %d)" % r.returncode)
    print("1..2")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
