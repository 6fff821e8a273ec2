#!/usr/bin/env bash
# Tests/CABI/tracefiles.c: softseam_trace_start's path and format (the name decides the form, a directory is
# refused at the start, a symbolic link is written through). The traces it writes must replay clean.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/tracefiles" "$work" || failed=1
for t in tracefiles.trace.bin tracefiles.trace.jsonl tracefiles.any tracefiles.other tracefiles.link.trace.jsonl; do
    "$cli" replay "$work/$t" || { echo "FAIL: softseam replay $work/$t"; failed=1; }
done
exit $failed
