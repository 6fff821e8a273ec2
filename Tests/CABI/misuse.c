/*
 * misuse.c — every function of softseam.h, misused: the negative SOFTSEAM_E… code the header documents, a
 * message from softseam_last_error naming the function, and nothing changed (the header's "Results": nothing
 * crashes and nothing changes on a negative result).
 *
 * Covers: NULL handles, vCPUs and VM indexes the TD lacks, NULL pointers, malformed configs (and the error
 * buffer's bounds), unknown built-in names, bad trace arguments and states, TDCALLs where L1 is not running
 * or the TD is not finalized, memory L1 cannot access, and a machine used from two threads at once or
 * re-entered from its own callbacks (made deterministic with a mutex and condition variable, no sleeps).
 *
 * Usage: misuse [WORKDIR]   (WORKDIR: where it tries to write a trace; default /tmp)
 */
#include <pthread.h>
#include <stdint.h>

#include "cabi_check.h"

/* Makes the thread's last error name something other than `fn`, so a check that the message names `fn` cannot
   pass on a stale message. */
static void reset_error(const char *fn) {
    if (strstr(fn, "softseam_vcpu_location"))
        softseam_trace_stop(NULL);
    else
        softseam_vcpu_location(NULL, 0);
}

#define EXPECT_ERR(call, want, fn, what)                                                                  \
    do {                                                                                                  \
        reset_error(fn);                                                                                  \
        int64_t got_ = (int64_t)(call);                                                                   \
        CHECK_ERR(got_, want, fn, what);                                                                  \
    } while (0)

/* Functions that return a value rather than a code: 0, and a message naming them (reset first). */
#define EXPECT_ZERO(call, fn, what)                                                                       \
    do {                                                                                                  \
        reset_error(fn);                                                                                  \
        uint64_t got_ = (uint64_t)(call);                                                                 \
        const char *e_ = softseam_last_error(NULL);                                                       \
        CHECK(got_ == 0 && e_ && strstr(e_, fn), "%s: %s → 0x%" PRIx64 " \"%s\", want 0 and a message", fn,  \
              what, got_, e_ ? e_ : "(NULL)");                                                            \
    } while (0)

static int dummy_l2(void *ctx, const softseam_l2_state_t *state, char *events, size_t len) {
    (void)ctx, (void)state;
    snprintf(events, len, "\"cpuid\"");
    return 0;
}

static void dummy_host(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) { (void)ctx, (void)m, (void)exit; }

/* ── softseam_create ──────────────────────────────────────────────────────────────────────────────────── */

