/*
 * cabi_check.h — what the C ABI tests (the .c files in Tests/CABI) share: the CHECK macros, TDX constants with their
 * sources, and the L1 steps that set an L2 VM up for TDG.VP.ENTER. Header-only (static functions), so each
 * test stays one gcc invocation (`make examples`).
 *
 * A failed check prints "FAIL file:line: what, got …, want …" and the run goes on; main ends with
 * cabi_finish(), which prints "N checks passed" and returns 1 if any check failed.
 */
#ifndef CABI_CHECK_H
#define CABI_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softseam.h"

static int cabi_passed, cabi_failed;

#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (cond) {                                                                                       \
            cabi_passed++;                                                                                \
        } else {                                                                                          \
            cabi_failed++;                                                                                \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                          \
            fprintf(stderr, __VA_ARGS__);                                                                 \
            fprintf(stderr, "\n");                                                                        \
        }                                                                                                 \
    } while (0)

#define CHECK_EQ(got, want, what)                                                                         \
    CHECK((uint64_t)(got) == (uint64_t)(want), "%s: got 0x%" PRIx64 ", want 0x%" PRIx64, what,            \
          (uint64_t)(got), (uint64_t)(want))

/* A negative result: the code the header documents, and a message on this thread naming the function. */
#define CHECK_ERR(rc, want, fn, what)                                                                     \
    do {                                                                                                  \
        int64_t rc_ = (int64_t)(rc);                                                                      \
        const char *e_ = softseam_last_error(NULL);                                                       \
        CHECK(rc_ == (int64_t)(want) && e_ && strstr(e_, fn),                                            \
              "%s: %s → %" PRId64 " \"%s\", want %d and a message naming %s", fn, what, rc_,              \
              e_ ? e_ : "(NULL)", (int)(want), fn);                                                       \
    } while (0)

static inline int cabi_finish(const char *program) {
    if (cabi_failed) {
        printf("%s: %d checks passed, %d FAILED\n", program, cabi_passed, cabi_failed);
        return 1;
    }
    printf("%d checks passed\n", cabi_passed);
    return 0;
}

/* ── TDX ABI constants (tdx-module = intel/tdx-module, tag TDX_1.5.01) ──────────────────────────────── */

/* TDCALL leaves (tdx-module include/tdx_api_defs.h, tdcall_leaf_opcode_e) and SEAMCALL leaves (header:
   TDH.VP.ENTER 0). */
enum { TDG_VP_VMCALL = 0, TDG_VP_INFO = 1, TDG_MEM_PAGE_ACCEPT = 6, TDG_VP_WR = 10, TDG_VP_ENTER = 25 };
enum { TDH_VP_ENTER = 0, TDH_MEM_PAGE_AUG = 6 }; /* tdx-module include/tdx_api_defs.h, seamcall_leaf_opcode_e */

/* Status codes and operand IDs (tdx-module include/auto_gen/tdx_error_codes_defs.h). */
#define TDX_SUCCESS 0ULL
#define TDX_OPERAND_INVALID 0xC000010000000000ULL
#define TDX_L2_EXIT_HOST_ROUTED_ASYNC 0x0000110000000000ULL
#define TDX_L2_EXIT_HOST_ROUTED_TDVMCALL 0x0000110100000000ULL
#define TDX_PENDING_INTERRUPT 0x0000112000000000ULL
#define OPERAND_RCX 1ULL

/* VMX basic exit reasons (Intel SDM Vol. 3 App. C). */
enum { EXIT_NMI = 0, EXIT_CPUID = 10, EXIT_HLT = 12, EXIT_VMCALL = 18, EXIT_TDCALL = 77 };

/* TDH.VP.ENTER RCX bit 53: RESUME_L1 (tdx-module include/tdx_api_defs.h vcpu_and_flags_t). */
#define RESUME_L1 (1ULL << 53)

/* TDG.VP.WR field ID of an L2 VMCS field of VM `vm` (tdx-module include/tdx_api_defs.h md_field_id_t,
   include/auto_gen/tdvps_fields_lookup.h): class 36 + 8·(vm − 1) in bits 63:56, context VP (2) in bits 54:52,
   element size in bits 33:32 (1 = 16, 2 = 32, 3 = 64 bits), the VMCS encoding in bits 31:0. */
static inline uint64_t l2_vmcs_field(int vm, unsigned size, uint32_t encoding) {
    return (uint64_t)(36 + 8 * (vm - 1)) << 56 | 2ULL << 52 | (uint64_t)size << 32 | encoding;
}
#define VMCS_VIRTUAL_APIC_PAGE 0x2012 /* 64-bit: L2's virtual-APIC page GPA (TDG.VP.ENTER check 3) */
#define VMCS_ENTRY_CONTROLS 0x4012    /* 32-bit; bit 9 = IA-32e mode guest */
#define VMCS_GUEST_EFER 0x2806        /* 64-bit; bit 10 = LMA */
#define VMCS_GUEST_CR0 0x6800         /* natural; bit 31 = PG */
#define VMCS_GUEST_CR4 0x6804         /* natural; bit 5 = PAE */
#define VMCS_GUEST_CS_AR 0x4816       /* 32-bit; 0xA09B = present code segment with L = 1 */
/* TDVPS L2_CTLS[vm] (tdx-module src/common/data_structures/tdx_tdvps.h l2_vcpu_ctrl_t,
   include/auto_gen/tdvps_fields_lookup.c): bit 1 ENABLE_TDVMCALL, guest write mask 0x7. */
#define L2_CTLS(vm) (0xA020000300000050ULL + (uint64_t)(vm))

/* L2_ENTER_GUEST_STATE offsets (tdx-module include/tdx_api_defs.h l2_enter_guest_state_t): GPRs in
   architectural order, RFLAGS 0x80, RIP 0x88. */
