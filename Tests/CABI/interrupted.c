/*
 * interrupted.c — an L1 written in C sees an interruptible TDCALL stop and resumes it: with an interrupt
 * pending for L1 (softseam_set_l1_interrupt_state: RVI class above PPR class) a 2M TDG.MEM.PAGE.ACCEPT and a
 * TDG.VP.INVVPID GLA list return SOFTSEAM_INTERRUPTED with RAX unwritten, and L1 — after taking the interrupt
 * — calls them again with the same registers until they complete. The Linux-style helper __tdcall hides the
 * interruption, as the CPU's re-execution does.
 *
 * Usage: interrupted WORKDIR
 *   WORKDIR  where it writes interrupted.trace.jsonl (Tests/CABI/checks/interrupted.sh replays it)
 *
 * Expected values are worked out from softseam.h (SOFTSEAM_INTERRUPTED) and the module's source:
 * src/td_dispatcher/vm_exits/tdg_mem_page_accept.c (one 4K chunk from the SEPT entry's accept counter, then
 * counter + 1 and the interrupt check; after chunk 511 done with no check), tdg_vp_invvpid.c (one entry,
 * FIRST_ENTRY + 1, NUM_ENTRIES − 1, the check; RDX written back), tdx_td_dispatcher.c (interrupted: no RAX).
 */
#include "cabi_check.h"

/* One vCPU, one L2 VM; 0x100000–0x101FFF mapped, 2M PENDING pages at 0x400000 and 0x600000. */
#define INT_CONFIG                                                                                        \
    "{\"num_l2_vms\":1,\"vcpus\":1,\"gpaw\":48,\"module\":\"1.5.01\",\"memory\":["                        \
    "{\"gpa\":\"0x100000\",\"size\":\"0x2000\",\"state\":\"mapped\"},"                                   \
    "{\"gpa\":\"0x400000\",\"size\":\"0x200000\",\"state\":\"pending\",\"page_size\":\"2M\"},"           \
    "{\"gpa\":\"0x600000\",\"size\":\"0x200000\",\"state\":\"pending\",\"page_size\":\"2M\"}]}"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: interrupted WORKDIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/interrupted.trace.jsonl", argv[1]);
    softseam_t *m = cabi_create(INT_CONFIG);
    int rc = softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "Tests/CABI/interrupted.c");
    CHECK(rc == SOFTSEAM_OK, "trace_start: %d %s", rc, softseam_last_error(m));

    /* Step 1: an interrupt pending for L1 (RVI 0x41: class 4, PPR 0). */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0x41, 0), SOFTSEAM_OK, "set_l1_interrupt_state 0x41/0");

    /* Steps 2, 3: ACCEPT 2M at 0x400000, twice interrupted (chunks 0 and 1), registers as given. */
    for (int n = 0; n < 2; n++) {
        softseam_regs_t r = {.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x400001, .rdx = 0x1111};
        rc = softseam_tdcall(m, 0, &r);
        CHECK(rc == SOFTSEAM_INTERRUPTED, "ACCEPT with an interrupt pending: got %d, want SOFTSEAM_INTERRUPTED (%s)",
              rc, softseam_last_error(m));
        CHECK_EQ(r.rax, TDG_MEM_PAGE_ACCEPT, "interrupted ACCEPT: RAX not written");
        CHECK_EQ(r.rcx, 0x400001, "interrupted ACCEPT: RCX");
        CHECK_EQ(r.rdx, 0x1111, "interrupted ACCEPT: RDX untouched");
        CHECK(softseam_vcpu_location(m, 0) == 0, "interrupted: L1 runs (it takes the interrupt)");
    }
    /* Step 4: L1 took the interrupt. Step 5: the same TDCALL again completes (chunks 2…511). */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0, 0), SOFTSEAM_OK, "set_l1_interrupt_state 0/0");
    softseam_regs_t r = {.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x400001, .rdx = 0x1111};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "resumed ACCEPT: rc %d RAX 0x%" PRIx64, rc, r.rax);
    CHECK_EQ(r.rdx, 0x1111, "resumed ACCEPT writes only RAX");
    /* Step 6: accepted now (PAGE_ALREADY_ACCEPTED with level 1). */
    r = (softseam_regs_t){.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x400001};
    CHECK(softseam_tdcall(m, 0, &r) == SOFTSEAM_OK && r.rax == (TDX_PAGE_ALREADY_ACCEPTED | 1),
          "ACCEPT again: RAX 0x%" PRIx64, r.rax);

    /* Steps 7, 8: a GLA list at 0x100000, entries 0 (GLA 0x50000000, 2 pages) and 1 (0x60000000, 1 page). */
    put64(m, 0x100000, 0x50000001);
    put64(m, 0x100008, 0x60000000);
    /* Step 9: an interrupt pending again (RVI class 5 over PPR class 4). */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0x51, 0x40), SOFTSEAM_OK, "set_l1_interrupt_state 0x51/0x40");
    /* Steps 10, 11: INVVPID VM1 list, interrupted after each entry; L1 calls it again with the RDX it got. */
    const uint64_t want_rdx[2] = {0x100000 | 1 | UINT64_C(1) << 52, 0x100002};
    r = (softseam_regs_t){.rax = TDG_VP_INVVPID, .rcx = UINT64_C(1) << 52 | 1, .rdx = 0x100000 | UINT64_C(2) << 52};
    for (int n = 0; n < 2; n++) {
        rc = softseam_tdcall(m, 0, &r);
        CHECK(rc == SOFTSEAM_INTERRUPTED, "INVVPID list, entry %d: got %d, want SOFTSEAM_INTERRUPTED", n, rc);
        CHECK_EQ(r.rax, TDG_VP_INVVPID, "interrupted INVVPID: RAX not written");
        CHECK_EQ(r.rdx, want_rdx[n], "interrupted INVVPID: RDX = FIRST_ENTRY | NUM_ENTRIES left");
    }
    /* Step 12: L1 took the interrupt. Step 13: again with RDX NUM_ENTRIES 0: completes, RDX unchanged. */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0, 0), SOFTSEAM_OK, "set_l1_interrupt_state 0/0 again");
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "resumed INVVPID: rc %d RAX 0x%" PRIx64, rc, r.rax);
    CHECK_EQ(r.rdx, 0x100002, "resumed INVVPID: RDX");
    int64_t steps = softseam_trace_stop(m);
    CHECK_EQ(steps, 13, "steps recorded");

    /* The Linux-style helper: with the interrupt pending throughout, __tdcall makes the 512 calls a 2M ACCEPT
       then needs (one chunk each, the last without a check) and returns its RAX. */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0x41, 0), SOFTSEAM_OK, "set_l1_interrupt_state for __tdcall");
    softseam_bind_current(m, 0);
    struct tdx_module_args a = {.rcx = 0x600001};
    CHECK_EQ(__tdcall(TDG_MEM_PAGE_ACCEPT, &a), TDX_SUCCESS, "__tdcall ACCEPT 2M with an interrupt pending");
    a = (struct tdx_module_args){.rcx = 0x600001};
    CHECK_EQ(__tdcall(TDG_MEM_PAGE_ACCEPT, &a), TDX_PAGE_ALREADY_ACCEPTED | 1, "__tdcall ACCEPT again");
    softseam_bind_current(NULL, 0);
    softseam_destroy(m);
    return cabi_finish("interrupted");
}