static void create_checks(void) {
    CHECK_EQ(softseam_abi_version(), SOFTSEAM_ABI_VERSION, "softseam_abi_version");

    /* NULL on error, a NUL-terminated message in error[0 … error_len − 1] (header). */
    struct {
        const char *config, *mentions, *what;
    } bad[] = {
        {NULL, "NULL", "NULL config"},
        {"{", "config", "malformed JSON"},
        {"[1, 2]", "object", "not an object"},
        {"{\"num_l2_vms\":2,\"bogus_key\":1}", "bogus_key", "unknown key"},
        {"{\"memory\":[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"state\":\"mapped\",\"colour\":\"red\"}]}", "colour",
         "unknown region key"},
        {"{\"num_l2_vms\":4}", "num_l2_vms", "NUM_L2_VMS above 3 (TDH.MNG.INIT allows 0…3)"},
        {"{\"gpaw\":50}", "gpaw", "GPAW neither 48 nor 52"},
        {"{\"memory\":[{\"gpa\":\"0x0\",\"size\":\"0x1000\",\"state\":\"sideways\"}]}", "state", "unknown page state"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char error[256];
        memset(error, 'X', sizeof error);
        softseam_t *m = softseam_create(bad[i].config, error, sizeof error);
        CHECK(m == NULL && memchr(error, 0, sizeof error) && error[0] && strstr(error, bad[i].mentions),
              "softseam_create, %s: %p \"%.200s\", want NULL and a message mentioning %s", bad[i].what, (void *)m,
              memchr(error, 0, sizeof error) ? error : "(not terminated)", bad[i].mentions);
        softseam_destroy(m);
    }

    /* error = NULL: nothing to write, no crash. error_len = 0: nothing written. error_len = 1: just the NUL.
       error_len = 8: 7 characters and the NUL; nothing past the 8th byte. */
    const char *unknown_key = "{\"bogus_key\":1}";
    CHECK(softseam_create(unknown_key, NULL, 100) == NULL, "softseam_create with error = NULL");
    char buf[16];
    memset(buf, 'X', sizeof buf);
    CHECK(softseam_create(unknown_key, buf, 0) == NULL && buf[0] == 'X', "softseam_create, error_len 0: wrote '%c'",
          buf[0]);
    memset(buf, 'X', sizeof buf);
    CHECK(softseam_create(unknown_key, buf, 1) == NULL && buf[0] == 0 && buf[1] == 'X',
          "softseam_create, error_len 1: buf[0] 0x%02x buf[1] '%c' (want 0 and untouched)", (unsigned char)buf[0],
          buf[1]);
    memset(buf, 'X', sizeof buf);
    CHECK(softseam_create(unknown_key, buf, 8) == NULL && buf[7] == 0 && !memchr(buf, 0, 7) && buf[8] == 'X',
          "softseam_create, error_len 8: buf[7] 0x%02x, buf[8] '%c'", (unsigned char)buf[7], buf[8]);

    /* error_len is a size_t: SIZE_MAX is a large buffer, not a negative one — the whole message, NUL-terminated
       (the real buffer is far larger than the message). */
    char big[512];
    memset(big, 'X', sizeof big);
    CHECK(softseam_create(unknown_key, big, SIZE_MAX) == NULL && memchr(big, 0, sizeof big) &&
              strstr(big, "softseam_create"),
          "softseam_create, error_len SIZE_MAX: \"%.60s\"", big);

    softseam_destroy(NULL); /* header: NULL is ignored (a crash would end the program) */
}

/* ── A NULL handle, for every function that takes one ─────────────────────────────────────────────────── */

static void null_handle_checks(void) {
    softseam_regs_t r = {0};
    uint64_t v = 0, gpa = 0;
    uint32_t fault = 0, out[4];
    char b[8];
    EXPECT_ERR(softseam_tdcall(NULL, 0, &r), SOFTSEAM_EINVAL, "softseam_tdcall", "NULL machine");
    EXPECT_ERR(softseam_seamcall(NULL, &r), SOFTSEAM_EINVAL, "softseam_seamcall", "NULL machine");
    EXPECT_ERR(softseam_mem_read(NULL, 0x100000, b, 8), SOFTSEAM_EINVAL, "softseam_mem_read", "NULL machine");
    EXPECT_ERR(softseam_mem_write(NULL, 0x100000, b, 8), SOFTSEAM_EINVAL, "softseam_mem_write", "NULL machine");
    EXPECT_ZERO(softseam_state_hash(NULL), "softseam_state_hash", "NULL machine (header: 0)");
    EXPECT_ERR(softseam_rdmsr(NULL, 0, 0x10, &v, &fault), SOFTSEAM_EINVAL, "softseam_rdmsr", "NULL machine");
    EXPECT_ERR(softseam_wrmsr(NULL, 0, 0x10, 0, &fault), SOFTSEAM_EINVAL, "softseam_wrmsr", "NULL machine");
    EXPECT_ERR(softseam_cpuid(NULL, 0, 0, 0, out, &fault), SOFTSEAM_EINVAL, "softseam_cpuid", "NULL machine");
    EXPECT_ZERO(softseam_vcpu_count(NULL), "softseam_vcpu_count", "NULL machine");
    EXPECT_ZERO(softseam_num_l2_vms(NULL), "softseam_num_l2_vms", "NULL machine");
    EXPECT_ZERO(softseam_tdvpr(NULL, 0), "softseam_tdvpr", "NULL machine");
    EXPECT_ERR(softseam_vcpu_location(NULL, 0), SOFTSEAM_EINVAL, "softseam_vcpu_location", "NULL machine");
    EXPECT_ERR(softseam_set_l2_callback(NULL, 1, dummy_l2, NULL), SOFTSEAM_EINVAL, "softseam_set_l2_callback",
               "NULL machine");
    EXPECT_ERR(softseam_set_l2_events_file(NULL, 1, "Traces/l2-cpuid-roundtrip.trace.jsonl"), SOFTSEAM_EINVAL,
               "softseam_set_l2_events_file", "NULL machine");
    EXPECT_ERR(softseam_set_l2_program(NULL, 1, "l2-boot"), SOFTSEAM_EINVAL, "softseam_set_l2_program", "NULL machine");
    EXPECT_ERR(softseam_set_host_callback(NULL, dummy_host, NULL), SOFTSEAM_EINVAL, "softseam_set_host_callback",
               "NULL machine");
    EXPECT_ERR(softseam_resume_l1(NULL, 0, &v), SOFTSEAM_EINVAL, "softseam_resume_l1", "NULL machine");
    EXPECT_ERR(softseam_post_interrupt(NULL, 0, 0x30), SOFTSEAM_EINVAL, "softseam_post_interrupt", "NULL machine");
    EXPECT_ERR(softseam_set_l1_interrupt_state(NULL, 0, 0, 0), SOFTSEAM_EINVAL, "softseam_set_l1_interrupt_state",
               "NULL machine");
    EXPECT_ERR(softseam_trace_start(NULL, "/tmp/x.jsonl", SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EINVAL,
               "softseam_trace_start", "NULL machine");
    EXPECT_ERR(softseam_trace_stop(NULL), SOFTSEAM_EINVAL, "softseam_trace_stop", "NULL machine");

    /* softseam_builtin_image takes no machine: an unknown or NULL name is misuse (negative), a run index past
       the last is 0 (header). */
    EXPECT_ERR(softseam_builtin_image("no-such-image", 0, &gpa, NULL, 0), SOFTSEAM_EINVAL, "softseam_builtin_image",
               "unknown name");
    EXPECT_ERR(softseam_builtin_image(NULL, 0, &gpa, NULL, 0), SOFTSEAM_EINVAL, "softseam_builtin_image", "NULL name");
    CHECK_EQ(softseam_builtin_image("l2-boot", 1u << 30, &gpa, NULL, 0), 0, "softseam_builtin_image past the last run");
    /* buf too small for run 0: SOFTSEAM_EINVAL (header: "a buf_len below the run's length") — and never a byte
       past buf_len. A buf_len of SIZE_MAX is large enough (size_t). */
    unsigned char small[4] = {0xEE, 0xEE, 0xEE, 0xEE};
    int64_t n = softseam_builtin_image("l2-boot", 0, &gpa, small, 1);
    int64_t len = softseam_builtin_image("l2-boot", 0, &gpa, NULL, 0);
    unsigned char whole[4096];
    CHECK_EQ(softseam_builtin_image("l2-boot", 0, &gpa, whole, SIZE_MAX), len, "softseam_builtin_image, buf_len SIZE_MAX");
    CHECK(len > 1 && n == SOFTSEAM_EINVAL && small[1] == 0xEE && small[2] == 0xEE,
          "softseam_builtin_image, 1-byte buf: %" PRId64 " (run length %" PRId64 "), bytes past buf_len %s", n, len,
          small[1] == 0xEE ? "untouched" : "WRITTEN");
}

/* ── Bad arguments on a real machine ──────────────────────────────────────────────────────────────────── */

/* A TD with memory in every state L1 cannot use: 0x100000–0x103FFF mapped, 0x200000 pending, 0x300000 nothing;
   GPAW 48, so bit 47 is the shared bit (tdx-module src/common/helpers/helpers.h get_gpa_shared_bit). */
#define MISUSE_CONFIG                                                                                     \
    "{\"num_l2_vms\":2,\"vcpus\":1,\"gpaw\":48,\"memory\":["                                             \
    "{\"gpa\":\"0x100000\",\"size\":\"0x4000\",\"state\":\"mapped\"},"                                    \
    "{\"gpa\":\"0x200000\",\"size\":\"0x1000\",\"state\":\"pending\"}]}"

static void argument_checks(const char *workdir) {
    softseam_t *m = cabi_create(MISUSE_CONFIG);
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    uint64_t v = 0;
    uint32_t fault = 0, out[4];
    char path[1024];

    /* vCPU 1 and 0xFFFFFFFF do not exist in a 1-vCPU TD: SOFTSEAM_ENOVCPU (header), softseam_tdvpr 0 (header). */
    uint32_t bad_vcpus[] = {1, 0xFFFFFFFF};
    for (int i = 0; i < 2; i++) {
        uint32_t c = bad_vcpus[i];
        EXPECT_ERR(softseam_tdcall(m, c, &r), SOFTSEAM_ENOVCPU, "softseam_tdcall", "vCPU the TD lacks");
        EXPECT_ERR(softseam_rdmsr(m, c, 0x10, &v, &fault), SOFTSEAM_ENOVCPU, "softseam_rdmsr", "vCPU the TD lacks");
        EXPECT_ERR(softseam_wrmsr(m, c, 0x10, 0, &fault), SOFTSEAM_ENOVCPU, "softseam_wrmsr", "vCPU the TD lacks");
        EXPECT_ERR(softseam_cpuid(m, c, 0, 0, out, &fault), SOFTSEAM_ENOVCPU, "softseam_cpuid", "vCPU the TD lacks");
        EXPECT_ZERO(softseam_tdvpr(m, c), "softseam_tdvpr", "vCPU the TD lacks (header: 0)");
        EXPECT_ERR(softseam_vcpu_location(m, c), SOFTSEAM_ENOVCPU, "softseam_vcpu_location", "vCPU the TD lacks");
        EXPECT_ERR(softseam_resume_l1(m, c, &v), SOFTSEAM_ENOVCPU, "softseam_resume_l1", "vCPU the TD lacks");
        EXPECT_ERR(softseam_post_interrupt(m, c, 0x30), SOFTSEAM_ENOVCPU, "softseam_post_interrupt",
                   "vCPU the TD lacks");
        EXPECT_ERR(softseam_set_l1_interrupt_state(m, c, 0, 0), SOFTSEAM_ENOVCPU, "softseam_set_l1_interrupt_state",
                   "vCPU the TD lacks");
    }

    /* NULL register and out pointers: SOFTSEAM_EINVAL (header: "NULL handle or pointer"). */
    char b[8];
    EXPECT_ERR(softseam_tdcall(m, 0, NULL), SOFTSEAM_EINVAL, "softseam_tdcall", "regs NULL");
    EXPECT_ERR(softseam_seamcall(m, NULL), SOFTSEAM_EINVAL, "softseam_seamcall", "regs NULL");
    EXPECT_ERR(softseam_mem_read(m, 0x100000, NULL, 8), SOFTSEAM_EINVAL, "softseam_mem_read", "buf NULL");
    EXPECT_ERR(softseam_mem_write(m, 0x100000, NULL, 8), SOFTSEAM_EINVAL, "softseam_mem_write", "buf NULL");
    EXPECT_ERR(softseam_rdmsr(m, 0, 0x10, NULL, &fault), SOFTSEAM_EINVAL, "softseam_rdmsr", "value NULL");
    EXPECT_ERR(softseam_rdmsr(m, 0, 0x10, &v, NULL), SOFTSEAM_EINVAL, "softseam_rdmsr", "fault NULL");
    EXPECT_ERR(softseam_wrmsr(m, 0, 0x10, 0, NULL), SOFTSEAM_EINVAL, "softseam_wrmsr", "fault NULL");
    EXPECT_ERR(softseam_cpuid(m, 0, 0, 0, NULL, &fault), SOFTSEAM_EINVAL, "softseam_cpuid", "out NULL");
    EXPECT_ERR(softseam_cpuid(m, 0, 0, 0, out, NULL), SOFTSEAM_EINVAL, "softseam_cpuid", "fault NULL");
    EXPECT_ERR(softseam_set_l2_events_file(m, 1, NULL), SOFTSEAM_EINVAL, "softseam_set_l2_events_file", "path NULL");
    EXPECT_ERR(softseam_set_l2_program(m, 1, NULL), SOFTSEAM_EINVAL, "softseam_set_l2_program", "name NULL");
    (void)b;

    /* VM indexes outside 1 … num_l2_vms (2 here) for the L2 setters: SOFTSEAM_EINVAL. */
    uint32_t bad_vms[] = {0, 3, 0xFFFFFFFF};
    for (int i = 0; i < 3; i++) {
        uint32_t vm = bad_vms[i];
        EXPECT_ERR(softseam_set_l2_callback(m, vm, dummy_l2, NULL), SOFTSEAM_EINVAL, "softseam_set_l2_callback",
                   "VM index outside 1…2");
        EXPECT_ERR(softseam_set_l2_events_file(m, vm, "Traces/l2-cpuid-roundtrip.trace.jsonl"), SOFTSEAM_EINVAL,
                   "softseam_set_l2_events_file", "VM index outside 1…2");
        EXPECT_ERR(softseam_set_l2_program(m, vm, "l2-boot"), SOFTSEAM_EINVAL, "softseam_set_l2_program",
                   "VM index outside 1…2");
    }
    EXPECT_ERR(softseam_set_l2_program(m, 1, "no-such-program"), SOFTSEAM_EINVAL, "softseam_set_l2_program",
               "unknown built-in program");
    EXPECT_ERR(softseam_set_l2_events_file(m, 1, "/nonexistent/dir/events.jsonl"), SOFTSEAM_EFILE,
               "/nonexistent/dir/events.jsonl", "a file that does not exist (the message names it)");

    /* Trace arguments: format neither 0 nor 1, NULL or empty path → SOFTSEAM_EINVAL; stop with no trace →
       SOFTSEAM_ESTATE (header: "not possible where the machine is"). */
    EXPECT_ERR(softseam_trace_start(m, "/tmp/x.jsonl", 2, NULL), SOFTSEAM_EINVAL, "softseam_trace_start", "format 2");
    EXPECT_ERR(softseam_trace_start(m, "/tmp/x.jsonl", -1, NULL), SOFTSEAM_EINVAL, "softseam_trace_start", "format -1");
    EXPECT_ERR(softseam_trace_start(m, NULL, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EINVAL, "softseam_trace_start",
               "path NULL");
    EXPECT_ERR(softseam_trace_start(m, "", SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EINVAL, "softseam_trace_start",
               "empty path");
    EXPECT_ERR(softseam_trace_stop(m), SOFTSEAM_ESTATE, "softseam_trace_stop", "no trace being recorded");

    /* Setting sources and reading the machine change nothing, so a trace can still start (header: "before the
       first call that changes the machine"); a second start is refused; while recording, the interrupt
       setters are refused; a trace that cannot be written → SOFTSEAM_EFILE. */
    CHECK_EQ(softseam_set_l2_callback(m, 1, dummy_l2, NULL), SOFTSEAM_OK, "softseam_set_l2_callback before a trace");
    CHECK_EQ(softseam_set_host_callback(m, dummy_host, NULL), SOFTSEAM_OK, "softseam_set_host_callback before a trace");
    CHECK_EQ(softseam_set_host_callback(m, NULL, NULL), SOFTSEAM_OK, "softseam_set_host_callback(NULL) before a trace");
    (void)softseam_state_hash(m);
    CHECK_EQ(softseam_mem_read(m, 0x100000, &v, 8), SOFTSEAM_OK, "softseam_mem_read before a trace");
    /* A directory that does not exist is refused at the start (header), naming the path. */
    snprintf(path, sizeof path, "%s/misuse-nonexistent-dir/x.trace.jsonl", workdir);
    EXPECT_ERR(softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EFILE, path,
               "trace_start into a directory that does not exist");
    snprintf(path, sizeof path, "%s/misuse.trace.jsonl", workdir);
    CHECK_EQ(softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_OK,
             "softseam_trace_start after only setters and reads");
    EXPECT_ERR(softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_ESTATE, "softseam_trace_start",
               "a second trace_start while recording");
    EXPECT_ERR(softseam_post_interrupt(m, 0, 0x30), SOFTSEAM_ESTATE, "softseam_post_interrupt", "while recording");
    CHECK_EQ(softseam_trace_stop(m), 0, "softseam_trace_stop of a trace with no step");
    softseam_destroy(m);

    /* trace_start after a state-changing call (a store by L1) → SOFTSEAM_ESTATE (header). */
    m = cabi_create(MISUSE_CONFIG);
    put64(m, 0x100000, 1);
    EXPECT_ERR(softseam_trace_start(m, "/tmp/x.jsonl", SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_ESTATE,
               "softseam_trace_start", "after a store");
    softseam_destroy(m);
    m = cabi_create(MISUSE_CONFIG);
    r = (softseam_regs_t){.rax = TDG_VP_WR, .rdx = TDX_MD_L2_VMCS(1, TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS), .r8 = 0x101000,
                          .r9 = ~0xFFFULL};
    CHECK(softseam_tdcall(m, 0, &r) == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "TDG.VP.WR: 0x%" PRIx64, r.rax);
    EXPECT_ERR(softseam_trace_start(m, "/tmp/x.jsonl", SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_ESTATE,
               "softseam_trace_start", "after a TDG.VP.WR");
    softseam_destroy(m);
}

/* ── Memory L1 cannot access ──────────────────────────────────────────────────────────────────────────── */

static void memory_checks(void) {
    softseam_t *m = cabi_create(MISUSE_CONFIG);
    uint64_t last = 0x0123456789ABCDEFULL;
    put64(m, 0x103FF8, last); /* the last 8 bytes of the mapped range */
    uint64_t hash = softseam_state_hash(m);
    unsigned char buf[16], zeros[16] = {0};
    memset(buf, 0xAB, sizeof buf);

    /* Header: every page of [gpa, gpa + len) must be private and mapped for L1; otherwise SOFTSEAM_EMEMORY and
       nothing is read or written. */
    struct {
        uint64_t gpa;
        size_t len;
        const char *what;
    } bad[] = {
        {0x100000ULL | 1ULL << 47, 8, "shared GPA (bit 47, GPAW 48)"},
        {0x300000, 8, "unmapped GPA"},
        {0x103FF8, 16, "range running from mapped into unmapped"},
        {0x0FFFF8, 16, "range running from unmapped into mapped"},
        {1ULL << 48, 8, "GPA above the 48-bit GPA space"},
        {0xFFFFFFFFFFFFFFF8ULL, 16, "range wrapping past 2^64"},
        {0x100000, SIZE_MAX, "len SIZE_MAX (the range runs past the mapped memory)"},
        {0x100000, (size_t)1 << 63, "len 2^63"},
        {0x100000, (size_t)1 << 40, "len 2^40"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* Reads of 16 bytes at most into buf: the bad lengths must fail before anything is copied. */
        memset(buf, 0xAB, sizeof buf);
        EXPECT_ERR(softseam_mem_read(m, bad[i].gpa, buf, bad[i].len), SOFTSEAM_EMEMORY, "softseam_mem_read",
                   bad[i].what);
        CHECK(buf[0] == 0xAB && buf[15] == 0xAB, "softseam_mem_read, %s: buf was written", bad[i].what);
        if (bad[i].len <= sizeof zeros)
            EXPECT_ERR(softseam_mem_write(m, bad[i].gpa, zeros, bad[i].len), SOFTSEAM_EMEMORY, "softseam_mem_write",
                       bad[i].what);
    }
    CHECK_EQ(get64(m, 0x103FF8), last, "the mapped half of a refused straddling write is unchanged");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after refused writes");
    /* len 0 is no access at all: fine anywhere (header: every page of an empty range qualifies). */
    CHECK_EQ(softseam_mem_write(m, 0x300000, zeros, 0), SOFTSEAM_OK, "softseam_mem_write of 0 bytes");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after a 0-byte write");
    /* A PENDING page with TD_CTLS.PENDING_VE_DISABLE = 0 is no misuse: L1's access takes a #VE (SOFTSEAM_VE,
       VE_INFO filled, nothing read), and the next one, before TDG.VP.VEINFO.GET, a #DF (SOFTSEAM_DF, nothing
       written; header: SOFTSEAM_VE, SOFTSEAM_DF). */
    memset(buf, 0xAB, sizeof buf);
    CHECK_EQ(softseam_mem_read(m, 0x200000, buf, 8), SOFTSEAM_VE, "softseam_mem_read of a pending page");
    CHECK(buf[0] == 0xAB && buf[7] == 0xAB, "softseam_mem_read of a pending page: buf was written");
    hash = softseam_state_hash(m);
    CHECK_EQ(softseam_mem_write(m, 0x200000, zeros, 8), SOFTSEAM_DF, "softseam_mem_write of a pending page");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after the #DF");
    softseam_destroy(m);
}

/* ── The host's shared memory (GPAW 48: SHARED bit 47) ───────────────────────────────────────────────── */

static void shared_memory_checks(void) {
    const uint64_t sh = 1ULL << 47;
    unsigned char b[8] = {0};
    EXPECT_ERR(softseam_host_map_shared(NULL, sh, 0x1000), SOFTSEAM_EINVAL, "softseam_host_map_shared", "NULL machine");
    EXPECT_ERR(softseam_host_unmap_shared(NULL, sh, 0x1000), SOFTSEAM_EINVAL, "softseam_host_unmap_shared",
               "NULL machine");
    EXPECT_ERR(softseam_host_write_shared(NULL, sh, b, 1), SOFTSEAM_EINVAL, "softseam_host_write_shared",
               "NULL machine");
    EXPECT_ERR(softseam_host_read_shared(NULL, sh, b, 1), SOFTSEAM_EINVAL, "softseam_host_read_shared", "NULL machine");

    softseam_t *m = cabi_create(MISUSE_CONFIG);
    uint64_t hash = softseam_state_hash(m);
    /* Header: whole 4K pages of shared GPAs within GPAW, else SOFTSEAM_EMEMORY. */
    EXPECT_ERR(softseam_host_map_shared(m, 0x100000, 0x1000), SOFTSEAM_EMEMORY, "softseam_host_map_shared",
               "private GPA");
    EXPECT_ERR(softseam_host_map_shared(m, sh | 0x800, 0x1000), SOFTSEAM_EMEMORY, "softseam_host_map_shared",
               "start not 4K-aligned");
    EXPECT_ERR(softseam_host_map_shared(m, sh, 0), SOFTSEAM_EMEMORY, "softseam_host_map_shared", "len 0");
    EXPECT_ERR(softseam_host_write_shared(m, sh, b, 1), SOFTSEAM_EMEMORY, "softseam_host_write_shared",
               "unmapped page");
    EXPECT_ERR(softseam_host_write_shared(m, sh, NULL, 1), SOFTSEAM_EINVAL, "softseam_host_write_shared", "buf NULL");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after refused shared-memory calls");

    /* Mapped: the host's bytes are L1's (softseam_mem_read), L1's store is the host's. */
    CHECK_EQ(softseam_host_map_shared(m, sh | 0x8000, 0x2000), SOFTSEAM_OK, "softseam_host_map_shared");
    const unsigned char hello[4] = {'h', 'i', '!', 0};
    CHECK_EQ(softseam_host_write_shared(m, sh | 0x8FFE, hello, 4), SOFTSEAM_OK, "softseam_host_write_shared");
    memset(b, 0, sizeof b);
    CHECK_EQ(softseam_mem_read(m, sh | 0x8FFE, b, 4), SOFTSEAM_OK, "softseam_mem_read of a mapped shared page");
    CHECK(memcmp(b, hello, 4) == 0, "L1 reads the host's shared bytes");
    CHECK_EQ(softseam_mem_write(m, sh | 0x9001, "X", 1), SOFTSEAM_OK, "softseam_mem_write to a mapped shared page");
    CHECK_EQ(softseam_host_read_shared(m, sh | 0x8FFE, b, 4), SOFTSEAM_OK, "softseam_host_read_shared");
    CHECK(b[3] == 'X', "the host reads L1's shared store");
    CHECK(softseam_state_hash(m) != hash, "mapping and writing shared memory changes the state hash");
    CHECK_EQ(softseam_host_unmap_shared(m, sh | 0x8000, 0x2000), SOFTSEAM_OK, "softseam_host_unmap_shared");
    EXPECT_ERR(softseam_mem_read(m, sh | 0x8FFE, b, 1), SOFTSEAM_EMEMORY, "softseam_mem_read", "unmapped shared page");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after unmapping all shared memory");
    softseam_destroy(m);
}

/* ── Where the machine is: not finalized, vCPU not in L1 ──────────────────────────────────────────────── */

static void state_checks(void) {
    /* "finalize": false: the TD is INITIALIZED; L1 cannot run (header: SOFTSEAM_ESTATE, "TD not finalized"). */
    softseam_t *m = cabi_create("{\"num_l2_vms\":1,\"vcpus\":1,\"finalize\":false}");
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    EXPECT_ERR(softseam_tdcall(m, 0, &r), SOFTSEAM_ESTATE, "softseam_tdcall", "L1 TDCALL before TDH.MR.FINALIZE");
    CHECK_EQ(r.rax, TDG_VP_INFO, "regs after a refused TDCALL are unchanged");
    softseam_destroy(m);

    /* A host callback that does not re-enter leaves the vCPU waiting for the host (header: SOFTSEAM_TD_EXIT,
       location SOFTSEAM_WAITS_FOR_HOST); L1 calls on it are then SOFTSEAM_ESTATE ("vCPU not in L1"). */
    m = cabi_create(TD_CONFIG);
    softseam_set_host_callback(m, dummy_host, NULL);
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_TD_EXIT, "TDG.VP.VMCALL with a host that does not re-enter");
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU location while waiting for the host");
    uint64_t hash = softseam_state_hash(m), v;
    uint32_t fault, out[4];
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    EXPECT_ERR(softseam_tdcall(m, 0, &r), SOFTSEAM_ESTATE, "softseam_tdcall", "vCPU waiting for the host");
    EXPECT_ERR(softseam_rdmsr(m, 0, 0x10, &v, &fault), SOFTSEAM_ESTATE, "softseam_rdmsr", "vCPU waiting for the host");
    EXPECT_ERR(softseam_wrmsr(m, 0, 0x10, 0, &fault), SOFTSEAM_ESTATE, "softseam_wrmsr", "vCPU waiting for the host");
    EXPECT_ERR(softseam_cpuid(m, 0, 0, 0, out, &fault), SOFTSEAM_ESTATE, "softseam_cpuid", "vCPU waiting for the host");
    CHECK_EQ(softseam_state_hash(m), hash, "state hash after refused calls");
    /* RESUME_L1 is only valid after an L2 exit (tdx-module src/td_transitions/tdh_vp_enter.c): the SEAMCALL is
       carried out (0) and its status is TDX_OPERAND_INVALID(RCX). `status` may be NULL (header). */
    uint64_t status = 0;
    CHECK_EQ(softseam_resume_l1(m, 0, &status), SOFTSEAM_OK, "softseam_resume_l1 after an L1 exit");
    CHECK_EQ(status, TDX_OPERAND_INVALID | OPERAND_RCX, "TDH.VP.ENTER RESUME_L1 after an L1 exit");
    CHECK_EQ(softseam_resume_l1(m, 0, NULL), SOFTSEAM_OK, "softseam_resume_l1 with status NULL");
    softseam_destroy(m);

    /* __tdcall* bound to a machine that has since been destroyed: no machine bound (header: all ones). */
    m = cabi_create(TD_CONFIG);
    softseam_bind_current(m, 0);
    softseam_destroy(m);
    struct tdx_module_args a = {0};
    reset_error("__tdcall");
    CHECK(__tdcall_ret(TDG_VP_INFO, &a) == ~0ULL && strstr(softseam_last_error(NULL), "__tdcall_ret"),
          "__tdcall_ret after the bound machine was destroyed: \"%s\"", softseam_last_error(NULL));
    softseam_bind_current(NULL, 0);
}

/* ── Re-entering the machine from its own callbacks ───────────────────────────────────────────────────── */

struct reentry {
    softseam_t *m;
    int done;
    /* Results of the calls made inside the callback. */
    int tdcall, seamcall, mem_write, set_l2_callback, set_l2_events_file, set_l2_program, set_host_callback,
        resume_l1, post_interrupt, set_l1_interrupt_state, trace_start, wrmsr, rdmsr, cpuid, mem_read, location;
    int64_t trace_stop;
    uint64_t hash;
    uint32_t vcpus, vms;
    char tdcall_error[256];
};

static void try_everything(struct reentry *x, uint32_t vcpu) {
    softseam_t *m = x->m;
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    uint64_t v;
    uint32_t fault, out[4];
    x->tdcall = softseam_tdcall(m, vcpu, &r);
    snprintf(x->tdcall_error, sizeof x->tdcall_error, "%s", softseam_last_error(NULL));
    x->mem_write = softseam_mem_write(m, 0x100000, "x", 1);
    x->set_l2_callback = softseam_set_l2_callback(m, 2, dummy_l2, NULL);
    x->set_l2_events_file = softseam_set_l2_events_file(m, 2, "Traces/l2-cpuid-roundtrip.trace.jsonl");
    x->set_l2_program = softseam_set_l2_program(m, 2, "l2-boot");
    x->set_host_callback = softseam_set_host_callback(m, dummy_host, NULL);
    x->trace_start = softseam_trace_start(m, "/tmp/never.jsonl", SOFTSEAM_TRACE_JSON, NULL);
    x->trace_stop = softseam_trace_stop(m);
    x->wrmsr = softseam_wrmsr(m, vcpu, 0x10, 0, &fault);
    x->rdmsr = softseam_rdmsr(m, vcpu, 0x10, &v, &fault);
    x->cpuid = softseam_cpuid(m, vcpu, 0, 0, out, &fault);
    x->mem_read = softseam_mem_read(m, 0x100000, &v, 8);
    x->hash = softseam_state_hash(m);
    x->vcpus = softseam_vcpu_count(m);
    x->vms = softseam_num_l2_vms(m);
    x->location = softseam_vcpu_location(m, vcpu);
    softseam_destroy(m); /* not freed while its callback runs */
}

static int reentering_l2(void *ctx, const softseam_l2_state_t *state, char *events, size_t len) {
    struct reentry *x = ctx;
    if (!x->done) {
        x->done = 1;
        try_everything(x, state->vcpu);
        softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(x->m, 0)};
        x->seamcall = softseam_seamcall(x->m, &r);
        x->resume_l1 = softseam_resume_l1(x->m, 0, NULL);
        x->post_interrupt = softseam_post_interrupt(x->m, 0, 0x30);
        x->set_l1_interrupt_state = softseam_set_l1_interrupt_state(x->m, 0, 0, 0);
    }
    snprintf(events, len, "\"cpuid\"");
    return 0;
}

static void reentering_host(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) {
    struct reentry *x = ctx;
    try_everything(x, exit->vcpu);
    /* The host's own calls work here (header); post an ignored vector so nothing changes. */
    x->post_interrupt = softseam_post_interrupt(m, exit->vcpu, 5);
    x->set_l1_interrupt_state = softseam_set_l1_interrupt_state(m, exit->vcpu, 0, 0);
    softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, exit->vcpu), .r10 = 0};
    x->seamcall = softseam_seamcall(m, &r);
}

static void reentry_checks(void) {
    /* From an L2 callback: mem_read, state_hash and the fact functions work; every other call → SOFTSEAM_EBUSY
       (header, softseam_l2_fn). */
    softseam_t *m = cabi_create(TD_CONFIG);
    struct reentry x = {.m = m};
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, reentering_l2, &x);
    softseam_regs_t r;
    int rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == EXIT_CPUID, "TDG.VP.ENTER with a re-entering L2 callback: %d 0x%" PRIx64, rc,
          r.rax);
    struct {
        const char *fn;
        int64_t got;
    } busy[] = {
        {"softseam_tdcall", x.tdcall},
        {"softseam_seamcall", x.seamcall},
        {"softseam_mem_write", x.mem_write},
        {"softseam_set_l2_callback", x.set_l2_callback},
        {"softseam_set_l2_events_file", x.set_l2_events_file},
        {"softseam_set_l2_program", x.set_l2_program},
        {"softseam_set_host_callback", x.set_host_callback},
        {"softseam_resume_l1", x.resume_l1},
        {"softseam_post_interrupt", x.post_interrupt},
        {"softseam_set_l1_interrupt_state", x.set_l1_interrupt_state},
        {"softseam_trace_start", x.trace_start},
        {"softseam_trace_stop", x.trace_stop},
        {"softseam_rdmsr", x.rdmsr},
        {"softseam_wrmsr", x.wrmsr},
        {"softseam_cpuid", x.cpuid},
    };
    for (size_t i = 0; i < sizeof busy / sizeof busy[0]; i++)
        CHECK(busy[i].got == SOFTSEAM_EBUSY, "%s from an L2 callback: %" PRId64 ", want SOFTSEAM_EBUSY", busy[i].fn,
              busy[i].got);
    CHECK(strstr(x.tdcall_error, "softseam_tdcall"), "message of softseam_tdcall from an L2 callback: \"%s\"",
          x.tdcall_error);
    CHECK(x.mem_read == SOFTSEAM_OK && x.hash != 0 && x.vcpus == 1 && x.vms == 2 && x.location == 1,
          "reads from an L2 callback: mem_read %d hash 0x%" PRIx64 " vcpus %u vms %u location %d", x.mem_read, x.hash,
          x.vcpus, x.vms, x.location);
    /* softseam_destroy from the callback did not free the machine: it still runs. */
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK(softseam_tdcall(m, 0, &r) == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "the machine after destroy-in-callback");
    softseam_destroy(m);

    /* From the host callback: SEAMCALLs, resume_l1, the interrupt setters, mem_read, state_hash and the facts
       work; every other call → SOFTSEAM_EBUSY (header, softseam_host_fn). */
    m = cabi_create(TD_CONFIG);
    x = (struct reentry){.m = m};
    /* Posted interrupts enabled (the host's TDH.VP.WR of the vector, the PID address, pin-based bit 7), so the
       callback's softseam_post_interrupt can post. */
    const uint64_t pi[3][3] = {{0x0024000100000002ULL, 0xF2, 0xFFFF},
                               {0x0024000300002016ULL, 0x5000, ~0ULL},
                               {0x0024000200004000ULL, 0x80, 0x80}};
    for (int i = 0; i < 3; i++) {
        r = (softseam_regs_t){.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = pi[i][0], .r8 = pi[i][1], .r9 = pi[i][2]};
        CHECK(softseam_seamcall(m, &r) == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "TDH.VP.WR 0x%" PRIx64, pi[i][0]);
    }
    softseam_set_host_callback(m, reentering_host, &x);
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r11 = 0x7777};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "TDG.VP.VMCALL with a re-entering host callback: %d 0x%" PRIx64,
          rc, r.rax);
    struct {
        const char *fn;
        int64_t got;
    } host_busy[] = {
        {"softseam_tdcall", x.tdcall},
        {"softseam_mem_write", x.mem_write},
        {"softseam_set_l2_callback", x.set_l2_callback},
        {"softseam_set_l2_events_file", x.set_l2_events_file},
        {"softseam_set_l2_program", x.set_l2_program},
        {"softseam_set_host_callback", x.set_host_callback},
        {"softseam_trace_start", x.trace_start},
        {"softseam_trace_stop", x.trace_stop},
        {"softseam_rdmsr", x.rdmsr},
        {"softseam_wrmsr", x.wrmsr},
        {"softseam_cpuid", x.cpuid},
    };
    for (size_t i = 0; i < sizeof host_busy / sizeof host_busy[0]; i++)
        CHECK(host_busy[i].got == SOFTSEAM_EBUSY, "%s from the host callback: %" PRId64 ", want SOFTSEAM_EBUSY",
              host_busy[i].fn, host_busy[i].got);
    CHECK(x.seamcall == SOFTSEAM_OK && x.post_interrupt == SOFTSEAM_OK && x.set_l1_interrupt_state == SOFTSEAM_OK,
          "host calls from the host callback: seamcall %d post_interrupt %d set_l1_interrupt_state %d", x.seamcall,
          x.post_interrupt, x.set_l1_interrupt_state);
    CHECK(x.mem_read == SOFTSEAM_OK && x.hash != 0 && x.vcpus == 1 && x.vms == 2 && x.location == SOFTSEAM_WAITS_FOR_HOST,
          "reads from the host callback: mem_read %d hash 0x%" PRIx64 " vcpus %u vms %u location %d", x.mem_read,
          x.hash, x.vcpus, x.vms, x.location);
    softseam_destroy(m);
}

