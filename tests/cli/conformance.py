#!/usr/bin/python3
#
# conformance.py: run the same commands with Debian's virsh and with virtkit
# and compare what they print.
#
# Where the output does not depend on the implementation (names, ids,
# states, columns, field names, the CLI's own messages, exit codes) it must
# be identical.  The differences tolerated are all listed in TOLERATED
# below, each with its reason; a command not listed there must match
# exactly (after the masks of MASKS).
#
# Environment: VIRTKIT_BIN (default build/tools/virtkit), VIRSH_BIN
# (default /usr/bin/virsh).  Exits 77 (skip) when virsh is missing.

import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = (HERE / ".." / "data" / "cli").resolve()
NODE = "test://" + str(DATA / "node.xml")
# domains with disks, interfaces and graphics (domblklist, domiflist, domdisplay)
DEVICES = "test://" + str(DATA / "node-devices.xml")

# Values that change between runs, masked in both outputs.
MASKS = [
    # the test driver derives a running domain's CPU time from the clock
    (re.compile(r"^(CPU time:\s+)\d+\.\d+s$", re.M), r"\1<MASKED>s"),
    # ... and its block and interface counters (domblkstat, domifstat)
    (re.compile(r"^(\S* ?(?:rd_req|rd_bytes|wr_req|wr_bytes|errs|rx_bytes|rx_packets|rx_errs|"
                r"rx_drop|tx_bytes|tx_packets|tx_errs|tx_drop) )\d+$", re.M), r"\1<MASKED>"),
    (re.compile(r"^( (?:number of|error count)[^:]*:\s+)\d+$", re.M), r"\1<MASKED>"),
]

# How a command's outputs may differ, by comparison mode.  Each mode names
# what it ignores and why.
TOLERATED = {
    "versions": (
        "version numbers are those of the library, driver and daemon in use "
        "(virtkit's library is not Debian's); the labels of the lines must match",
        lambda text: re.sub(r"\b\d+\.\d+\.\d+\b", "<VERSION>", text),
    ),
    "xml-identity": (
        "the XML documents are formatted by the library and describe the "
        "driver's model; only the root element, name and UUID must match",
        lambda text: "\n".join(
            line.strip() for line in text.splitlines()
            if re.match(r"\s*(<domain\b|<capabilities>|<name>|<uuid>|</domain>|</capabilities>)",
                        line)),
    ),
    "os-type": (
        "the 'OS Type' value is driver data (Debian's test driver says "
        "'linux' for hvm guests); the field itself must be there",
        lambda text: re.sub(r"^(OS Type:\s+).*$", r"\1<DRIVER>", text, flags=re.M),
    ),
}

