#!/usr/bin/env bash
# Tests/CABI/l2_delivery.c: an L1 in C injects vector 0x31 into L2 with the VM-entry interruption information,
# the L2 callback sees the delivery (softseam_l2_state's delivering/delivery), L2 EOIs (an exit to L1, which
# emulates it), IRETs and halts. The trace it records must replay clean and hold the one delivery, on the
# TDG.VP.ENTER.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/l2_delivery" "$work" || failed=1
t=$work/l2-delivery.trace.jsonl
"$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
[ "$(grep -c '"delivered":{"vm":1,"vector":"0x31","type":"external","via":"entry"' "$t")" = 1 ] ||
    { echo "FAIL: $t: expected 1 entry-injection delivery of 0x31 to VM 1"; failed=1; }
[ "$(grep -c '"eoi"' "$t")" = 1 ] || { echo "FAIL: $t: expected 1 eoi step"; failed=1; }
exit $failed
