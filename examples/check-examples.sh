#!/bin/sh
# Run one example program on test:///default and check its output.
# Usage: check-examples.sh list-domains|event-monitor PROGRAM
set -u
unset LIBVIRT_DEFAULT_URI

what=$1
prog=$2

fail() {
    echo "FAIL: $*"
    echo "---- output of $prog ----"
    printf '%s\n' "$out"
    exit 1
}

case $what in
list-domains)
    out=$("$prog" test:///default 2>&1) || fail "exit status $?"
    # The node's one running domain, as a table row: Id, Name, State.
    printf '%s\n' "$out" | grep -Eq '^ *1 +test +running *$' ||
        fail "no row '1 test running'"
    printf '%s\n' "$out" | grep -Eq '^ *Id +Name +State *$' ||
        fail "no table header"
    printf '%s\n' "$out" | grep -q '^1 domain, 1 active$' ||
        fail "no summary line '1 domain, 1 active'"
    ;;
event-monitor)
    out=$(timeout 20 "$prog" test:///default --demo --timeout 2 2>&1) ||
        fail "exit status $?"
    # Each demo step must be followed by its lifecycle event, in this order.
    expected="demo: suspending 'test'
lifecycle: 'test' Suspended (Paused) [3,0]
demo: resuming 'test'
lifecycle: 'test' Resumed (Unpaused) [4,0]
demo: destroying 'test'
lifecycle: 'test' Stopped (Destroyed) [5,1]
demo: starting 'test'
lifecycle: 'test' Started (Booted) [2,0]
demo: done
event-monitor: timeout reached"
    got=$(printf '%s\n' "$out" | grep -E "^(demo|lifecycle: 'test'|event-monitor: timeout)")
    [ "$got" = "$expected" ] || {
        echo "expected these lines, in order:"
        printf '%s\n' "$expected"
        fail "event sequence differs"
    }
    ;;
*)
    echo "unknown check '$what'"
    exit 2
    ;;
esac
echo "ok: $what"
