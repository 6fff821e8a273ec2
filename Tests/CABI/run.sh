#!/usr/bin/env bash
# The C side of `make test`: runs the C examples and C tests built by `make examples` against libsoftseam
# and checks them. Usage: Tests/CABI/run.sh STAGE_PREFIX EXAMPLES_DIR SOFTSEAM_CLI
set -euo pipefail
stage=$1 bin=$2 cli=$3
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
check() { # name command…: runs a check, reports it, remembers failure
    local name=$1; shift
    if "$@" >"$work/$name.out" 2>&1; then echo "ok    $name"; else echo "FAIL  $name"; sed 's/^/      /' "$work/$name.out"; failed=1; fi
}

for t in Tests/CABI/checks/*.sh; do
    check "$(basename "$t" .sh)" bash "$t" "$stage" "$bin" "$cli" "$work"
done
exit $failed
