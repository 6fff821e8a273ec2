#!/usr/bin/env bash
# Tests/CABI/irte.c: the shared-IRTE ring through the C ABI. The trace it records must replay clean and hold the
# pushes as irte_push host steps: four pushed or refused from main (not_shared, then two, then full and bad_gpa)
# and one from the host callback; the refusals recorded by name.
set -uo pipefail
bin=$2 cli=$3 work=$4
failed=0
"$bin/irte" "$work" || failed=1
t=$work/irte.trace.jsonl
"$cli" replay "$t" || { echo "FAIL: softseam replay $t"; failed=1; }
[ "$(grep -c '"irte_push"' "$t")" = 6 ] || { echo "FAIL: $t: expected 6 irte_push steps"; failed=1; }
for why in not_shared full bad_gpa; do
    [ "$(grep -c "\"refused\":\"$why\"" "$t")" = 1 ] || { echo "FAIL: $t: expected one push refused $why"; failed=1; }
done
exit $failed
