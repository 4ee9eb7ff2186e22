#!/bin/sh
# Runs the libvirt-qemu probe ($1, built against Debian's libvirt-qemu) on
# Debian's libraries and on ours ($2: the directory with our libvirt.so.0 and
# libvirt-qemu.so.0), and the same probe built against our headers ($3);
# the outputs must be the same.
set -u
probe=$1
ourlibs=$2
ourprobe=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

env -u LD_LIBRARY_PATH LIBVIRT_DEFAULT_URI= "$probe" > "$tmp/theirs" 2>&1
rc2=$?
[ "$rc2" -eq 77 ] && { echo "Debian's libvirt cannot open test:///default: skipping"; exit 77; }
LD_LIBRARY_PATH="$ourlibs" "$probe" > "$tmp/ours" 2>&1
rc=$?
# the binary must really have loaded our libvirt-qemu.so.0
if ! LD_LIBRARY_PATH="$ourlibs" ldd "$probe" | grep -q "$ourlibs/libvirt-qemu.so.0"; then
    echo "FAIL: the probe did not load $ourlibs/libvirt-qemu.so.0"
    exit 1
fi
"$ourprobe" > "$tmp/ours-built" 2>&1
rc3=$?
if ! diff -u "$tmp/theirs" "$tmp/ours-built"; then
    echo "FAIL: built against our headers (+) differs from libvirt (-); exit codes $rc2 / $rc3"
    exit 1
fi
if ! diff -u "$tmp/theirs" "$tmp/ours"; then
    echo "FAIL: virtkit (+) differs from libvirt (-); exit codes $rc2 / $rc"
    exit 1
fi
[ "$rc" -eq "$rc2" ] || { echo "FAIL: exit code $rc, libvirt $rc2"; exit 1; }
echo "same output as libvirt-qemu ($(wc -l < "$tmp/ours") lines)"
exit 0
