/*
 * ve.c — #VE for L1 through the C ABI: softseam_mem_read/_write touching a PENDING page, and
 * softseam_cpuid/_rdmsr/_wrmsr the module turns into a #VE, return SOFTSEAM_VE (or SOFTSEAM_DF while VE_INFO
 * still holds an unread #VE), change nothing but VE_INFO, and are L1 steps of the trace they record (an
 * access that completes or takes a #GP changes nothing and is no step).
 *
 * Usage: ve WORKDIR
 *   WORKDIR  where it writes ve.trace.jsonl (Tests/CABI/checks/ve.sh replays it with `softseam replay`)
 *
 * Expected values are worked out from softseam.h (SOFTSEAM_VE, SOFTSEAM_DF, softseam_mem_read) and the
 * module's source: src/td_dispatcher/vm_exits/td_ept_violation.c (a guest access to a PENDING page while
 * TD_CTLS.PENDING_VE_DISABLE = 0 is a #VE: exit reason 48, qualification bit 0 read / bit 1 write, GPA),
 * td_other_exits.c tdx_inject_ve (a #VE while VE_INFO.VALID is set is a #DF), tdg_vp_veinfo_get.c
 * (RCX = exit reason, RDX = qualification, R8 = GLA, R9 = GPA, R10 = instruction length | info << 32),
 * td_cpuid.c (a CPUID leaf not in the TD's table: #VE, exit reason 10, length 2) and the MSR bitmaps
 * (IA32_TIME_STAMP_COUNTER 0x10 write: #VE, exit reason 32; MSR 0x8C: #GP(0); MSR 0xBD reads 1).
 */
#include "cabi_check.h"

/* One vCPU, no L2 VM; 0x100000–0x103FFF mapped, 0x104000 PENDING (SEPT_VE_DISABLE clear). */
#define VE_CONFIG                                                                                         \
    "{\"num_l2_vms\":0,\"vcpus\":1,\"gpaw\":48,\"module\":\"1.5.01\",\"memory\":["                        \
    "{\"gpa\":\"0x100000\",\"size\":\"0x4000\",\"state\":\"mapped\"},"                                   \
    "{\"gpa\":\"0x104000\",\"size\":\"0x1000\",\"state\":\"pending\"}]}"

