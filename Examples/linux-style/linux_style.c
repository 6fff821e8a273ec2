/*
 * linux-style — TDX guest code written the way the Linux kernel's TDX support is (arch/x86/coco/tdx/tdx.c):
 * every TDCALL goes through `struct tdx_module_args` and the three helpers __tdcall, __tdcall_ret and
 * __tdcall_saved_ret. libsoftseam exports those names, so after softseam_bind_current(m, vcpu) the code
 * below runs unchanged against SoftSEAM's TDX module 1.5.01.
 *
 * What it does, as a guest kernel does it at boot:
 *   tdx_parse_tdinfo()   TDG.VP.INFO (leaf 1): GPA width → the shared bit (gpa_width − 1)
 *   tdx_accept_memory()  TDG.MEM.PAGE.ACCEPT (leaf 6) over a range: 2M where the range allows it, 4K when
 *                        the 2M accept fails (the pending range is partly 2M-mapped, partly 4K-mapped)
 *   tdg_vm_rd()          TDG.VM.RD (leaf 7) of NUM_L2_VMS
 *   tdx_hypercall()      TDG.VP.VMCALL (leaf 0), GHCI <CPUID>, answered by the built-in host
 * and checks the ABI details a kernel relies on. Every expected value says where it comes from: the
 * header (softseam.h), the TDX module source (tdx-module = intel/tdx-module, tag TDX_1.5.01; paths relative
 * to that tree), the GHCI spec, or the config below.
 *
 * Exits 1 (after printing every failed check) if any check fails.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softseam.h"
#include "softseam_defs.h"

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;

/* ── Checks ───────────────────────────────────────────────────────────────────────────────────────── */

static int passed, failed;

#define CHECK(cond, ...)                                                                                  \
    do {                                                                                                  \
        if (cond) {                                                                                       \
            passed++;                                                                                     \
        } else {                                                                                          \
            failed++;                                                                                     \
            fprintf(stderr, "FAIL linux_style.c:%d: ", __LINE__);                                         \
            fprintf(stderr, __VA_ARGS__);                                                                 \
            fprintf(stderr, "\n");                                                                        \
        }                                                                                                 \
    } while (0)

#define CHECK_EQ(got, want, what)                                                                         \
    CHECK((u64)(got) == (u64)(want), "%s: got 0x%" PRIx64 ", want 0x%" PRIx64, what, (u64)(got),          \
          (u64)(want))

/* ── TDX ABI constants: leaves, status codes, operand ids, field ids and exit reasons come from
   softseam_defs.h (generated from Specs/); what follows is what it does not hold ─────────────────────────── */

/* TDG.MEM.PAGE.ACCEPT RCX[2:0]: the page level (tdx-module src/td_dispatcher/vm_exits/tdg_mem_page_accept.c:
   0 = 4K, 1 = 2M, 2 and above rejected). */
#define TDX_PS_4K 0
#define TDX_PS_2M 1
#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL

/* GHCI: TDG.VP.VMCALL with R10 = 0 is a GHCI call, R11 its sub-function (10 = <Instruction.CPUID>, the
   CPUID exit reason); the host's status comes back in R10 (0 = TDG.VP.VMCALL_SUCCESS, 0x8000000000000000 = TDG.VP.VMCALL_INVALID_OPERAND). */
#define TDVMCALL_STANDARD 0
#define TDVMCALL_SUCCESS 0ULL
#define TDVMCALL_INVALID_OPERAND 0x8000000000000000ULL
/* The TDVMCALL GPR select mask (RCX bits 15:0, tdx-module src/td_dispatcher/vm_exits/tdg_vp_vmcall.c): bit n
   passes GPR n (RAX = 0 … R15 = 15). */
#define TDX_R10 (1ULL << 10)
#define TDX_R11 (1ULL << 11)
#define TDX_R12 (1ULL << 12)
#define TDX_R13 (1ULL << 13)
#define TDX_R14 (1ULL << 14)
#define TDX_R15 (1ULL << 15)
#define TDX_RBX (1ULL << 3)
#define TDX_RSI (1ULL << 6)
#define TDX_RDI (1ULL << 7)
#define TDVMCALL_EXPOSE_REGS_MASK (TDX_R10 | TDX_R11 | TDX_R12 | TDX_R13 | TDX_R14 | TDX_R15)

