#!/bin/sh
# Runs the apicompat probe built against virtkit ($1) and against Debian's
# libvirt ($2) and compares their output; pointers are masked.
set -u
ours=$1
theirs=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

"$ours" > "$tmp/ours" 2>&1
rc=$?
if [ "$rc" -eq 77 ]; then
    echo "test:///default cannot be opened with virtkit yet: skipping"
    exit 77
fi
# The system build must load the system library, never ours.
env -u LD_LIBRARY_PATH LIBVIRT_DEFAULT_URI= "$theirs" > "$tmp/theirs" 2>&1
rc2=$?
if [ "$rc2" -eq 77 ]; then
    echo "Debian's libvirt cannot open test:///default: skipping"
    exit 77
fi
mask='s/0x[0-9a-f]*/0xPTR/g'
sed "$mask" "$tmp/ours" > "$tmp/ours.m"
sed "$mask" "$tmp/theirs" > "$tmp/theirs.m"
if ! diff -u "$tmp/theirs.m" "$tmp/ours.m"; then
    echo "FAIL: virtkit (+) differs from libvirt (-); exit codes $rc2 / $rc"
    exit 1
fi
if [ "$rc" -ne "$rc2" ]; then
    echo "FAIL: exit code $rc, libvirt $rc2"
    exit 1
fi
echo "same output as libvirt ($(wc -l < "$tmp/ours") lines)"
exit 0
