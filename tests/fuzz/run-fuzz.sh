#!/bin/sh
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for
# a bounded time, using the golden test data as the seed corpus.
#
#   tests/fuzz/run-fuzz.sh [SECONDS]     (default 60 per target)
#
# Exits non-zero when a target crashes, leaks, trips a sanitizer or fails to
# build.  Crash inputs are left in build-fuzz/artifacts/.
set -eu

SECONDS_PER_TARGET=${1:-60}
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILDDIR=${FUZZ_BUILDDIR:-$SRCDIR/build-fuzz}
CC=${CC:-clang-14}
export CC

if [ ! -f "$BUILDDIR/build.ninja" ]; then
    meson setup "$BUILDDIR" "$SRCDIR" \
        -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized
fi

# target name : seed file suffix : seed corpus directories
TARGETS="
domain_xml_fuzz:xml:$SRCDIR/tests/data/domain,$SRCDIR/tests/data/domain/bad
rpc_packet_fuzz:bin:$SRCDIR/tests/data/rpc
rpc_dispatch_fuzz:bin:$SRCDIR/tests/data/rpc
"

mkdir -p "$BUILDDIR/artifacts"
status=0
for entry in $TARGETS; do
    target=${entry%%:*}
    rest=${entry#*:}
    suffix=${rest%%:*}
    seeds=$(echo "${rest#*:}" | tr ',' ' ')
    ninja -C "$BUILDDIR" "tests/fuzz/$target"
    corpus="$BUILDDIR/corpus/$target"
    mkdir -p "$corpus"
    for d in $seeds; do
        # seeds are copied so that the source tree is never written to
        if [ "$target" = rpc_dispatch_fuzz ]; then
            # its inputs start with a mode byte (bit 0: read-only socket,
            # bit 1: no built-in CONNECT_OPEN): seed with mode 0 + each call
            for f in "$d"/*-call.bin; do
                [ -f "$f" ] || continue
                { printf '\000'; cat "$f"; } > "$corpus/m0-$(basename "$f")"
            done
        else
            find "$d" -maxdepth 1 -name "*.$suffix" -exec cp -f {} "$corpus/" \;
        fi
    done
    echo "== $target: ${SECONDS_PER_TARGET}s"
    if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
         ASAN_OPTIONS=detect_leaks=1 \
         "$BUILDDIR/tests/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
            -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
            -artifact_prefix="$BUILDDIR/artifacts/$target-" "$corpus"; then
        echo "== $target: FAILED (see $BUILDDIR/artifacts)" >&2
        status=1
    fi
done
exit $status
