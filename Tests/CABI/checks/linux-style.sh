#!/usr/bin/env bash
# Examples/linux-style: kernel-style guest code (struct tdx_module_args, __tdcall*) against libsoftseam. The
# program checks itself (exit 0 = every check passed); here we also check the lines it prints against the
# config it builds (GPAW 48 → shared bit 47; one 2M page, 512 + 3 4K pages, one 2M fallback; NUM_L2_VMS 2).
set -euo pipefail
bin=$2 work=$4
out=$work/linux_style.stdout  # not $work/linux-style.out: run.sh keeps this script's own output there
"$bin/linux_style" >"$out"
cat "$out"
grep -q '^shared bit: 47 ' "$out"
grep -q ': 1 x 2M, 515 x 4K; 2M attempts that fell back to 4K: 1 ' "$out"
grep -q '^NUM_L2_VMS: 2$' "$out"
grep -qE '^[0-9]+ checks passed$' "$out"
