#!/usr/bin/env python3
"""Generate the table of REMOTE_PROGRAM procedure names the daemon uses in messages.

Usage: remote_dispatch_names.py remote_protocol.x OUTPUT.c

Reads "enum remote_procedure" and writes remoteDispatchProcNames[], indexed
by procedure number ("DOMAIN_ATTACH_DEVICE" for 8), so that a call of a
procedure libvirt defines and virtkitd does not implement is answered
with its name.
"""

import re
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    src, out = argv[1:]
    with open(src, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    m = re.search(r"enum\s+remote_procedure\s*\{(.*?)\}", text, re.S)
    if not m:
        sys.stderr.write("no enum remote_procedure in %s\n" % src)
        return 1
    procs = [(int(num), name) for name, num in
             re.findall(r"REMOTE_PROC_(\w+)\s*=\s*(\d+)", m.group(1)) if name != "LAST"]
    last = max(num for num, _ in procs) + 1
    lines = [
        "/* Generated from %s by remote_dispatch_names.py: do not edit. */" % src.split("/")[-1],
        "#include \"remote/remote_dispatch_names.h\"",
        "",
        "const char *const remoteDispatchProcNames[%d] = {" % last,
    ]
    lines += ["    [%d] = \"%s\"," % (num, name) for num, name in sorted(procs)]
    lines += ["};", "", "const int remoteDispatchProcNamesCount = %d;" % last, ""]
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    import os
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
