#!/usr/bin/env bash
# Installs dependencies, builds virtkit and runs the whole test suite:
#   1. the normal build (warnings fatal) and `meson test`
#   2. an ASan + UBSan build and `meson test` under it
#   3. a ThreadSanitizer build of the threaded tests (util/thread, the API
#      layer, the test driver and its 8-thread stress test, the QMP monitor,
#      the RPC server and client, virtkitd with concurrent clients)
#   4. the fuzz targets for a bounded time (when clang is available)
# Ends with one line "N passed, N failed, N skipped".
# SKIP_ASAN=1, SKIP_TSAN=1, SKIP_FUZZ=1 leave a stage out; FUZZ_SECONDS and
# TEST_THREADS_DURATION bound the fuzzing and the TSan stress test.
# docs/internals/testing.md describes the stages.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
passed=0
failed=0
skipped=0
# names of what failed, repeated at the very end so that the last lines of
# the output (all a CI summary may keep) say what broke
summary_file=$(mktemp)
trap 'rm -f "$summary_file"' EXIT

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
        echo "FAILED [$2]: no test log" >>"$summary_file"
        return
    fi
    out=$(python3 - "$json" "$2" "$summary_file" <<'PY'
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
        with open(sys.argv[3], "a") as out:
            out.write("FAILED [%s]: %s (%s, %.1fs)\n" % (sys.argv[2], r.get("name"), res,
                                                    r.get("duration", 0)))
            tail = (r.get("stdout") or "").splitlines()[-25:]
            for t in tail:
                out.write("    | %s\n" % t[:300])
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
        meson setup "$dir" "$@" || { failed=$((failed + 1)); echo "FAILED [$label]: configure" >>"$summary_file"; return; }
    else
        meson setup --reconfigure "$dir" "$@" || { failed=$((failed + 1)); echo "FAILED [$label]: configure" >>"$summary_file"; return; }
    fi
    log "$label: build"
    if ! ninja -C "$dir"; then
        echo "build failed: $label"
        echo "FAILED [$label]: build" >>"$summary_file"
        failed=$((failed + 1))
        return
    fi
    log "$label: test"
    meson test -C "$dir" --print-errorlogs --num-processes 2 || true
    count_results "$dir" "$label"
}

run_suite build default -Dwerror=true

# Sanitizer options.  They reach every process a test starts; programs not
# built with the sanitizer (Debian's virsh, python3) ignore them.  Tests
# that run Debian's programs drop LD_LIBRARY_PATH/LD_PRELOAD for them, so
# those never load our sanitized libvirt.so.0.
if [ "${SKIP_ASAN:-0}" != 1 ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    run_suite build-asan asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
fi

# ThreadSanitizer: only the programs that exercise threads, built and run
# by name (the full tree under TSan would take several times longer):
# util/thread, the API layer, the test driver with its 8-thread stress
# test, the QMP monitor (its event-loop thread against callers), the RPC
# server's loop and workers, the RPC client's I/O hand-over, a TSan-built
# virtkitd serving our library's concurrent callers, the CLI and Debian's
# virsh (remote-virtkitd, remote-stream-virtkitd: remote-run.py fails on
# any report in the daemon's output), and Debian's virsh and
# python3-libvirt as several clients of one TSan-built daemon
# (daemon-events, daemon-python, daemon-badinput: floods, 500 idle
# clients, hang-ups in mid-call; vkdtest.py fails on a TSan report in the
# daemon's log).  tests/tsan.supp holds the suppressions for the
# uninstrumented system libraries, one comment per entry.
# G_SLICE=always-malloc: GLib's slice allocator would hide memory reuse
# from TSan.  Any report fails the test (halt_on_error, exit code 66).
TSAN_TARGETS="
tests/util/threadtest
tests/test/domainobjtest tests/test/testdrivertest tests/test/testdriverthreads
tests/api/apientrytest tests/api/apierrortest tests/api/apiopentest
tests/api/domaineventtest tests/api/eventlooptest tests/api/typedparamtest
tests/api/apitestdrivertest
tests/qemu/qemumonitortest tests/qemu/qemumonitorqemutest
tests/rpc/rpcservertest tests/remote/rpcclienttest tests/remote/rpcstreamtest
tests/remote/remotetest tests/remote/remotestreamtest daemon/virtkitd tools/virtkit
"
TSAN_TESTS="
threadtest
domainobj testdriver-api testdriver-threads
apientrytest apierrortest apiopentest domaineventtest eventlooptest typedparamtest
apitestdrivertest
qemumonitortest qemumonitorqemutest
rpcservertest rpcclienttest rpcstreamtest remote-virtkitd remote-stream-virtkitd
daemon-events daemon-python daemon-badinput
"
run_tsan() {
    local dir=build-tsan label=tsan
    log "$label: configure $dir"
    if [ ! -d "$dir" ]; then
        meson setup "$dir" -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
            || { failed=$((failed + 1)); return; }
    else
        meson setup --reconfigure "$dir" -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
            || { failed=$((failed + 1)); return; }
    fi
    log "$label: build"
    # shellcheck disable=SC2086
    if ! ninja -C "$dir" $TSAN_TARGETS; then
        echo "build failed: $label"
        echo "FAILED [$label]: build" >>"$summary_file"
        failed=$((failed + 1))
        return
    fi
    log "$label: test"
    # shellcheck disable=SC2086
    G_SLICE=always-malloc \
    TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$top/tests/tsan.supp} \
    TEST_THREADS_DURATION=${TEST_THREADS_DURATION:-3} \
        meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 $TSAN_TESTS || true
    count_results "$dir" "$label"
}

if [ "${SKIP_TSAN:-0}" != 1 ]; then
    run_tsan
fi

if [ "${SKIP_FUZZ:-0}" != 1 ] && [ -x tests/fuzz/run-fuzz.sh ] && command -v clang-14 >/dev/null; then
    log "fuzz: ${FUZZ_SECONDS}s per target (output in build-fuzz/fuzz.log)"
    mkdir -p build-fuzz
    if bash tests/fuzz/run-fuzz.sh "$FUZZ_SECONDS" >build-fuzz/fuzz.log 2>&1; then
        grep -E '^(== |Done )' build-fuzz/fuzz.log
        passed=$((passed + 1))
    else
        tail -n 60 build-fuzz/fuzz.log
        echo "FAILED [fuzz]"
        { echo "FAILED [fuzz]"; grep -E '^== |ERROR|SUMMARY' build-fuzz/fuzz.log | tail -n 20 | sed 's/^/    | /'; } >>"$summary_file"
        failed=$((failed + 1))
    fi
fi

if [ -s "$summary_file" ]; then
    log "failures"
    cat "$summary_file"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
