#!/bin/sh
# Re-creates tests/data/rpc/*.bin and *.txt from the reference captures of
# Debian's virsh / python3-libvirt against Debian's libvirtd 9.0.
# Usage: tests/rpc/make-golden.sh [CAPTURE_DIR]
# (default: ../shared/reference/captures beside the repository)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
caps=${1:-$top/../shared/reference/captures}
out=$top/tests/data/rpc
x="python3 $top/tests/rpc/extract-golden.py write"

cut() {  # cut CAPTURE NAME FRAME [INDEX]
    $x "$caps/$1.pcap" "$caps/$1.decoded.txt" "$out" "$2" "$3" ${4:-}
}

mkdir -p "$out"
# virsh list --all: the connection preamble
cut list auth-list-call 4
cut list auth-list-reply 6
cut list supports-feature-call 8
cut list supports-feature-reply 9
cut list connect-open-call 10
cut list connect-open-reply 11
cut list register-close-callback-call 16
# virsh define / list / dominfo / start / dumpxml ...
cut ops define-xml-call 18
cut ops list-all-domains-call 82
cut ops list-all-domains-reply 83
cut ops get-state-call 84
cut ops get-state-reply 85
cut ops lookup-by-name-call 110
cut ops lookup-by-name-reply 111
cut ops get-info-call 114
cut ops get-info-reply 115
cut ops node-get-security-model-reply 129
cut ops get-security-label-reply 132
cut ops get-messages-reply 134
cut ops create-error-reply 163
cut ops get-xml-desc-reply 422
# virsh version / hostname / a missing domain
cut misc get-type-reply 19
cut misc get-version-reply 34
cut misc get-hostname-reply 61
cut misc lookup-by-name-error-reply 169
# python event listener: registration, an event, keepalive
cut ev event-callback-register-call 80
cut ev event-callback-register-reply 81
cut ev lifecycle-event 110
cut ev keepalive-ping 20
cut ev keepalive-pong 23
# virsh migrate: typed parameters, cookies, job info
cut mig migrate-begin3-params-call 43
cut mig migrate-begin3-params-reply 44
cut mig get-job-info-reply 51
cut mig get-job-info-error-reply 111
