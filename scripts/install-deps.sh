#!/bin/sh
# Installs every Debian 12 package that building, testing and benchmarking virtkit needs.
# Idempotent; run as root (or with sudo available).
set -eu

PKGS="
build-essential pkg-config meson ninja-build python3
libglib2.0-dev libxml2-dev libxml2-utils libjson-c-dev libtirpc-dev rpcsvc-proto libgnutls28-dev gnutls-bin
libedit-dev
clang-14 libclang-rt-14-dev valgrind
libvirt-dev libvirt0 libvirt-clients python3-libvirt tshark libvirt-wireshark libvirt-daemon
tmux spin
qemu-system-x86
"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