/* ── The TD this program runs in ──────────────────────────────────────────────────────────────────── */

/* Two vCPUs, two L2 VMs, GPAW 48. 2M of accepted memory at 0, then the pending range [0x200000, 0x603000)
   the guest accepts: one pending 2M page (mapped by the host as a 2M leaf), 2M of pending 4K pages (a 2M
   ACCEPT there fails), and three pending 4K pages at the end (too short for 2M). */
static const char *config =
    "{\"num_l2_vms\":2,\"vcpus\":2,\"gpaw\":48,\"module\":\"1.5.01\",\"memory\":["
    "{\"gpa\":\"0x0\",\"size\":\"0x200000\",\"state\":\"mapped\"},"
    "{\"gpa\":\"0x200000\",\"size\":\"0x200000\",\"state\":\"pending\",\"page_size\":\"2M\"},"
    "{\"gpa\":\"0x400000\",\"size\":\"0x200000\",\"state\":\"pending\"},"
    "{\"gpa\":\"0x600000\",\"size\":\"0x3000\",\"state\":\"pending\"}]}";
#define CONFIG_GPAW 48
#define CONFIG_VCPUS 2
#define CONFIG_NUM_L2_VMS 2
#define ACCEPT_START 0x200000ULL
#define ACCEPT_END 0x603000ULL

/* ── Kernel-style guest code ───────────────────────────────────────────────────────────────────────── */

static u64 cc_mask; /* the shared bit */

/* TDG.VP.INFO: RCX[5:0] = GPA width (tdx-module src/td_dispatcher/vm_exits/tdg_vp_info.c); the shared bit is
   the top GPA bit (src/common/helpers/helpers.h get_gpa_shared_bit). */
static void tdx_parse_tdinfo(void) {
    struct tdx_module_args args = {};
    u64 ret = __tdcall_ret(TDG_VP_INFO, &args);
    CHECK_EQ(ret, TDX_SUCCESS, "TDG.VP.INFO status (tdg_vp_info.c: it never fails)");
    unsigned gpa_width = args.rcx & 0x3F;
    cc_mask = 1ULL << (gpa_width - 1);
}

/* TDG.VM.RD of one TD-scope field; R8 holds the value (tdx-module src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c). */
static u64 tdg_vm_rd(u64 field, u64 *status) {
    struct tdx_module_args args = {.rdx = field};
    *status = __tdcall_ret(TDG_VM_RD, &args);
    return args.r8;
}

struct accept_stats {
    unsigned long pages_2m, pages_4k, fallbacks_2m;
    u64 last_2m_failure;
};

/* Accepts one page of `level` at `start` if the range allows it; returns the bytes accepted, 0 if not. */
static u64 try_accept_page(u64 start, u64 len, int level, struct accept_stats *st) {
    u64 size = level == TDX_PS_2M ? SZ_2M : SZ_4K;
    if (start & (size - 1))
        return 0;
    if (len < size)
        return 0;
    struct tdx_module_args args = {.rcx = start | (u64)level};
    u64 ret = __tdcall(TDG_MEM_PAGE_ACCEPT, &args);
    if (ret) {
        if (level == TDX_PS_2M) {
            st->fallbacks_2m++;
            st->last_2m_failure = ret;
        }
        return 0;
    }
    if (level == TDX_PS_2M)
        st->pages_2m++;
    else
        st->pages_4k++;
    return size;
}

/* Accepts [start, end): 2M pages where possible, 4K otherwise. false if a 4K page cannot be accepted. */
static bool tdx_accept_memory(u64 start, u64 end, struct accept_stats *st) {
    while (start < end) {
        u64 len = end - start;
        u64 accepted = try_accept_page(start, len, TDX_PS_2M, st);
        if (!accepted)
            accepted = try_accept_page(start, len, TDX_PS_4K, st);
        if (!accepted)
            return false;
        start += accepted;
    }
    return true;
}

/* ── Program ──────────────────────────────────────────────────────────────────────────────────────── */

