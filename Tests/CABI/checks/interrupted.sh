#!/usr/bin/env bash
# Tests/CABI/interrupted.c: an L1 in C sees SOFTSEAM_INTERRUPTED and resumes. The trace it records must replay
# clean and hold the interrupted TDCALLs and the l1_interrupt_state host steps.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/interrupted" "$work" || failed=1
t=$work/interrupted.trace.jsonl
"$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
# Hand-counted: the ACCEPT (steps 2, 3) and the INVVPID (10, 11) were interrupted; four interrupt-state steps.
[ "$(grep -c '"interrupted":true' "$t")" = 4 ] || { echo "FAIL: $t: expected 4 interrupted steps"; failed=1; }
[ "$(grep -c '"l1_interrupt_state"' "$t")" = 4 ] || { echo "FAIL: $t: expected 4 l1_interrupt_state steps"; failed=1; }
grep -q '"step":2,"actor":"l1","vcpu":0,"tdcall":{"rax":"0x6","rcx":"0x400001","rdx":"0x1111"},"out":{"rax":"0x6","rcx":"0x400001","rdx":"0x1111"},"interrupted":true' "$t" ||
    { echo "FAIL: $t: step 2, the interrupted ACCEPT"; failed=1; }
exit $failed
