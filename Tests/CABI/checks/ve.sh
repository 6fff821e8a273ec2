#!/usr/bin/env bash
# Tests/CABI/ve.c: #VE for L1 through the C ABI (SOFTSEAM_VE / SOFTSEAM_DF). The trace it records must replay
# clean and hold the #VE steps as L1 steps with a fault result.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/ve" "$work" || failed=1
t=$work/ve.trace.jsonl
"$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
# Hand-counted: the load (step 2), the store (4), CPUID (7) and WRMSR (9) took a #VE, the load (5) and the
# WRMSR (10) a #DF; the #GP and the accesses that completed are no steps.
[ "$(grep -c '"fault":20' "$t")" = 4 ] || { echo "FAIL: $t: expected 4 steps with \"fault\":20"; failed=1; }
[ "$(grep -c '"fault":8' "$t")" = 2 ] || { echo "FAIL: $t: expected 2 steps with \"fault\":8"; failed=1; }
[ "$(grep -c '"fault":13' "$t")" = 0 ] || { echo "FAIL: $t: a #GP is no step"; failed=1; }
grep -q '"step":2,"actor":"l1","vcpu":0,"read":{"gpa":"0x103ffc","size":8},"fault":20' "$t" ||
    { echo "FAIL: $t: step 2, the load of 0x103ffc that took a #VE"; failed=1; }
exit $failed