#define GS_RAX 0x00
#define GS_RBX 0x18
#define GS_RSP 0x20
#define GS_RFLAGS 0x80
#define GS_RIP 0x88

/* ── A TD with L2 VMs to enter ──────────────────────────────────────────────────────────────────────── */

/* Two L2 VMs, one vCPU, GPAW 48, four mapped private pages at 0x100000: L2_ENTER_GUEST_STATE buffers at
   0x101000 (VM1) and 0x101100 (VM2), virtual-APIC pages at 0x102000 and 0x103000. */
#define TD_CONFIG                                                                                         \
    "{\"num_l2_vms\":2,\"vcpus\":1,\"gpaw\":48,\"module\":\"1.5.01\","                                   \
    "\"memory\":[{\"gpa\":\"0x100000\",\"size\":\"0x4000\",\"state\":\"mapped\"}]}"
#define BUF(vm) (0x101000ULL + 0x100ULL * (uint64_t)((vm) - 1))
#define VAPIC(vm) (0x102000ULL + 0x1000ULL * (uint64_t)((vm) - 1))
#define L2_RIP 0x8000ULL
#define L2_RSP 0x7F00ULL

static inline softseam_t *cabi_create(const char *config) {
    char error[512] = "";
    softseam_t *m = softseam_create(config, error, sizeof error);
    if (!m) {
        fprintf(stderr, "FAIL softseam_create: %s\n", error);
        exit(1);
    }
    return m;
}

static inline uint64_t tdcall3(softseam_t *m, uint64_t rax, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9,
                               int *rc) {
    softseam_regs_t r = {.rax = rax, .rcx = rcx, .rdx = rdx, .r8 = r8, .r9 = r9};
    *rc = softseam_tdcall(m, 0, &r);
    return r.rax;
}

static inline void put64(softseam_t *m, uint64_t gpa, uint64_t value) {
    int rc = softseam_mem_write(m, gpa, &value, sizeof value);
    CHECK(rc == SOFTSEAM_OK, "store of 0x%" PRIx64 " to 0x%" PRIx64 ": %d %s", value, gpa, rc, softseam_last_error(m));
}

static inline uint64_t get64(softseam_t *m, uint64_t gpa) {
    uint64_t value = 0;
    int rc = softseam_mem_read(m, gpa, &value, sizeof value);
    CHECK(rc == SOFTSEAM_OK, "read of 0x%" PRIx64 ": %d %s", gpa, rc, softseam_last_error(m));
    return value;
}

/* TDG.VP.WR of one field; must succeed. */
static inline void vp_wr(softseam_t *m, uint64_t field, uint64_t value, uint64_t mask) {
    int rc;
    uint64_t status = tdcall3(m, TDG_VP_WR, 0, field, value, mask, &rc);
    CHECK(rc == SOFTSEAM_OK && status == TDX_SUCCESS,
          "TDG.VP.WR 0x%" PRIx64 " = 0x%" PRIx64 ": rc %d status 0x%" PRIx64, field, value, rc, status);
}

/* What L1 does before TDG.VP.ENTER of `vm` (tdx-module src/td_transitions/tdg_vp_enter.c): set the
   virtual-APIC GPA, fill the guest-state buffer (RFLAGS bit 1 is reserved-1, RIP, RSP). L2 starts in the
   module's reset state. */
static inline void setup_vm(softseam_t *m, int vm) {
    vp_wr(m, l2_vmcs_field(vm, 3, VMCS_VIRTUAL_APIC_PAGE), VAPIC(vm), ~0xFFFULL);
    put64(m, BUF(vm) + GS_RFLAGS, 0x2);
    put64(m, BUF(vm) + GS_RIP, L2_RIP);
    put64(m, BUF(vm) + GS_RSP, L2_RSP);
}

/* L2 of `vm` in 64-bit mode with ENABLE_TDVMCALL, so its TDG.VP.VMCALL goes to the host (tdx-module
   src/td_dispatcher/tdx_td_l2_dispatcher.c, VMEXIT_REASON_TDCALL: leaf 0 with ENABLE_TDVMCALL = 1 is a TD exit
   to the host; src/td_dispatcher/tdx_td_dispatcher.c td_call: not in 64-bit mode → #GP in L2). */
static inline void setup_vm_64bit_tdvmcall(softseam_t *m, int vm) {
    vp_wr(m, l2_vmcs_field(vm, 2, VMCS_ENTRY_CONTROLS), 1 << 9, 1 << 9);
    vp_wr(m, l2_vmcs_field(vm, 3, VMCS_GUEST_EFER), 1 << 10, 1 << 10);
    vp_wr(m, l2_vmcs_field(vm, 3, VMCS_GUEST_CR0), 1ULL << 31, 1ULL << 31);
    vp_wr(m, l2_vmcs_field(vm, 3, VMCS_GUEST_CR4), 1 << 5, 1 << 5);
    vp_wr(m, l2_vmcs_field(vm, 2, VMCS_GUEST_CS_AR), 0xA09B, 0xFFFFFFFF);
    vp_wr(m, L2_CTLS(vm), 1 << 1, 0x7);
}

/* TDG.VP.ENTER of `vm` (tdx-module src/td_transitions/tdg_vp_enter.c: RCX = VM index << 52, RDX = the
   guest-state buffer GPA). */
static inline int enter(softseam_t *m, int vm, softseam_regs_t *out) {
    softseam_regs_t r = {.rax = TDG_VP_ENTER, .rcx = (uint64_t)vm << 52, .rdx = BUF(vm)};
    int rc = softseam_tdcall(m, 0, &r);
    if (out)
        *out = r;
    return rc;
}

#endif /* CABI_CHECK_H */
