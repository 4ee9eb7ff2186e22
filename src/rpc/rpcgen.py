#!/usr/bin/env python3
"""Build-time wrapper around rpcgen (Debian package rpcsvc-proto).

Usage: rpcgen.py RPCGEN {header|source} INPUT.x OUTPUT

rpcgen names the header it includes after the path it was given, so a
generated source would include "/abs/path/foo.h".  Running it on a copy of
the input in a scratch directory gives a plain '#include "foo.h"', which
resolves to the header generated beside it in the build directory.

Inlining is turned off (-i 0): the generated functions then call the
libtirpc primitives field by field, which is simple to read and debug.
"""

import os
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) != 5 or argv[2] not in ("header", "source"):
        sys.stderr.write(__doc__)
        return 2
    rpcgen, mode, src, out = argv[1:]
    base = os.path.basename(src)
    if not base.endswith(".x"):
        sys.stderr.write("rpcgen.py: input must end in .x: %s\n" % src)
        return 2
    stem = base[:-2]
    flag = "-h" if mode == "header" else "-c"
    suffix = ".h" if mode == "header" else ".c"

    with tempfile.TemporaryDirectory(prefix="vk-rpcgen-") as tmp:
        shutil.copyfile(src, os.path.join(tmp, base))
        result = subprocess.run(
            [rpcgen, "-i", "0", flag, "-o", stem + suffix, base],
            cwd=tmp, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            return result.returncode
        with open(os.path.join(tmp, stem + suffix), encoding="utf-8") as f:
            text = f.read()

    if mode == "header":
        # Generated headers are included by hand-written code built with
        # -Wmissing-prototypes etc.; say what the file is.
        text = ("/* Generated at build time from %s by rpcgen: do not edit. */\n"
                % base) + text
    tmp_out = out + ".tmp"
    with open(tmp_out, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp_out, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
