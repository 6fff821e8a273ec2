#include "softseam_bench.h"

uint64_t ssbench_vp_info_loop(softseam_t *m, uint64_t iterations) {
    uint64_t sum = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        softseam_regs_t r = {.rax = 1 /* TDG.VP.INFO */};
        if (softseam_tdcall(m, 0, &r) != SOFTSEAM_OK || r.rax != 0) return UINT64_MAX;
        sum += r.rcx;
    }
    return sum;
}
