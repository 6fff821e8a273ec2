/* Compile-time checks that the C ABI's structures have the layout the Swift side and the kernel expect. */
#include <stddef.h>
#include "softseam.h"
#include "softseam_defs.h" /* its _Static_asserts: the guest-state buffer at the offsets the model uses */

_Static_assert(sizeof(softseam_regs_t) == 16 * 8, "softseam_regs_t: 16 GPRs");
_Static_assert(offsetof(softseam_regs_t, r8) == 8 * 8, "softseam_regs_t: architectural order");
_Static_assert(sizeof(struct tdx_module_args) == 13 * 8, "tdx_module_args: 13 registers");
_Static_assert(offsetof(struct tdx_module_args, r8) == 2 * 8, "tdx_module_args: the kernel's order");
_Static_assert(offsetof(struct tdx_module_args, rsi) == 12 * 8, "tdx_module_args: the kernel's order");
_Static_assert(offsetof(softseam_td_exit_t, regs) == 16, "softseam_td_exit_t: registers after 4 words");
_Static_assert(offsetof(softseam_l2_state_t, gprs) == 8, "softseam_l2_state_t: GPRs after vcpu, vm");
