#!/usr/bin/env bash
# Tests/CABI/interrupts.c: posted interrupts, L1's virtual APIC and PEND_NMI through the C ABI. The trace it
# records must replay clean and hold the deliveries: 0x47 and 0x61 to L1 by virtual-interrupt delivery, then the
# NMIs by PEND_NMI on the TDCALL and the CPUID after it; the posts are host steps.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/interrupts" "$work" || failed=1
t=$work/interrupts.trace.jsonl
"$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
[ "$(grep -c '"post_interrupt"' "$t")" = 2 ] || { echo "FAIL: $t: expected 2 post_interrupt steps"; failed=1; }
[ "$(grep -c '"via":"virtual_interrupt"' "$t")" = 2 ] || { echo "FAIL: $t: expected 2 virtual-interrupt deliveries"; failed=1; }
[ "$(grep -c '"delivered":{"vm":0,"vector":"0x2","type":"nmi","via":"pend_nmi"' "$t")" = 2 ] ||
    { echo "FAIL: $t: expected 2 PEND_NMI deliveries (after TDG.VP.INFO and after CPUID)"; failed=1; }
grep -q '"cpuid":{"leaf":"0x0","subleaf":"0x0"}.*"via":"pend_nmi"' "$t" ||
    { echo "FAIL: $t: the CPUID that delivered the NMI is no step"; failed=1; }
exit $failed