static u32 le32(const char *s) { /* four characters as CPUID returns them in a register */
    u32 v;
    memcpy(&v, s, 4);
    return v;
}

static bool mentions(const char *message, const char *word) { return message && strstr(message, word); }

int main(void) {
    char error[512];
    softseam_t *m = softseam_create(config, error, sizeof error);
    if (!m) {
        fprintf(stderr, "FAIL softseam_create: %s\n", error);
        return 1;
    }
    softseam_bind_current(m, 0);

    /* 1. TDG.VP.INFO → shared bit. GPAW comes from the config (48), so the shared bit is 47 (tdx-module
          src/common/helpers/helpers.h get_gpa_shared_bit: bit 47 when GPAW = 0, i.e. 48-bit). */
    tdx_parse_tdinfo();
    CHECK_EQ(cc_mask, 1ULL << (CONFIG_GPAW - 1), "shared bit from TDG.VP.INFO's GPA width");
    int shared_bit = __builtin_ctzll(cc_mask);
    printf("shared bit: %d (mask 0x%" PRIx64 ")\n", shared_bit, cc_mask);

    /* __tdcall returns RAX only: the args must come back exactly as given (header; the kernel's
       TDX_MODULE_CALL without ret). TDG.VP.INFO writes RCX, RDX, R8–R11 (tdx-module
       src/td_dispatcher/vm_exits/tdg_vp_info.c), so a write-back would show. */
    struct tdx_module_args sentinel;
    memset(&sentinel, 0x5A, sizeof sentinel);
    struct tdx_module_args args = sentinel;
    u64 ret = __tdcall(TDG_VP_INFO, &args);
    CHECK_EQ(ret, TDX_SUCCESS, "__tdcall(TDG.VP.INFO) status");
    CHECK(memcmp(&args, &sentinel, sizeof args) == 0, "__tdcall wrote outputs back into args");

    /* __tdcall_ret writes RCX, RDX, R8–R11 back, and only those (header). TDG.VP.INFO outputs (tdg_vp_info.c):
       RCX = GPAW, R8[31:0] = NUM_VCPUS (config: 2), R9 = VCPU_INDEX (the bound vCPU), R11 = 0. */
    args = sentinel;
    ret = __tdcall_ret(TDG_VP_INFO, &args);
    CHECK_EQ(ret, TDX_SUCCESS, "__tdcall_ret(TDG.VP.INFO) status");
    CHECK_EQ(args.rcx, CONFIG_GPAW, "TDG.VP.INFO RCX = GPAW");
    CHECK_EQ(args.r8 & 0xFFFFFFFF, CONFIG_VCPUS, "TDG.VP.INFO R8[31:0] = NUM_VCPUS");
    CHECK_EQ(args.r9, 0, "TDG.VP.INFO R9 = VCPU_INDEX of the bound vCPU 0");
    CHECK_EQ(args.r11, 0, "TDG.VP.INFO R11 = 0");
    CHECK(args.r12 == sentinel.r12 && args.r13 == sentinel.r13 && args.r14 == sentinel.r14 &&
              args.r15 == sentinel.r15 && args.rbx == sentinel.rbx && args.rdi == sentinel.rdi &&
              args.rsi == sentinel.rsi,
          "__tdcall_ret wrote back a register outside RCX, RDX, R8–R11");

    /* softseam_bind_current picks the vCPU too: bound to vCPU 1, TDG.VP.INFO R9 = 1. */
    softseam_bind_current(m, 1);
    args = (struct tdx_module_args){};
    ret = __tdcall_ret(TDG_VP_INFO, &args);
    CHECK(ret == TDX_SUCCESS && args.r9 == 1, "TDG.VP.INFO on bound vCPU 1: status 0x%" PRIx64 ", R9 = %" PRIu64,
          ret, args.r9);
    softseam_bind_current(m, 0);

    /* 2. Accept the pending range. Expected, from the config: 0x200000 is a pending 2M leaf → one 2M page;
          0x400000…0x5FFFFF are pending 4K leaves → the 2M ACCEPT there fails with PAGE_SIZE_MISMATCH(requested
          level 1) (tdx-module src/td_dispatcher/vm_exits/tdg_mem_page_accept.c: the operand is the requested
          level, so a 2M request on a 4K-mapped range gives 0xC0000B0B00000001), then 512 4K pages;
          0x600000…0x602FFF is shorter than 2M → 3 4K pages, no 2M attempt. */
    struct accept_stats st = {0};
    bool ok = tdx_accept_memory(ACCEPT_START, ACCEPT_END, &st);
    CHECK(ok, "tdx_accept_memory(0x%llx, 0x%llx) failed", ACCEPT_START, ACCEPT_END);
    printf("accepted [0x%llx, 0x%llx): %lu x 2M, %lu x 4K; 2M attempts that fell back to 4K: %lu (status 0x%016" PRIx64
           ")\n",
           ACCEPT_START, ACCEPT_END, st.pages_2m, st.pages_4k, st.fallbacks_2m, st.last_2m_failure);
    CHECK_EQ(st.pages_2m, 1, "2M pages accepted");
    CHECK_EQ(st.pages_4k, 512 + 3, "4K pages accepted");
    CHECK_EQ(st.fallbacks_2m, 1, "2M accepts that fell back to 4K");
    CHECK_EQ(st.last_2m_failure, TDX_PAGE_SIZE_MISMATCH | TDX_PS_2M, "status of the 2M ACCEPT on 4K pages");

    /* Accepted memory is ordinary private memory now: L1 can store to it and read it back (before the
       ACCEPT, softseam_mem_read of a pending page is SOFTSEAM_EMEMORY: header). */
    u64 word = 0x1122334455667788ULL, back = 0;
    int rc = softseam_mem_write(m, 0x602FF8, &word, sizeof word);
    CHECK(rc == SOFTSEAM_OK, "store to accepted 0x602FF8: %d %s", rc, softseam_last_error(m));
    rc = softseam_mem_read(m, 0x602FF8, &back, sizeof back);
    CHECK(rc == SOFTSEAM_OK && back == word, "read back 0x602FF8: %d, 0x%" PRIx64, rc, back);

    /* ACCEPT of already-accepted memory → TDX_PAGE_ALREADY_ACCEPTED with the level of the leaf found (tdx-module
       tdx_error_codes_defs.h value, tdg_mem_page_accept.c operand): a 4K ACCEPT inside the accepted 2M page
       reports level 1; a 4K page, level 0; the config's "mapped" region at 0 is accepted memory too. */
    struct {
        u64 rcx;
        u64 want;
        const char *what;
    } again[] = {
        {0x200000 | TDX_PS_2M, TDX_PAGE_ALREADY_ACCEPTED | 1, "2M ACCEPT of the accepted 2M page"},
        {0x3FF000 | TDX_PS_4K, TDX_PAGE_ALREADY_ACCEPTED | 1, "4K ACCEPT inside the accepted 2M page"},
        {0x400000 | TDX_PS_4K, TDX_PAGE_ALREADY_ACCEPTED | 0, "4K ACCEPT of an accepted 4K page"},
        {0x000000 | TDX_PS_4K, TDX_PAGE_ALREADY_ACCEPTED | 0, "4K ACCEPT in the config's mapped region"},
        /* The shared bit set: not a private GPA → OPERAND_INVALID(RCX) (tdx-module src/common/helpers/helpers.c
           check_gpa_validity, called by tdg_mem_page_accept.c). */
        {(0x400000 | cc_mask) | TDX_PS_4K, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX, "ACCEPT of a shared GPA"},
        /* Level 2 (1G) is rejected by 1.5.01 (tdx-module tdg_mem_page_accept.c). */
        {0x0 | 2, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX, "1G ACCEPT"},
    };
    for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) {
        args = (struct tdx_module_args){.rcx = again[i].rcx};
        CHECK_EQ(__tdcall(TDG_MEM_PAGE_ACCEPT, &args), again[i].want, again[i].what);
    }

    /* 3. TDG.VM.RD NUM_L2_VMS = 2 (config). RCX ≠ 0 → OPERAND_INVALID(RCX) with R8 = 0 (tdx-module
          src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c: R8 is zeroed before any check). */
    u64 status;
    u64 num_l2_vms = tdg_vm_rd(TDX_MD_TD_NUM_L2_VMS, &status);
    CHECK_EQ(status, TDX_SUCCESS, "TDG.VM.RD NUM_L2_VMS status");
    CHECK_EQ(num_l2_vms, CONFIG_NUM_L2_VMS, "TDG.VM.RD NUM_L2_VMS");
    printf("NUM_L2_VMS: %" PRIu64 "\n", num_l2_vms);
    args = (struct tdx_module_args){.rcx = 1, .rdx = TDX_MD_TD_NUM_L2_VMS, .r8 = 0x77};
    ret = __tdcall_ret(TDG_VM_RD, &args);
    CHECK(ret == (TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX) && args.r8 == 0,
          "TDG.VM.RD with RCX = 1: status 0x%" PRIx64 ", R8 0x%" PRIx64, ret, args.r8);

    /* 4. TDG.VP.VMCALL <CPUID> through __tdcall_saved_ret, which passes R12–R15, RBX, RDI, RSI (header). The
          built-in host answers GHCI CPUID (Sources/SEAMCore/Host/TDVMCallHost.swift, BuiltInTDVMCallHost.cpuid):
          leaf 0 → EAX = 0x1F and the vendor "SoftSEAMTDX " in EBX, EDX, ECX (CPUID's vendor order); leaf 1 →
          EAX = 0x000606A6, ECX bit 31 (hypervisor present). GHCI returns EAX…EDX in R12…R15, status in R10.
          The TDCALL's own status is TDX_SUCCESS (the host completed it). RBX, RSI, RDI are selected, so they go
          to the host and come back as the host left them (the built-in host leaves them). */
    args = (struct tdx_module_args){
        .rcx = TDVMCALL_EXPOSE_REGS_MASK | TDX_RBX | TDX_RSI | TDX_RDI,
        .r10 = TDVMCALL_STANDARD,
        .r11 = VMX_EXIT_REASON_CPUID,
        .r12 = 0, /* CPUID leaf */
        .r13 = 0, /* subleaf */
        .rbx = 0xB0B0, .rsi = 0x5151, .rdi = 0xD1D1,
    };
    ret = __tdcall_saved_ret(TDG_VP_VMCALL, &args);
    CHECK_EQ(ret, TDX_SUCCESS, "TDG.VP.VMCALL <CPUID 0> status");
    CHECK_EQ(args.r10, TDVMCALL_SUCCESS, "GHCI status (R10) of CPUID 0");
    CHECK_EQ(args.r12, 0x1F, "CPUID 0 EAX (R12)");
    CHECK_EQ(args.r13, le32("Soft"), "CPUID 0 EBX (R13)");
    CHECK_EQ(args.r14, le32("TDX "), "CPUID 0 ECX (R14)");
    CHECK_EQ(args.r15, le32("SEAM"), "CPUID 0 EDX (R15)");
    CHECK(args.rbx == 0xB0B0 && args.rsi == 0x5151 && args.rdi == 0xD1D1,
          "RBX/RSI/RDI through the host: 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64, args.rbx, args.rsi, args.rdi);
    char vendor[13] = {0};
    memcpy(vendor, &(u32){(u32)args.r13}, 4);
    memcpy(vendor + 4, &(u32){(u32)args.r15}, 4);
    memcpy(vendor + 8, &(u32){(u32)args.r14}, 4);
    printf("GHCI CPUID 0: max leaf 0x%" PRIx64 ", vendor \"%s\"\n", args.r12, vendor);

    /* Leaf 1 shows R12 reached the host (a dropped R12 would read as leaf 0 and return 0x1F). */
    args = (struct tdx_module_args){.rcx = TDVMCALL_EXPOSE_REGS_MASK, .r10 = TDVMCALL_STANDARD,
                                    .r11 = VMX_EXIT_REASON_CPUID, .r12 = 1};
    ret = __tdcall_saved_ret(TDG_VP_VMCALL, &args);
    CHECK(ret == TDX_SUCCESS && args.r10 == TDVMCALL_SUCCESS, "CPUID 1: status 0x%" PRIx64 ", R10 0x%" PRIx64, ret,
          args.r10);
    CHECK_EQ(args.r12, 0x000606A6, "CPUID 1 EAX (R12)");
    CHECK_EQ(args.r14, 1ULL << 31, "CPUID 1 ECX (R14): hypervisor bit");

    /* __tdcall_ret passes RCX, RDX, R8–R11 only, so the host sees R12 = 0 (header: "the others are 0") and
       answers leaf 0 — but R12 is not written back, so args.r12 keeps the 1 we put there. An unknown GHCI
       sub-function shows R10 is written back: the host answers TDG.VP.VMCALL_INVALID_OPERAND. */
    args = (struct tdx_module_args){.rcx = TDVMCALL_EXPOSE_REGS_MASK, .r10 = TDVMCALL_STANDARD,
                                    .r11 = VMX_EXIT_REASON_CPUID, .r12 = 1};
    ret = __tdcall_ret(TDG_VP_VMCALL, &args);
    CHECK(ret == TDX_SUCCESS && args.r10 == TDVMCALL_SUCCESS, "__tdcall_ret CPUID: status 0x%" PRIx64, ret);
    CHECK_EQ(args.r12, 1, "__tdcall_ret must not write R12 back");
    args = (struct tdx_module_args){.rcx = TDVMCALL_EXPOSE_REGS_MASK, .r10 = TDVMCALL_STANDARD, .r11 = 0x7777};
    ret = __tdcall_ret(TDG_VP_VMCALL, &args);
    CHECK(ret == TDX_SUCCESS && args.r10 == TDVMCALL_INVALID_OPERAND,
          "__tdcall_ret, unknown GHCI sub-function: status 0x%" PRIx64 ", R10 0x%" PRIx64, ret, args.r10);
    args = (struct tdx_module_args){.rcx = TDVMCALL_EXPOSE_REGS_MASK, .r10 = TDVMCALL_STANDARD, .r11 = 0x7777};
    ret = __tdcall(TDG_VP_VMCALL, &args);
    CHECK(ret == TDX_SUCCESS && args.r10 == TDVMCALL_STANDARD,
          "__tdcall, unknown GHCI sub-function: status 0x%" PRIx64 ", R10 0x%" PRIx64 " (must stay 0)", ret, args.r10);

    /* 5. With no machine bound, and with NULL args, the helpers return all ones (not a TDX status) and say why
          in softseam_last_error(NULL) (header). */
    softseam_bind_current(NULL, 0);
    u64 (*helpers[])(u64, struct tdx_module_args *) = {__tdcall, __tdcall_ret, __tdcall_saved_ret};
    const char *names[] = {"__tdcall", "__tdcall_ret", "__tdcall_saved_ret"};
    for (int i = 0; i < 3; i++) {
        args = (struct tdx_module_args){};
        ret = helpers[i](TDG_VP_INFO, &args);
        const char *e = softseam_last_error(NULL);
        CHECK(ret == ~0ULL && mentions(e, names[i]), "%s with no machine bound: 0x%" PRIx64 ", \"%s\"", names[i], ret,
              e ? e : "(NULL)");
    }
    softseam_bind_current(m, 0);
    for (int i = 0; i < 3; i++) {
        ret = helpers[i](TDG_VP_INFO, NULL);
        const char *e = softseam_last_error(NULL);
        CHECK(ret == ~0ULL && mentions(e, names[i]), "%s with args NULL: 0x%" PRIx64 ", \"%s\"", names[i], ret,
              e ? e : "(NULL)");
    }
    /* A bound vCPU the TD does not have: misuse too, so all ones (header: "on misuse"). */
    softseam_bind_current(m, CONFIG_VCPUS);
    args = (struct tdx_module_args){};
    ret = __tdcall_ret(TDG_VP_INFO, &args);
    CHECK(ret == ~0ULL && mentions(softseam_last_error(NULL), "vCPU"), "__tdcall_ret on unbound vCPU %d: 0x%" PRIx64,
          CONFIG_VCPUS, ret);

    softseam_bind_current(NULL, 0);
    softseam_destroy(m);
    if (failed) {
        printf("%d checks passed, %d FAILED\n", passed, failed);
        return 1;
    }
    printf("%d checks passed\n", passed);
    return 0;
}