/* TDG.VP.VEINFO.GET; checks RAX = TDX_SUCCESS and RCX, RDX, R9, R10. */
static void veinfo_get(softseam_t *m, uint64_t reason, uint64_t qual, uint64_t gpa, uint64_t len, const char *what) {
    softseam_regs_t r = {.rax = TDG_VP_VEINFO_GET};
    int rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "%s: VEINFO.GET rc %d RAX 0x%" PRIx64, what, rc, r.rax);
    CHECK_EQ(r.rcx, reason, what);
    CHECK_EQ(r.rdx, qual, what);
    CHECK_EQ(r.r8, 0, what);
    CHECK_EQ(r.r9, gpa, what);
    CHECK_EQ(r.r10, len, what);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ve WORKDIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/ve.trace.jsonl", argv[1]);
    softseam_t *m = cabi_create(VE_CONFIG);
    int rc = softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "Tests/CABI/ve.c");
    CHECK(rc == SOFTSEAM_OK, "trace_start: %d %s", rc, softseam_last_error(m));

    /* 1: a store of mapped memory; a load of it completes and changes nothing (no step). */
    put64(m, 0x100000, 0x1122334455667788ULL);
    CHECK_EQ(get64(m, 0x100000), 0x1122334455667788ULL, "load of what was stored");

    /* 2: a load that crosses into the PENDING page: #VE, no byte read (the buffer keeps its 0xAA). */
    uint8_t buf[8];
    memset(buf, 0xAA, sizeof buf);
    rc = softseam_mem_read(m, 0x103FFC, buf, sizeof buf);
    CHECK(rc == SOFTSEAM_VE, "load of 0x103FFC..0x104003: got %d, want SOFTSEAM_VE (%s)", rc, softseam_last_error(m));
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK_EQ(buf[i], 0xAA, "a load that took a #VE reads nothing");
    /* 3: the GPA is the first byte on the PENDING page, qualification 1 (data read). */
    veinfo_get(m, 48, 1, 0x104000, 0, "load #VE");

    /* 4: a store into the PENDING page: #VE, qualification 2 (data write); 5: a load before VEINFO.GET: #DF,
       which changes nothing at all. */
    uint32_t word = 0xDEADBEEF;
    rc = softseam_mem_write(m, 0x104010, &word, sizeof word);
    CHECK(rc == SOFTSEAM_VE, "store to 0x104010: got %d, want SOFTSEAM_VE", rc);
    uint64_t before = softseam_state_hash(m);
    rc = softseam_mem_read(m, 0x104000, buf, 1);
    CHECK(rc == SOFTSEAM_DF, "second #VE before VEINFO.GET: got %d, want SOFTSEAM_DF", rc);
    CHECK_EQ(softseam_state_hash(m), before, "a #DF changes nothing");
    /* 6: VE_INFO still holds the store's #VE. */
    veinfo_get(m, 48, 2, 0x104010, 0, "store #VE");

    /* 7, 8: CPUID 0x40000000 is not in the TD's table: SOFTSEAM_VE, *fault 20, out[] 0; VE_INFO: exit reason
       10, instruction length 2. */
    uint32_t out[4] = {1, 1, 1, 1}, fault = 99;
    rc = softseam_cpuid(m, 0, 0x40000000, 0, out, &fault);
    CHECK(rc == SOFTSEAM_VE && fault == 20, "CPUID 0x40000000: rc %d fault %u", rc, fault);
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0, "CPUID #VE: out[] is 0");
    veinfo_get(m, 10, 0, 0, 2, "CPUID #VE");

    /* RDMSR 0x8C is #GP(0): 0 with *fault 13; RDMSR 0xBD completes with 1. Neither changes anything: no step. */
    uint64_t value = 7;
    rc = softseam_rdmsr(m, 0, 0x8C, &value, &fault);
    CHECK(rc == SOFTSEAM_OK && fault == 13 && value == 0, "RDMSR 0x8C: rc %d fault %u value %" PRIu64, rc, fault,
          value);
    rc = softseam_rdmsr(m, 0, 0xBD, &value, &fault);
    CHECK(rc == SOFTSEAM_OK && fault == 0 && value == 1, "RDMSR 0xBD: rc %d fault %u value %" PRIu64, rc, fault,
          value);

    /* 9, 10: WRMSR IA32_TIME_STAMP_COUNTER: #VE (exit reason 32); again before VEINFO.GET: #DF. */
    rc = softseam_wrmsr(m, 0, 0x10, 5, &fault);
    CHECK(rc == SOFTSEAM_VE && fault == 20, "WRMSR 0x10: rc %d fault %u", rc, fault);
    rc = softseam_wrmsr(m, 0, 0x10, 5, &fault);
    CHECK(rc == SOFTSEAM_DF && fault == 8, "WRMSR 0x10 again: rc %d fault %u", rc, fault);
    /* 11 */
    veinfo_get(m, 32, 0, 0, 2, "WRMSR #VE");

    /* Misuse keeps its codes (not steps): a NULL buffer, a vCPU the TD does not have, a FREE page. */
    CHECK_ERR(softseam_mem_read(m, 0x100000, NULL, 8), SOFTSEAM_EINVAL, "softseam_mem_read", "NULL buf");
    CHECK_ERR(softseam_rdmsr(m, 1, 0x10, &value, &fault), SOFTSEAM_ENOVCPU, "softseam_rdmsr", "vCPU 1");
    CHECK_ERR(softseam_mem_write(m, 0x105000, &word, sizeof word), SOFTSEAM_EMEMORY, "softseam_mem_write",
              "FREE page");

    int64_t steps = softseam_trace_stop(m);
    CHECK_EQ(steps, 11, "steps recorded");
    softseam_destroy(m);
    return cabi_finish("ve");
}
