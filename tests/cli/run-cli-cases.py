#!/usr/bin/python3
#
# run-cli-cases.py: run the data-driven CLI cases of tests/data/cli/cases.txt
# and compare stdout, stderr and the exit code with tests/data/cli/expected/.
#
# Environment:
#   VIRTKIT_BIN      the virtkit binary under test (default: build/tools/virtkit)
#   TEST_REGENERATE  1: rewrite the expected files from the current output;
#                    alt: rewrite the NAME.alt.* files of the cases marked "alt"
#   TEST_RANGE       only run the cases whose name contains this text
#   TEST_DEBUG       1: print the full output of failing cases
#
# Output is TAP.  Exit status 0 when every case matches.

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = (HERE / ".." / "data" / "cli").resolve()
EXPECTED = DATA / "expected"

# Values that change from run to run or from machine to machine, replaced
# before comparing.  Every mask is listed here, with its reason.
MASKS = [
    # test driver: the CPU time of a running domain grows with the clock
    (re.compile(r"^(CPU time:\s+)\d+\.\d+s$", re.M), r"\1<MASKED>s"),
    # event --timestamp: the current time
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: "), "<TIMESTAMP>: "),
    # -t: how long a command took
    (re.compile(r"^\(Time: \d+\.\d+ ms\)$", re.M), "(Time: <MASKED> ms)"),
    # the test driver reports the real host name
    (re.compile(r"^" + re.escape(socket.gethostname()) + r"$", re.M), "<HOSTNAME>"),
    # --version, -V: virtkit's version changes with every release
    (re.compile(r"^\d+\.\d+\.\d+\S*$", re.M), "<VERSION>"),
    (re.compile(r"^(Virtkit command line tool )\S+$", re.M), r"\1<VERSION>"),
    # progress lines (save --verbose) start with a carriage return, which
    # reading the expected file back would turn into a newline
    (re.compile(r"\r"), "<CR>"),
]


def mask(text, tmpdir=None):
    text = text.replace(str(DATA), "@DATA@")
    if tmpdir:
        text = text.replace(tmpdir, "@TMP@")
    for rx, repl in MASKS:
        text = rx.sub(repl, text)
    return text


def parse_cases():
    cases = []
    for lineno, line in enumerate((DATA / "cases.txt").read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("|", 2)
        if len(parts) != 3:
            sys.exit(f"cases.txt:{lineno}: expected NAME | DIRECTIVES | ARGUMENTS")
        name, directives, args = (p.strip() for p in parts)
        cases.append((name, directives.split(), args))
    names = [c[0] for c in cases]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        sys.exit(f"cases.txt: duplicate case names: {sorted(dups)}")
    return cases


def substitute(text, tmpdir=None):
    node = "test://" + str(DATA / "node.xml")
    if tmpdir:
        text = text.replace("@TMP@", tmpdir)
    return text.replace("@NODE@", node).replace("@DATA@", str(DATA)).replace("@NL@", "\n")


def run_case(binary, directives, args, tmpdir):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LIBVIRT_DEFAULT_URI", "VIRTKIT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI",
                        "VIRTKIT_DEBUG", "VIRTKIT_LOG_FILE", "LIBVIRT_DEBUG", "LIBVIRT_LOG_OUTPUTS")}
    env["HOME"] = tmpdir
    env["XDG_CACHE_HOME"] = os.path.join(tmpdir, "cache")
    env["XDG_CONFIG_HOME"] = os.path.join(tmpdir, "config")
    env["XDG_RUNTIME_DIR"] = os.path.join(tmpdir, "run")
    env["LC_ALL"] = "C.UTF-8"
    stdin = subprocess.DEVNULL
    sigint = None
    for d in directives:
        key, _, value = d.partition(":")
        if key == "alt":
            continue
        if key == "env":
            k, _, v = value.partition("=")
            env[k] = substitute(v)
        elif key == "stdin":
            stdin = open(DATA / value, "rb")
        elif key == "sigint":
            sigint = float(value)
        else:
            raise ValueError(f"unknown directive {d}")

    argv = [binary] + [substitute(a, tmpdir) for a in shlex.split(args)]
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=DATA)
    try:
        if sigint is not None:
            time.sleep(sigint)
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += b"\n<KILLED: timeout>\n"
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    return (mask(out.decode("utf-8", "replace"), tmpdir),
            mask(err.decode("utf-8", "replace"), tmpdir),
            f"{proc.returncode}\n")


def compare(files, actual):
    problems = []
    for f, text in zip(files, actual):
        if not f.exists():
            problems.append(f"missing expected file {f.name}")
            continue
        want = f.read_text()
        if want != text:
            problems.append(f"{f.name} differs:\n--- expected\n{want}--- actual\n{text}---")
    return problems


def main():
    binary = os.environ.get("VIRTKIT_BIN") or str(HERE / ".." / ".." / "build" / "tools" / "virtkit")
    if not os.access(binary, os.X_OK):
        print(f"Bail out! virtkit binary {binary} not found")
        return 1
    regenerate = os.environ.get("TEST_REGENERATE", "")
    only = os.environ.get("TEST_RANGE")
    debug = os.environ.get("TEST_DEBUG") == "1"
    cases = [c for c in parse_cases() if not only or only in c[0]]
    failures = 0

    print(f"1..{len(cases)}")
    EXPECTED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="virtkit-cli-") as tmpdir:
        for i, (name, directives, args) in enumerate(cases, 1):
            actual = run_case(binary, directives, args, tmpdir)
            files = [EXPECTED / f"{name}.{ext}" for ext in ("out", "err", "rc")]
            alt = [EXPECTED / f"{name}.alt.{ext}" for ext in ("out", "err", "rc")]
            if regenerate == "1" or (regenerate == "alt" and "alt" in directives):
                for f, text in zip(alt if regenerate == "alt" else files, actual):
                    f.write_text(text)
                print(f"ok {i} - {name} # regenerated")
                continue
            problems = compare(files, actual)
            if problems and "alt" in directives and all(f.exists() for f in alt):
                if not compare(alt, actual):
                    print(f"ok {i} - {name} # matches the alternative expectation")
                    continue
            if problems:
                failures += 1
                print(f"not ok {i} - {name}")
                print(f"#   virtkit {args}")
                for p in problems:
                    shown = p if debug or len(p) < 4000 else p[:4000] + "\n[...]"
                    for line in shown.splitlines():
                        print(f"#   {line}")
            else:
                print(f"ok {i} - {name}")

        if not only:
            known = {c[0] for c in cases}
            for f in sorted(EXPECTED.iterdir()):
                if f.name.split(".")[0] not in known:
                    if regenerate == "1":
                        f.unlink()
                    else:
                        print(f"# warning: {f.name} belongs to no case")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
