#!/usr/bin/env bash
# Tests/CABI/limits.c: the L2 event limit, the trace's step limit, softseam_last_error's lifetime, the
# built-in host's memory over a million TD exits, an unquoted L2 event. The traces it records around a call
# that hit a limit must replay clean; they are replayed even when a check of the program failed.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/limits" "$work" || failed=1
for t in "$work/limits.runaway.trace.jsonl" "$work/limits.full.trace.jsonl"; do
    if [ ! -s "$t" ]; then echo "no trace at $t"; failed=1; continue; fi
    "$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
done
exit $failed
