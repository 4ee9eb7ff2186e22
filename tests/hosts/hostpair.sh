#!/bin/sh
# Two virtkitd hosts in two network namespaces (see hostpair.py).
#   VIRTKITD=build/daemon/virtkitd tests/hosts/hostpair.sh up /tmp/pair
#   tests/hosts/hostpair.sh down /tmp/pair
exec python3 "$(dirname "$0")/hostpair.py" "$@"
