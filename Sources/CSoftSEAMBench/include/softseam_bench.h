/* The C side of `softseam bench`'s C ABI benchmark: loops that call libsoftseam from C, as L1 code does. */
#ifndef SOFTSEAM_BENCH_H
#define SOFTSEAM_BENCH_H

#include <stdint.h>
#include "softseam.h"

/* `iterations` TDG.VP.INFO calls on vCPU 0 through softseam_tdcall; returns the sum of the RCX outputs (so
   the loop has an effect), or UINT64_MAX when a call did not return SOFTSEAM_OK with TDX_SUCCESS. */
uint64_t ssbench_vp_info_loop(softseam_t *m, uint64_t iterations);

#endif
