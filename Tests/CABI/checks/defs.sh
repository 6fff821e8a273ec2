#!/usr/bin/env bash
# The installed softseam_defs.h stands alone (only <stdint.h> and <stddef.h>) and compiles warning-free as C11
# and, where g++ is installed, as C++11, with -Wall -Wextra -Werror -pedantic; a few of its values against ones
# worked out by hand: VM1's guest CR0 id (Specs/l2-vmcs-fields.tsv's header comment), the leaf and status
# numbers of Specs/leaves.tsv and Specs/status-codes.tsv, the TD-exit VM index in RCX[33:32].
set -euo pipefail
stage=$(cd "$1" && pwd) work=$4
cat >"$work/defs_check.c" <<'C'
#include <softseam_defs.h>
#ifdef __cplusplus
#define CHECK_VALUE(c) static_assert(c, #c)
#else
#define CHECK_VALUE(c) _Static_assert(c, #c)
#endif
CHECK_VALUE(TDX_MD_L2_VMCS(1, TDX_L2_VMCS_GUEST_CR0) == UINT64_C(0x2420000300006800));
CHECK_VALUE(TDX_MD_L2_VMCS(3, TDX_L2_VMCS_GUEST_CR0) == UINT64_C(0x3420000300006800));
CHECK_VALUE(TDG_VP_ENTER == 25 && TDG_MEM_PAGE_ATTR_WR == 24 && TDH_VP_ENTER == 0);
CHECK_VALUE((TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX) == UINT64_C(0xC000010000000001));
CHECK_VALUE(TDX_TD_EXIT_VM(UINT64_C(0x200000000)) == 2);
CHECK_VALUE(TDX_L2_EXIT_INSTRUCTION_LENGTH(UINT64_C(0x300000000)) == 3);
CHECK_VALUE(TDX_GPA_ATTR_FOR_VM(2, TDX_GPA_ATTR_VALID | TDX_GPA_ATTR_R) == UINT64_C(0x800100000000));
CHECK_VALUE(TDX_MD_ELEMENT_MASK(TDX_L2_VMCS_GUEST_ES_SELECTOR) == 0xFFFF);
int main(void) { return 0; }
C
gcc -std=c11 -Wall -Wextra -Werror -pedantic -I"$stage/include" "$work/defs_check.c" -o "$work/defs_check"
echo "softseam_defs.h: C11 compile and hand-worked values ok"
if command -v g++ >/dev/null; then
    cp "$work/defs_check.c" "$work/defs_check.cpp"
    g++ -std=c++11 -Wall -Wextra -Werror -pedantic -I"$stage/include" "$work/defs_check.cpp" -o "$work/defs_check_cpp"
    echo "softseam_defs.h: C++11 compile ok"
else
    echo "no g++: the C++ compile is skipped"
fi
