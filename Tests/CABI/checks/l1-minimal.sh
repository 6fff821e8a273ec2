#!/usr/bin/env bash
# Examples/l1-minimal (C, through libsoftseam) against the Swift demo L1 (`softseam demo --l1-view`): the
# same exits in the same order, L2 in long mode, the same final state hash — with L2 from the built-in
# program and from the demo traces' events (full and l1-observed) — and the trace it records replays clean and holds exactly the
# steps of the Swift L1's trace (Traces/l2-boot-demo.trace.jsonl; only comments differ).
set -euo pipefail
stage=$1 bin=$2 cli=$3 work=$4
expected=$work/l1-view.expected
"$cli" demo --l1-view >"$expected"
grep -q '^mode=long mode' "$expected"
view() { grep -E '^(exit |mode=|state_hash=)' "$1"; }

"$bin/l1_minimal" --trace "$work/l1-minimal.trace.jsonl" >"$work/l1-minimal.out"
diff <(view "$work/l1-minimal.out") "$expected"
echo "built-in L2 program: $(grep -c '^exit ' "$expected") exits, $(grep '^state_hash=' "$expected")"

"$bin/l1_minimal" --l2-events Traces/l2-boot-demo.trace.jsonl >"$work/l1-minimal.events.out"
diff <(view "$work/l1-minimal.events.out") "$expected"
echo "L2 events from Traces/l2-boot-demo.trace.jsonl: same exits and hash"

"$bin/l1_minimal" --l2-events Traces/l2-boot-demo.l1-observed.trace.jsonl >"$work/l1-minimal.observed.out"
diff <(view "$work/l1-minimal.observed.out") "$expected"
echo "L2 events from the l1-observed trace's TDG.VP.ENTERs: same exits and hash"

"$cli" replay "$work/l1-minimal.trace.jsonl"
steps() { tail -n +2 "$1" | sed -E 's/,"comment":"([^"\\]|\\.)*"//'; }
diff <(steps "$work/l1-minimal.trace.jsonl") <(steps Traces/l2-boot-demo.trace.jsonl)
echo "its trace has the Swift L1's steps, outputs and hashes"

status=0; "$bin/l1_minimal" --bogus >/dev/null 2>"$work/l1-minimal.usage" || status=$?
[ "$status" = 2 ] || { echo "an unknown option: exit status $status, not 2"; exit 1; }
grep -q '^l1-minimal: usage: ' "$work/l1-minimal.usage"
echo "an unknown option is a usage error: exit 2"