/* ── Two threads, one machine ─────────────────────────────────────────────────────────────────────────── */

/* The main thread is inside a callback of the machine (so it holds it); the second thread waits for that,
   makes its calls, then lets the callback finish. Phases: 0 start, 1 callback entered, 2 second thread done. */
struct two_threads {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int phase;
    softseam_t *m;
    int tdcall, mem_write, seamcall, location;
    uint64_t hash;
    uint32_t vcpus;
    char tdcall_error[256], hash_error[256], main_error_seen[256];
};

static void set_phase(struct two_threads *t, int phase) {
    pthread_mutex_lock(&t->mu);
    t->phase = phase;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void wait_phase(struct two_threads *t, int phase) {
    pthread_mutex_lock(&t->mu);
    while (t->phase != phase)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

static void *second_thread(void *arg) {
    struct two_threads *t = arg;
    wait_phase(t, 1);
    /* This thread's last error starts empty (header: "" when there was none; a thread never sees another's). */
    snprintf(t->main_error_seen, sizeof t->main_error_seen, "%s", softseam_last_error(NULL));
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    t->tdcall = softseam_tdcall(t->m, 0, &r);
    snprintf(t->tdcall_error, sizeof t->tdcall_error, "%s", softseam_last_error(NULL));
    uint64_t v = 0;
    t->mem_write = softseam_mem_write(t->m, 0x100000, &v, 8);
    r = (softseam_regs_t){.rax = TDH_VP_ENTER, .rcx = 0x2000000000ULL};
    t->seamcall = softseam_seamcall(t->m, &r);
    softseam_vcpu_location(NULL, 0); /* a different message, so the next one must come from state_hash */
    t->hash = softseam_state_hash(t->m);
    snprintf(t->hash_error, sizeof t->hash_error, "%s", softseam_last_error(NULL));
    t->vcpus = softseam_vcpu_count(t->m);
    t->location = softseam_vcpu_location(t->m, 0);
    softseam_destroy(t->m); /* must not free it under the main thread */
    set_phase(t, 2);
    return NULL;
}

static void blocking_host(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) {
    struct two_threads *t = ctx;
    set_phase(t, 1);
    wait_phase(t, 2);
    softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, exit->vcpu)};
    softseam_seamcall(m, &r);
}