# (uri, command line given as one argument, mode or None)
COMMANDS = [
    ("test:///default", "uri", None),
    ("test:///default", "hostname", None),
    ("test:///default", "nodeinfo", None),
    ("test:///default", "version", "versions"),
    ("test:///default", "version --daemon", "versions"),
    ("test:///default", "capabilities", "xml-identity"),
    ("test:///default", "list", None),
    ("test:///default", "list --all", None),
    ("test:///default", "list --title", None),
    ("test:///default", "list --name", None),
    ("test:///default", "list --uuid", None),
    ("test:///default", "list --id", None),
    ("test:///default", "list --all --uuid --id --name", None),
    ("test:///default", "dominfo test", "os-type"),
    ("test:///default", "dominfo 1", "os-type"),
    ("test:///default", "dominfo 6695eb01-f6a4-8304-79aa-97f2502e193f", "os-type"),
    ("test:///default", "domstate test", None),
    ("test:///default", "domstate test --reason", None),
    ("test:///default", "domid test", None),
    ("test:///default", "domname 1", None),
    ("test:///default", "domuuid test", None),
    ("test:///default", "vcpucount test", None),
    ("test:///default", "vcpucount test --live", None),
    ("test:///default", "vcpucount test --maximum --config", None),
    ("test:///default", "dumpxml test", "xml-identity"),
    ("test:///default", "dumpxml test --inactive", "xml-identity"),
    ("test:///default", "event --list", None),
    ("test:///default", "event --all --timeout 1", None),
    ("test:///default", "event test --event lifecycle --timeout 1", None),
    ("test:///default",
     "define vm1.xml; list --all --title; vcpucount vm1; start vm1; domstate vm1 --reason; "
     "suspend vm1; domstate vm1 --reason; resume vm1; domstate vm1 --reason; "
     "destroy vm1; domstate vm1 --reason; undefine vm1; list --all", None),
    ("test:///default", "define vm1.xml; dominfo vm1", "os-type"),
    ("test:///default", "autostart test; list --autostart; autostart --disable test", None),
    ("test:///default", "setmem test 1G; dominfo test", "os-type"),
    ("test:///default", "setvcpus test 1; vcpucount test", None),
    ("test:///default", "suspend 1; domstate 1 --reason; resume test", None),
    ("test:///default", "destroy test; list --all; domstate test --reason", None),
    ("test:///default", "create vm1.xml; list; domid vm1", None),
    ("test:///default", "domblklist test", None),
    # statistics (issue 7)
    ("test:///default", "domstats", None),
    ("test:///default", "domstats --raw --state --list-active test", None),
    ("test:///default", "domstats --cpu-total test", None),
    ("test:///default", "domstats --cpu-total --enforce test", None),
    ("test:///default", "domstats nosuch", None),
    ("test:///default", "domblkstat test vda", None),
    ("test:///default", "domblkstat test vda --human", None),
    ("test:///default", "domblkstat test", None),
    ("test:///default", "domblkstat test nosuch", None),
    ("test:///default", "domifstat test testnet0", None),
    ("test:///default", "domifstat test nosuch", None),
    ("test:///default", "dommemstat test", None),
    ("test:///default", "domblkinfo test vda", None),
    ("test:///default", "domblkinfo test vda --human", None),
    ("test:///default", "domblkinfo test --all", None),
    ("test:///default", "domblkinfo test", None),
    ("test:///default", "domblkinfo test nosuch", None),
    ("test:///default", "vcpuinfo test", None),
    ("test:///default", "vcpuinfo test --pretty", None),
    ("test:///default", "domblklist test --details", None),
    ("test:///default", "domblklist test --inactive", None),
    ("test:///default", "domiflist test", None),
    ("test:///default", "domiflist 1 --inactive", None),
    ("test:///default", "domdisplay test", None),
    ("test:///default", "domdisplay test --all", None),
    ("test:///default", "destroy test; domdisplay test", None),
    # errors printed by the CLI itself
    ("test:///default", "dominfo nosuch", None),
    ("test:///default", "domid 1", None),
    ("test:///default", "domid", None),
    ("test:///default", "domid a b", None),
    ("test:///default", "list --foo", None),
    ("test:///default", "list --all=yes", None),
    ("test:///default", "list --table --name", None),
    ("test:///default", "dominfo --domain", None),
    ("test:///default", "dominfo --domain=", None),
    ("test:///default", "dominfo test --domain test", None),
    ("test:///default", "setmem test", None),
    ("test:///default", "setmem test abc", None),
    ("test:///default", "setmem test -1", None),
    ("test:///default", "setmem test 1024 --live --current", None),
    ("test:///default", "setvcpus test 0", None),
    ("test:///default", "setvcpus test 4 --maximum", None),
    ("test:///default", "vcpucount test --active --maximum", None),
    ("test:///default", "event --event foo", None),
    ("test:///default", "event --all --timeout 0", None),
    ("test:///default", "event --timeout 1", None),
    ("test:///default", "event --list --all", None),
    ("test:///default", "start test", None),
    ("test:///default", "shutdown test --mode foo", None),
    ("test:///default", "domjobinfo test --keep-completed", None),
    # migration: the option checks virsh makes before any call
    ("test:///default", "migrate --live --offline test x", None),
    ("test:///default", "migrate --timeout 5 test x", None),
    ("test:///default", "migrate --timeout -1 --live test x", None),
    ("test:///default", "migrate --timeout-suspend test x", None),
    ("test:///default", "migrate --live --timeout 3 --timeout-postcopy test x", None),
    ("test:///default", "migrate --live --timeout 3 --timeout-suspend --timeout-postcopy "
                        "--postcopy test x", None),
    ("test:///default", "migrate --persistent-xml f test x", None),
    ("test:///default", "migrate --postcopy-after-precopy test x", None),
    ("test:///default", "migrate test", None),
    ("test:///default", "migrate-setmaxdowntime test 0", None),
    ("test:///default", "migrate-setmaxdowntime test abc", None),
    ("test:///default", "migrate-setspeed test", None),
    ("test:///default", "migrate-setmaxdowntime test", None),
    ("test:///default", "migrate-getspeed nosuch", None),
    ("test:///default", "define nosuch.xml", None),
    ("test:///default", "nosuch", None),
    ("test:///default", "uri; nosuch", None),
    ("test:///default", "domid nosuch; uri", None),
    ("test:///default", "uri; quit; uri", None),
    ("test:///default", 'echo "a b" \'c d\' --shell x#y #z', None),
    ("test:///default", 'echo --xml "<&>"', None),
    ("test:///default", 'echo "unterminated', None),
    ("test:///default", "domstate -- --reason", None),
    ("test:///default", "domblklist nosuch", None),
    ("test:///default", "domiflist", None),
    ("test:///default", "domdisplay nosuch", None),
    ("test:///default", "domdisplay test --type vnc", None),
    # a node file
    (NODE, "list --all --title", None),
    (NODE, "list --all --managed-save", None),
    (NODE, "list --state-shutoff", None),
    (NODE, "list --persistent", None),
    (NODE, "list --transient", None),
    (NODE, "nodeinfo", None),
    (NODE, "dominfo gamma", "os-type"),
    (NODE, "domstate beta --reason", None),
    (NODE, "vcpucount alpha", None),
    (NODE, "vcpucount gamma", None),
    (NODE, "undefine gamma", None),
    (NODE, "undefine gamma --managed-save; list --all", None),
    # a node file with devices
    (DEVICES, "domblklist web; domblklist web --details; domblklist idle --inactive", None),
    (DEVICES, "domiflist web; domiflist idle --inactive", None),
    (DEVICES, "domdisplay web; domdisplay web --all; domdisplay desk --all; domdisplay desk", None),
    (DEVICES, "domdisplay web --include-password --all; domdisplay desk spice --include-password",
     None),
    (DEVICES, "domdisplay web --type rdp", None),
    (DEVICES, "domdisplay web --type spice --all", None),
    (DEVICES, "domdisplay web --type=", None),
    (DEVICES, "domdisplay idle", None),
    (DEVICES, "start idle; domdisplay idle --all", None),
]

