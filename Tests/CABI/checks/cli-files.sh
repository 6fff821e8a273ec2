#!/usr/bin/env bash
# The CLI's file arguments from a shell: - is standard input or output for every command that reads or writes
# one file, and an output that stands for a descriptor (a link to /proc/self/fd/1, like /dev/stdout) is
# written to it, after what the shell already wrote there, and is not renamed over. (The link is one of the
# check's own, so a regression cannot replace the system's /dev/stdout.)
set -euo pipefail
cli=$3 work=$4/cli-files
mkdir -p "$work"
scenario=Traces/scenarios/td-build.scenario.jsonl trace=Traces/td-build.trace.jsonl

"$cli" record "$scenario" -o - >"$work/stdout.trace.jsonl"
cmp "$work/stdout.trace.jsonl" "$trace"
echo "record -o - writes the trace to standard output"
"$cli" record - -o "$work/stdin.trace.jsonl" <"$scenario"
cmp "$work/stdin.trace.jsonl" "$trace"
echo "record - reads the scenario from standard input"
"$cli" record "$scenario" --binary -o - | "$cli" trace convert - -o - | cmp - "$trace"
echo "record --binary -o - | trace convert - -o -: the same trace"
"$cli" replay - <"$trace" | grep -q "^OK    <stdin>: 15 steps match"
echo "replay - reads standard input"
"$cli" snapshot - --after 4 -o - <"$trace" >"$work/after4.snapshot"
"$cli" replay "$trace" --from - <"$work/after4.snapshot" | grep -q "from the snapshot after step 4"
echo "snapshot - -o - and replay --from -"
"$cli" alias-map - --json <"$trace" | grep -q '"state_hash"'
echo "alias-map - reads standard input"
"$cli" demo --emit-scenario - | cmp - Traces/alias-table-demo.scenario.jsonl
echo "demo --emit-scenario - prints the scenario alone"

ln -s /proc/self/fd/1 "$work/out"
{ echo "before"; "$cli" record "$scenario" -o "$work/out"; } >"$work/redirected"
[ -L "$work/out" ] || { echo "FAIL: $work/out was replaced"; exit 1; }
{ echo "before"; cat "$trace"; } | cmp - "$work/redirected"
echo "an output linked to /proc/self/fd/1 goes to the redirection, after what was there, and stays a link"

mkfifo "$work/fifo"
cat "$work/fifo" >"$work/from-fifo" &
"$cli" record "$scenario" -o "$work/fifo"
wait
[ -p "$work/fifo" ] || { echo "FAIL: the FIFO was replaced"; exit 1; }
cmp "$work/from-fifo" "$trace"
echo "a FIFO is written through and stays a FIFO"