static int blocking_l2(void *ctx, const softseam_l2_state_t *state, char *events, size_t len) {
    struct two_threads *t = ctx;
    (void)state;
    set_phase(t, 1);
    wait_phase(t, 2);
    snprintf(events, len, "\"cpuid\"");
    return 0;
}

static void thread_checks(bool in_l2) {
    const char *where = in_l2 ? "an L2 callback" : "the host callback";
    struct two_threads t = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    t.m = cabi_create(TD_CONFIG);
    pthread_t other;
    if (pthread_create(&other, NULL, second_thread, &t) != 0) {
        CHECK(0, "pthread_create");
        return;
    }
    reset_error("softseam_tdcall"); /* the main thread's message, which the other thread must not see */
    char mine[256];
    snprintf(mine, sizeof mine, "%s", softseam_last_error(NULL));
    softseam_regs_t r;
    int rc;
    if (in_l2) {
        setup_vm(t.m, 1);
        softseam_set_l2_callback(t.m, 1, blocking_l2, &t);
        rc = enter(t.m, 1, &r);
        CHECK(rc == SOFTSEAM_OK && r.rax == EXIT_CPUID, "TDG.VP.ENTER around the blocking L2 callback: %d 0x%" PRIx64,
              rc, r.rax);
    } else {
        softseam_set_host_callback(t.m, blocking_host, &t);
        r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00};
        rc = softseam_tdcall(t.m, 0, &r);
        CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS,
              "TDG.VP.VMCALL around the blocking host callback: %d 0x%" PRIx64, rc, r.rax);
    }
    pthread_join(other, NULL);

    /* Header: SOFTSEAM_EBUSY = "the machine is in use on another thread". */
    CHECK(t.tdcall == SOFTSEAM_EBUSY && strstr(t.tdcall_error, "softseam_tdcall"),
          "softseam_tdcall from a second thread while %s runs: %d \"%s\"", where, t.tdcall, t.tdcall_error);
    CHECK_EQ(t.mem_write, SOFTSEAM_EBUSY, "softseam_mem_write from a second thread");
    CHECK_EQ(t.seamcall, SOFTSEAM_EBUSY, "softseam_seamcall from a second thread");
    /* The value-returning functions give 0 when the machine is busy on another thread, with a message naming
       the function (header, "Results"); softseam_vcpu_location has a code: SOFTSEAM_EBUSY. */
    CHECK(t.hash == 0 && strstr(t.hash_error, "softseam_state_hash") && strstr(t.hash_error, "another thread"),
          "softseam_state_hash from a second thread: 0x%" PRIx64 " \"%s\"", t.hash, t.hash_error);
    CHECK_EQ(t.vcpus, 0, "softseam_vcpu_count from a second thread");
    CHECK_EQ(t.location, SOFTSEAM_EBUSY, "softseam_vcpu_location from a second thread");
    /* Errors are per thread (header): the second thread started with "" and the main thread's is untouched. */
    CHECK(t.main_error_seen[0] == 0, "the second thread saw another thread's message: \"%s\"", t.main_error_seen);
    CHECK(strcmp(softseam_last_error(NULL), mine) == 0, "the main thread's message changed to \"%s\"",
          softseam_last_error(NULL));
    /* The machine survived the second thread's softseam_destroy and works. */
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK(softseam_tdcall(t.m, 0, &r) == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "the machine after the threads");
    softseam_destroy(t.m);
}

int main(int argc, char **argv) {
    const char *workdir = argc > 1 ? argv[1] : "/tmp";
    create_checks();
    null_handle_checks();
    argument_checks(workdir);
    memory_checks();
    shared_memory_checks();
    state_checks();
    reentry_checks();
    thread_checks(false);
    thread_checks(true);
    return cabi_finish("misuse");
}