# Global options: (arguments, mode)
OPTIONS = [
    (["-q", "-c", "test:///default", "list"], None),
    (["-q", "-c", NODE, "list --all --title"], None),
    (["-r", "-c", "test:///default", "destroy test"], None),
    (["-c", "test:///default", "dominfo", "test"], "os-type"),
    (["-c", "test:///default", "echo", "a b", "c"], None),
    (["-c", "test:///default", "uri", ";", "uri"], None),
    (["-q", "-c", DEVICES, "domblklist web --details; domiflist web; domdisplay web"], None),
    (["-r", "-c", DEVICES, "domdisplay web --include-password"], None),
    (["-x"], None),
    (["-d", "x", "uri"], None),
    (["-e", "xx", "uri"], None),
]


def run(binary, args, tmpdir, own_library):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LIBVIRT_DEFAULT_URI", "VIRTKIT_DEFAULT_URI", "VIRSH_DEFAULT_CONNECT_URI")}
    if not own_library:
        # meson points LD_LIBRARY_PATH at our libvirt.so.0: virsh must keep
        # Debian's library
        env.pop("LD_LIBRARY_PATH", None)
        env.pop("LD_PRELOAD", None)
    env["HOME"] = tmpdir
    env["XDG_CACHE_HOME"] = os.path.join(tmpdir, "cache")
    env["XDG_CONFIG_HOME"] = os.path.join(tmpdir, "config")
    env["LC_ALL"] = "C.UTF-8"
    proc = subprocess.run([binary] + args, stdin=subprocess.DEVNULL, capture_output=True,
                          env=env, cwd=DATA, timeout=60)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    # libxml2 writes parser warnings straight to stderr inside Debian's
    # library; they are not part of virsh's output
    err = "".join(line for line in err.splitlines(True) if not line.startswith("I/O warning"))
    for rx, repl in MASKS:
        out = rx.sub(repl, out)
    return out, err, proc.returncode


def main():
    virsh = os.environ.get("VIRSH_BIN", "/usr/bin/virsh")
    virtkit = os.environ.get("VIRTKIT_BIN") or str(HERE / ".." / ".." / "build" / "tools" / "virtkit")
    if not os.access(virsh, os.X_OK):
        print(f"1..0 # SKIP {virsh} is not installed")
        return 77
    if not os.access(virtkit, os.X_OK):
        print(f"Bail out! virtkit binary {virtkit} not found")
        return 1

    runs = [(["-c", uri, cmd], mode) for uri, cmd, mode in COMMANDS] + OPTIONS
    failures = 0
    print(f"1..{len(runs)}")
    with tempfile.TemporaryDirectory(prefix="virtkit-conf-") as tmpdir:
        for i, (args, mode) in enumerate(runs, 1):
            a = run(virsh, args, tmpdir, False)
            b = run(virtkit, args, tmpdir, True)
            if mode:
                norm = TOLERATED[mode][1]
                a = (norm(a[0]), a[1], a[2])
                b = (norm(b[0]), b[1], b[2])
            label = " ".join(args)
            if a == b:
                print(f"ok {i} - {label}" + (f" # tolerated: {mode}" if mode else ""))
                continue
            failures += 1
            print(f"not ok {i} - {label}")
            for what, x, y in zip(("stdout", "stderr", "exit code"), a, b):
                if x != y:
                    print(f"#   {what} differs")
                    for line in str(x).splitlines():
                        print(f"#   virsh:   {line}")
                    for line in str(y).splitlines():
                        print(f"#   virtkit: {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
