#!/usr/bin/env bash
# Installs dependencies, builds virtkit and runs the whole test suite:
#   1. the normal build (warnings fatal) and `meson test`
#   2. an ASan + UBSan build and `meson test` under it
#   3. the fuzz targets for a bounded time (when clang is available)
# Ends with one line "N passed, N failed" (skips are reported beside it).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
passed=0
failed=0
skipped=0

log() { printf '== %s\n' "$*"; }

if ! bash scripts/install-deps.sh; then
    echo "dependency installation failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# count_results BUILDDIR LABEL: adds the results of the last `meson test` run.
count_results() {
    local json="$1/meson-logs/testlog.json"
    local out
    if [ ! -f "$json" ]; then
        failed=$((failed + 1))
        return
    fi
    out=$(python3 - "$json" "$2" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    res = r.get("result")
    if res in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif res == "SKIP":
        s += 1
    else:
        f += 1
        print("FAILED [%s]: %s (%s)" % (sys.argv[2], r.get("name"), res), file=sys.stderr)
print(p, f, s)
PY
)
    read -r p f s <<<"$out"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# run_suite BUILDDIR LABEL SETUP-ARGS...
run_suite() {
    local dir="$1" label="$2"
    shift 2
    log "$label: configure $dir"
    if [ ! -d "$dir" ]; then
        meson setup "$dir" "$@" || { failed=$((failed + 1)); return; }
    else
        meson setup --reconfigure "$dir" "$@" || { failed=$((failed + 1)); return; }
    fi
    log "$label: build"
    if ! ninja -C "$dir"; then
        echo "build failed: $label"
        failed=$((failed + 1))
        return
    fi
    log "$label: test"
    meson test -C "$dir" --print-errorlogs --num-processes 2 || true
    count_results "$dir" "$label"
}

run_suite build default -Dwerror=true

if [ "${SKIP_ASAN:-0}" != 1 ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    run_suite build-asan asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
fi

if [ "${SKIP_FUZZ:-0}" != 1 ] && [ -x tests/fuzz/run-fuzz.sh ] && command -v clang-14 >/dev/null; then
    log "fuzz: ${FUZZ_SECONDS}s per target"
    if bash tests/fuzz/run-fuzz.sh "$FUZZ_SECONDS"; then
        passed=$((passed + 1))
    else
        echo "FAILED [fuzz]"
        failed=$((failed + 1))
    fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
