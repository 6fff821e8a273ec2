#!/usr/bin/env bash
# The vTPM example (Examples/vtpm-l1) end to end from a shell: its evidence verifies, its trace replays clean,
# and each broken link is rejected with its own exit code (10 quote_signature, 11 l1_measurement, 12 ek_binding,
# 13 l2_measurement, 14 separator; 2 for a file that does not parse).
set -euo pipefail
cli=$3 work=$4/vtpm-attest
mkdir -p "$work"

expect_exit() {  # expect_exit CODE WHAT COMMAND…
    local want=$1 what=$2
    shift 2
    set +e
    "$@" >"$work/out" 2>&1
    local got=$?
    set -e
    [ "$got" = "$want" ] || { echo "FAIL: $what: exit $got, expected $want"; cat "$work/out"; exit 1; }
    echo "$what: exit $want"
}

"$cli" attest vtpm --evidence "$work/evidence.json" --trace "$work/vtpm.trace.jsonl" >"$work/run.txt"
grep -q "^L2 printed PCR\[0\]: e83931d79555369be6a6b712e1a85e7f3c127418d157460c929bcf87c9db511d48a40f3aeb010fa81de94103686924fe$" "$work/run.txt"
echo "L2 read PCR[0] from the vTPM (SHA-384 of zeros and the firmware digest)"
expect_exit 0 "the example's evidence verifies" "$cli" attest verify "$work/evidence.json"
"$cli" attest reference >"$work/reference.json"
expect_exit 0 "it verifies against the printed reference values" \
    "$cli" attest verify "$work/evidence.json" --reference "$work/reference.json"
"$cli" replay "$work/vtpm.trace.jsonl" | grep -q "^OK "
echo "its trace replays clean"
"$cli" attest vtpm --evidence "$work/again.json" >/dev/null
cmp "$work/evidence.json" "$work/again.json"
echo "a second run writes the same evidence"

printf 'SoftSEAM vTPM example L1, image v2\n' >"$work/other-l1.img"
"$cli" attest vtpm --l1-image "$work/other-l1.img" --evidence "$work/l1.json" >/dev/null
expect_exit 11 "another L1 image" "$cli" attest verify "$work/l1.json"
head -c 4096 /dev/zero >"$work/other-l2.img"
"$cli" attest vtpm --l2-firmware "$work/other-l2.img" --evidence "$work/l2.json" >/dev/null
expect_exit 13 "another L2 firmware" "$cli" attest verify "$work/l2.json"
"$cli" attest vtpm --no-separator --evidence "$work/nosep.json" >/dev/null
expect_exit 14 "no SEPARATOR" "$cli" attest verify "$work/nosep.json"
"$cli" attest vtpm --unbound-ek --evidence "$work/unbound.json" >/dev/null
expect_exit 12 "REPORTDATA not bound to the EK" "$cli" attest verify --json "$work/unbound.json"
grep -q '"link": "ek_binding", "result": "failed"' "$work/out"
# A changed character at the start of the certificate's base64 (its outer length): the certificate no longer parses.
sed '2s/MIIF/MIIG/' "$work/evidence.json" >"$work/badcert.json"
expect_exit 10 "a damaged certificate" "$cli" attest verify "$work/badcert.json"
sed 's/"format": "softseam-vtpm-evidence-1"/"format": 1/' "$work/evidence.json" >"$work/malformed.json"
expect_exit 2 "a malformed evidence file" "$cli" attest verify "$work/malformed.json"
grep -q "malformed.json:1.*format" "$work/out"
echo "the error names the file, the line and the field"
