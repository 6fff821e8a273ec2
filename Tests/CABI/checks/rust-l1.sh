#!/usr/bin/env bash
# Examples/rust-l1 (Rust, through the softseam crate) against the Swift demo L1 (`softseam demo --l1-view`) and
# the C example: the same exits in the same order, L2 in long mode, the same final state hash — with L2 from the
# built-in program and from the demo traces' events (full and l1-observed) — and the trace it records replays
# clean and holds exactly the steps of the Swift L1's trace (Traces/l2-boot-demo.trace.jsonl; only comments
# differ). `make examples` builds it into $bin/rust-l1.
set -euo pipefail
stage=$1 bin=$2 cli=$3 work=$4
[ -x "$bin/rust-l1" ] || { echo "no $bin/rust-l1 (make examples builds it with cargo)"; exit 1; }
expected=$work/rust-l1.expected
"$cli" demo --l1-view >"$expected"
grep -q '^mode=long mode' "$expected"
view() { grep -E '^(exit |mode=|state_hash=)' "$1"; }

"$bin/rust-l1" --trace "$work/rust-l1.trace.jsonl" >"$work/rust-l1.out"
diff <(view "$work/rust-l1.out") "$expected"
"$bin/l1_minimal" >"$work/rust-l1.c.out"
diff "$work/rust-l1.out" "$work/rust-l1.c.out"
echo "built-in L2 program: $(grep -c '^exit ' "$expected") exits, $(grep '^state_hash=' "$expected"); the C example prints the same lines"

"$bin/rust-l1" --l2-events Traces/l2-boot-demo.trace.jsonl >"$work/rust-l1.events.out"
diff <(view "$work/rust-l1.events.out") "$expected"
"$bin/rust-l1" --l2-events Traces/l2-boot-demo.l1-observed.trace.jsonl >"$work/rust-l1.observed.out"
diff <(view "$work/rust-l1.observed.out") "$expected"
echo "L2 events from the full and the l1-observed demo traces: same exits and hash"

"$cli" replay "$work/rust-l1.trace.jsonl"
steps() { tail -n +2 "$1" | sed -E 's/,"comment":"([^"\\]|\\.)*"//'; }
diff <(steps "$work/rust-l1.trace.jsonl") <(steps Traces/l2-boot-demo.trace.jsonl)
echo "its trace has the Swift L1's steps, outputs and hashes"

status=0; "$bin/rust-l1" --bogus >/dev/null 2>"$work/rust-l1.usage" || status=$?
[ "$status" = 2 ] || { echo "an unknown option: exit status $status, not 2"; exit 1; }
grep -q '^rust-l1: usage: ' "$work/rust-l1.usage"
