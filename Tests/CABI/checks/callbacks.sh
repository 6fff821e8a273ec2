#!/usr/bin/env bash
# Tests/CABI/callbacks.c: L2 callbacks and events files, the host callback, posted interrupts, traces. The
# traces it records — JSON with the built-in host, binary with a host callback, one finished by
# softseam_destroy — must replay clean; they are replayed even when a check of the program failed, so one
# failure does not hide another.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/callbacks" "$work" Traces/l2-cpuid-roundtrip.trace.jsonl || failed=1
for t in "$work/callbacks.trace.jsonl" "$work/callbacks.trace.bin" "$work/callbacks.destroyed.trace.jsonl" \
    "$work/callbacks.fault-like.trace.jsonl" "$work/callbacks.undone.trace.jsonl"; do
    if [ ! -s "$t" ]; then echo "no trace at $t"; failed=1; continue; fi
    "$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
done
exit $failed
