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

/* ── TDX ABI constants ─────────────────────────────────────────────────────────────────────────────── */

/* Leaf numbers (TDG_VP_ENTER, TDH_VP_ENTER, …), status codes (TDX_SUCCESS, TDX_OPERAND_INVALID,
   TDX_L2_EXIT_HOST_ROUTED_*, TDX_PENDING_INTERRUPT), field ids, exit reasons and the guest-state buffer come
   from softseam_defs.h, generated from Specs/ and the leaf registries; the short names below are the tests'. */
#include "softseam_defs.h"

#define OPERAND_RCX TDX_OPERAND_ID_RCX
enum {
    EXIT_NMI = VMX_EXIT_REASON_EXCEPTION_OR_NMI,
    EXIT_CPUID = VMX_EXIT_REASON_CPUID,
    EXIT_HLT = VMX_EXIT_REASON_HLT,
    EXIT_VMCALL = VMX_EXIT_REASON_VMCALL,
    EXIT_TDCALL = VMX_EXIT_REASON_TDCALL,
};
#define RESUME_L1 TDH_VP_ENTER_RESUME_L1
/* TDVPS L2_CTLS[vm]: bit 1 ENABLE_TDVMCALL, guest write mask 0x7. */
#define L2_CTLS(vm) TDX_MD_VP_L2_CTLS(vm)

/* L2_ENTER_GUEST_STATE offsets (struct softseam_l2_enter_guest_state). */
#define GS_RAX offsetof(struct softseam_l2_enter_guest_state, rax)
#define GS_RBX offsetof(struct softseam_l2_enter_guest_state, rbx)
#define GS_RSP offsetof(struct softseam_l2_enter_guest_state, rsp)
#define GS_RFLAGS offsetof(struct softseam_l2_enter_guest_state, rflags)
#define GS_RIP offsetof(struct softseam_l2_enter_guest_state, rip)

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
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS), VAPIC(vm), ~0xFFFULL);
    put64(m, BUF(vm) + GS_RFLAGS, 0x2);
    put64(m, BUF(vm) + GS_RIP, L2_RIP);
    put64(m, BUF(vm) + GS_RSP, L2_RSP);
}

/* L2 of `vm` in 64-bit mode with ENABLE_TDVMCALL, so its TDG.VP.VMCALL goes to the host (tdx-module
   src/td_dispatcher/tdx_td_l2_dispatcher.c, VMEXIT_REASON_TDCALL: leaf 0 with ENABLE_TDVMCALL = 1 is a TD exit
   to the host; src/td_dispatcher/tdx_td_dispatcher.c td_call: not in 64-bit mode → #GP in L2). */
static inline void setup_vm_64bit_tdvmcall(softseam_t *m, int vm) {
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_VM_ENTRY_CONTROLS), 1 << 9, 1 << 9);  /* IA-32e mode guest */
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_GUEST_IA32_EFER), 1 << 10, 1 << 10);  /* LMA */
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_GUEST_CR0), 1ULL << 31, 1ULL << 31); /* PG */
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_GUEST_CR4), 1 << 5, 1 << 5);          /* PAE */
    vp_wr(m, TDX_MD_L2_VMCS(vm, TDX_L2_VMCS_GUEST_CS_AR), 0xA09B, 0xFFFFFFFF);    /* 64-bit code, L = 1 */
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
