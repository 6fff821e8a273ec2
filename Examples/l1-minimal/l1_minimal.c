/*
 * l1-minimal — a small L1 VMM for TD partitioning, written against the TDCALL register ABI only.
 *
 * It does what a TD-partitioning paravisor does to start one L2 guest:
 *   TDG.VP.INFO, TDG.VM.RD NUM_L2_VMS          what TD am I in?
 *   TDG.MEM.PAGE.ATTR.WR (retried), ACCEPT     alias L2 memory, accept pending memory
 *   load the L2 image, TDG.VP.WR               virtual-APIC page, L2_CTLS, MSR bitmap, CR masks, real-mode state
 *   loop: TDG.VP.ENTER → L2→L1 exit           CPUID, I/O (serial forwarded with TDG.VP.VMCALL), LGDT, MOV CR,
 *                                              RDMSR, EPT violations (lazy aliasing), a failed VM entry, HLT,
 *                                              WRMSR IA32_TSC_DEADLINE (TSC_DEADLINE[VM1]) and the timer's
 *                                              exit 52 (the vector injected by VIRR + RVI; L2's x2APIC EOI is
 *                                              virtualized by the CPU, no exit)
 * and prints one line per exit it sees, L2's mode at the end and the TD's state hash.
 *
 * One seam separates it from the TDX module: tdcall(&regs) and two memory helpers. Built with
 * -DL1_ON_HARDWARE they execute TDCALL and touch memory directly (an L1 running in a real TD, with its
 * memory identity-mapped); by default they call libsoftseam. The L2 guest is the one `softseam demo` boots:
 * a boot ROM that goes from real mode through protected mode into long mode.
 *
 * Usage: l1-minimal [--trace FILE] [--l2-events FILE]
 *   --trace FILE      record everything the TD does as a SoftSEAM trace (replay it with `softseam replay`)
 *   --l2-events FILE  take L2's events from a scenario or trace file instead of the built-in L2 program
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Leaf numbers, status codes, field ids, exit reasons and the guest-state buffer (generated from Specs/; needs
   only <stdint.h>, so the hardware build uses it too). */
#include "softseam_defs.h"

/* ── The seam ─────────────────────────────────────────────────────────────────────────────────────── */

/* GPRs in architectural order (RAX … R15), the TDCALL register file. */
typedef struct regs {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
} regs_t;

static _Noreturn void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "l1-minimal: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

#ifdef L1_ON_HARDWARE
/* TDCALL: RAX = leaf, inputs in RCX, RDX, R8–R15; outputs come back in the same registers. */
static void tdcall(regs_t *r) {
    register uint64_t r8 __asm__("r8") = r->r8, r9 __asm__("r9") = r->r9, r10 __asm__("r10") = r->r10,
                      r11 __asm__("r11") = r->r11, r12 __asm__("r12") = r->r12, r13 __asm__("r13") = r->r13,
                      r14 __asm__("r14") = r->r14, r15 __asm__("r15") = r->r15;
    __asm__ volatile(".byte 0x66, 0x0f, 0x01, 0xcc"
                     : "+a"(r->rax), "+c"(r->rcx), "+d"(r->rdx), "+b"(r->rbx), "+S"(r->rsi), "+D"(r->rdi),
                       "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
                     :
                     : "memory");
    r->r8 = r8, r->r9 = r9, r->r10 = r10, r->r11 = r11, r->r12 = r12, r->r13 = r13, r->r14 = r14, r->r15 = r15;
}
static void mem_read(uint64_t gpa, void *buf, size_t len) { memcpy(buf, (const void *)(uintptr_t)gpa, len); }
static void mem_write(uint64_t gpa, const void *buf, size_t len) { memcpy((void *)(uintptr_t)gpa, buf, len); }
#else
#include "softseam.h"
_Static_assert(sizeof(regs_t) == sizeof(softseam_regs_t), "the TDCALL register file");
static softseam_t *td;
static void tdcall(regs_t *r) {
    softseam_regs_t s;
    memcpy(&s, r, sizeof s);
    int rc = softseam_tdcall(td, 0, &s);
    if (rc != SOFTSEAM_OK) die("softseam_tdcall (leaf %" PRIu64 "): %d %s", r->rax, rc, softseam_last_error(td));
    memcpy(r, &s, sizeof s);
}
static void mem_read(uint64_t gpa, void *buf, size_t len) {
    if (softseam_mem_read(td, gpa, buf, len) != 0) die("read of 0x%" PRIx64 ": %s", gpa, softseam_last_error(td));
}
static void mem_write(uint64_t gpa, const void *buf, size_t len) {
    if (softseam_mem_write(td, gpa, buf, len) != 0) die("write of 0x%" PRIx64 ": %s", gpa, softseam_last_error(td));
}
#endif

/* ── The L2 VMCS ──────────────────────────────────────────────────────────────────────────────────── */

/* L2 VMCS fields (softseam_defs.h: element size code and encoding); the segment registers' fields are
   consecutive encodings in the order ES, CS, SS, DS, FS, GS (SDM Vol. 3D appendix B). */
#define VIRTUAL_APIC_ADDRESS TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS
#define GUEST_EFER TDX_L2_VMCS_GUEST_IA32_EFER
#define PRIMARY_CONTROLS TDX_L2_VMCS_PRIMARY_PROC_BASED_CONTROLS
#define ENTRY_CONTROLS TDX_L2_VMCS_VM_ENTRY_CONTROLS
#define SECONDARY_CONTROLS TDX_L2_VMCS_SECONDARY_PROC_BASED_CONTROLS
#define GUEST_GDTR_LIMIT TDX_L2_VMCS_GUEST_GDTR_LIMIT
#define CR0_MASK TDX_L2_VMCS_CR0_GUEST_HOST_MASK
#define CR4_MASK TDX_L2_VMCS_CR4_GUEST_HOST_MASK
#define CR0_SHADOW TDX_L2_VMCS_CR0_READ_SHADOW
#define CR4_SHADOW TDX_L2_VMCS_CR4_READ_SHADOW
#define GUEST_CR0 TDX_L2_VMCS_GUEST_CR0
#define GUEST_CR3 TDX_L2_VMCS_GUEST_CR3
#define GUEST_CR4 TDX_L2_VMCS_GUEST_CR4
#define GUEST_GDTR_BASE TDX_L2_VMCS_GUEST_GDTR_BASE
static uint64_t seg_selector(int s) { return TDX_L2_VMCS_GUEST_ES_SELECTOR + 2 * (uint64_t)s; }
static uint64_t seg_limit(int s) { return TDX_L2_VMCS_GUEST_ES_LIMIT + 2 * (uint64_t)s; }
static uint64_t seg_access_rights(int s) { return TDX_L2_VMCS_GUEST_ES_AR + 2 * (uint64_t)s; }
static uint64_t seg_base(int s) { return TDX_L2_VMCS_GUEST_ES_BASE + 2 * (uint64_t)s; }
enum { CS = 1 };

static _Noreturn void fail_status(const char *what, uint64_t status) {
    die("%s: TDX status 0x%016" PRIX64, what, status);
}

static regs_t call(uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9) {
    regs_t r = {.rax = leaf, .rcx = rcx, .rdx = rdx, .r8 = r8, .r9 = r9};
    tdcall(&r);
    return r;
}

/* TDG.VP.RD/WR field id of L2 VMCS field `field` of VM1. */
static uint64_t vmcs_id(uint64_t field) { return TDX_MD_L2_VMCS(1, field); }
static uint64_t element_mask(uint64_t id) { return TDX_MD_ELEMENT_MASK(id); }
static void vp_wr(uint64_t id, uint64_t value, uint64_t mask) {
    regs_t r = call(TDG_VP_WR, 0, id, value, mask);
    if (r.rax != 0) fail_status("TDG.VP.WR", r.rax);
}
static uint64_t vp_rd(uint64_t id) {
    regs_t r = call(TDG_VP_RD, 0, id, 0, 0);
    if (r.rax != 0) fail_status("TDG.VP.RD", r.rax);
    return r.r8;
}
static void write_vmcs(uint64_t f, uint64_t value) { vp_wr(vmcs_id(f), value, element_mask(vmcs_id(f))); }
static void write_vmcs_masked(uint64_t f, uint64_t value, uint64_t mask) { vp_wr(vmcs_id(f), value, mask); }
static uint64_t read_vmcs(uint64_t f) { return vp_rd(vmcs_id(f)); }

/* ── Memory: the alias table and L2 pages ──────────────────────────────────────────────────────────── */

/* GPA_ATTR bits (softseam_defs.h, from Specs/gpa-attr-bits.tsv), short for the tables below */
enum { R = TDX_GPA_ATTR_R, W = TDX_GPA_ATTR_W, XS = TDX_GPA_ATTR_XS, XU = TDX_GPA_ATTR_XU };
#define GUEST_STATE_BUFFER 0x200000ULL
#define VIRTUAL_APIC_PAGE 0x201000ULL
#define PENDING_START 0x104000ULL /* the TD's pending range (config) */
#define PENDING_END 0x106000ULL

static const struct { uint64_t gpa; uint16_t vm1, vm2; } up_front[] = {
    {0x100000, R | XS, 0}, {0x101000, R | W, R}, {0x102000, 0, R | W | XS | XU}, {0x103000, 0, R | W},
    {0x105000, 0, R | W},
};
static const struct { const char *label; uint64_t gpa; uint16_t attrs; } lazy[] = {
    {"ROM", 0xFFFFF000, R | XS}, {"PML4", 0x9000, R | W}, {"PDPT", 0xA000, R | W}, {"H1", 0x104000, R | W},
};

/* TDG.MEM.PAGE.ATTR.WR of `attrs` for VM `vm`, retried until RDX reads back the request. */
static void alias(uint64_t gpa, int vm, uint16_t attrs) {
    uint64_t request = TDX_GPA_ATTR_FOR_VM(vm, attrs | TDX_GPA_ATTR_VALID), flags = TDX_ATTR_FLAGS_FOR_VM(vm, 0xF);
    for (int i = 0; i < 4; i++) {
        regs_t r = call(TDG_MEM_PAGE_ATTR_WR, gpa, request, flags, 0);
        if (r.rax == 0 && r.rdx == request) return;
    }
    die("ATTR.WR of 0x%" PRIx64 " for VM%d did not take", gpa, vm);
}

static void accept(uint64_t gpa) {
    regs_t r = call(TDG_MEM_PAGE_ACCEPT, gpa, 0, 0, 0);
    if (r.rax != 0) fail_status("TDG.MEM.PAGE.ACCEPT", r.rax);
}

static uint64_t word(uint64_t gpa) {
    uint8_t b[8];
    mem_read(gpa, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}
static void set_word(uint64_t gpa, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    mem_write(gpa, b, 8);
}

/* L2's GPRs and RIP in the L2_ENTER_GUEST_STATE buffer (struct softseam_l2_enter_guest_state: GPR n at 8·n). */
#define RIP_OFFSET offsetof(struct softseam_l2_enter_guest_state, rip)
static uint64_t gpr(int n) { return word(GUEST_STATE_BUFFER + 8 * (uint64_t)n); }
static void set_gpr(int n, uint64_t v) { set_word(GUEST_STATE_BUFFER + 8 * (uint64_t)n, v); }
static uint64_t rip(void) { return word(GUEST_STATE_BUFFER + RIP_OFFSET); }
static void advance_rip(uint64_t length) { set_word(GUEST_STATE_BUFFER + RIP_OFFSET, rip() + length); }

/* ── Set-up ──────────────────────────────────────────────────────────────────────────────────────── */

static void probe_td(void) {
    regs_t info = call(TDG_VP_INFO, 0, 0, 0, 0);
    if (info.rax != 0) fail_status("TDG.VP.INFO", info.rax);
    regs_t n = call(TDG_VM_RD, 0, TDX_MD_TD_NUM_L2_VMS, 0, 0);
    if (n.rax != 0) fail_status("TDG.VM.RD NUM_L2_VMS", n.rax);
    printf("td: gpaw %" PRIu64 ", %" PRIu64 " L2 VMs\n", info.rcx & 0x3F, n.r8);
    if (n.r8 < 1) die("the TD has no L2 VM");
}

static void build_alias_table(void) {
    for (size_t i = 0; i < sizeof up_front / sizeof up_front[0]; i++) {
        if (up_front[i].vm1) alias(up_front[i].gpa, 1, up_front[i].vm1);
        if (up_front[i].vm2) alias(up_front[i].gpa, 2, up_front[i].vm2);
    }
    for (size_t i = 0; i < sizeof up_front / sizeof up_front[0]; i++)
        if (up_front[i].gpa >= PENDING_START && up_front[i].gpa < PENDING_END) accept(up_front[i].gpa);
}

/* The L2 image (boot ROM, kernel, GDT), then the initial guest state: GPRs 0, RFLAGS 0x2, RIP 0xFFF0. */
static void load_image(void) {
#ifdef L1_ON_HARDWARE
    die("load the L2 image from your boot medium");
#else
    uint64_t gpa;
    uint8_t bytes[4096];
    for (uint32_t i = 0;; i++) {
        int64_t n = softseam_builtin_image("l2-boot", i, &gpa, bytes, sizeof bytes);
        if (n < 0) die("softseam_builtin_image: %s", softseam_last_error(NULL));
        if (n == 0) break;
        mem_write(gpa, bytes, (size_t)n);
    }
#endif
    uint8_t buffer[SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE] = {0}; /* little-endian words */
    buffer[offsetof(struct softseam_l2_enter_guest_state, rflags)] = 0x2;
    buffer[RIP_OFFSET] = 0xF0, buffer[RIP_OFFSET + 1] = 0xFF;
    mem_write(GUEST_STATE_BUFFER, buffer, sizeof buffer);
}

#define CR0_OWNED 0x80000001ULL    /* PE, PG: the mode switches L1 emulates */
#define CR0_WRITABLE 0x8005001FULL /* L1-writable guest CR0 bits (Specs/l2-vmcs-fields.tsv, guest CR0) */
#define CR4_L2_BITS 0x6A0ULL       /* PAE, PGE, OSFXSR, OSXMMEXCPT */
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define IA32E_MODE_GUEST (1ULL << 9)
#define EOI_WRITE_BIT (0x4000 + 0x80B) /* MSR bitmap: writes of the x2APIC EOI register (SDM Vol. 3C 25.6.9) */
#define TIMER_VECTOR 0xEC             /* the vector L1 gives L2's TSC-deadline timer */

static void set_up_vm1(void) {
    write_vmcs(VIRTUAL_APIC_ADDRESS, VIRTUAL_APIC_PAGE);
    vp_wr(TDX_MD_VP_L2_CTLS(1), 0x2, 0x7); /* L2_CTLS[1]: ENABLE_TDVMCALL */
    /* MSR bitmap of VM1: EFER writes (write-high quarter, bit 0x6080) go to the module, x2APIC EOI writes
       (write-low quarter, bit 0x4000 + 0x80B) to the CPU's EOI virtualization, all else exits. */
    uint64_t bitmap_word = TDX_MD_L2_MSR_BITMAP(1, 0x6080 / 64);
    vp_wr(bitmap_word, ~(1ULL << (0x6080 % 64)), element_mask(bitmap_word));
    uint64_t eoi_word = TDX_MD_L2_MSR_BITMAP(1, EOI_WRITE_BIT / 64);
    vp_wr(eoi_word, ~(1ULL << (EOI_WRITE_BIT % 64)), element_mask(eoi_word));
    write_vmcs(CR0_MASK, CR0_OWNED);
    write_vmcs(CR0_SHADOW, 0);
    write_vmcs(CR4_MASK, CR4_L2_BITS);
    write_vmcs(CR4_SHADOW, 0);
    write_vmcs_masked(PRIMARY_CONTROLS, 1 << 15, 1 << 15);    /* CR3-load exiting */
    write_vmcs_masked(SECONDARY_CONTROLS, 1 << 2, 1 << 2);    /* descriptor-table exiting */
    write_vmcs_masked(GUEST_CR0, 0, 1);                       /* real mode */
    write_vmcs_masked(GUEST_EFER, 0, EFER_LME);
    for (int s = 0; s < 6; s++) {
        write_vmcs(seg_selector(s), s == CS ? 0xF000 : 0);
        write_vmcs(seg_base(s), s == CS ? 0xFFFF0000 : 0);
        write_vmcs(seg_limit(s), 0xFFFF);
        write_vmcs(seg_access_rights(s), s == CS ? 0x9B : 0x93);
    }
}

/* ── Exit handlers ─────────────────────────────────────────────────────────────────────────────────── */

static int halted;

/* TDG.VP.VMCALL <IO> write (GHCI: R11 = 30, R12 = size, R13 = 1 write, R14 = port, R15 = data). */
static void tdvmcall_out(uint64_t port, uint64_t size, uint64_t value) {
    regs_t r = {.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r10 = 0, .r11 = 30, .r12 = size, .r13 = 1, .r14 = port,
                .r15 = value};
    tdcall(&r);
    if (r.rax != 0 || r.r10 != 0) die("TDG.VP.VMCALL <IO>: rax 0x%" PRIx64 " r10 0x%" PRIx64, r.rax, r.r10);
    printf("exit vm=0 reason=0x%x rip=-\n", VMX_EXIT_REASON_TDCALL); /* L1's own TD exit to the host */
}

static void ept_violation(uint64_t gpa, uint64_t eeq) {
    uint64_t page = gpa & ~0xFFFULL;
    for (size_t i = 0; i < sizeof lazy / sizeof lazy[0]; i++) {
        if (lazy[i].gpa != page) continue;
        if (TDX_EEQ_TYPE(eeq) == TDX_EEQ_TYPE_PENDING_EPT_VIOLATION) accept(page);
        alias(page, 1, lazy[i].attrs);
        return;
    }
    die("EPT violation at 0x%" PRIx64 ", a page L2 may not use", gpa);
}

/* L1's CPUID policy for L2: leaf 0 max 1 "GenuineIntel", leaf 1 family 6 + hypervisor, 0x80000001 long mode. */
static void cpuid(uint64_t length) {
    uint32_t leaf = (uint32_t)gpr(0);
    uint64_t a = 0, b = 0, c = 0, d = 0;
    if (leaf == 0) a = 1, b = 0x756E6547, c = 0x6C65746E, d = 0x49656E69;
    else if (leaf == 1) a = 0x000606A6, c = 1ULL << 31;
    else if (leaf == 0x80000001) d = 1ULL << 29;
    set_gpr(0, a), set_gpr(3, b), set_gpr(1, c), set_gpr(2, d);
    advance_rip(length);
}

/* Port I/O (qualification: size − 1 in 2:0, IN in 3, port in 31:16): OUT to the UART data port goes to the
   host; IN from the line-status port says "transmitter empty"; other ports read all ones. */
static void io(uint64_t q, uint64_t length) {
    uint64_t size = (q & 7) + 1, port = q >> 16 & 0xFFFF;
    uint64_t mask = size == 4 ? 0xFFFFFFFF : (1ULL << (8 * size)) - 1;
    if (q >> 3 & 1) {
        uint64_t value = port == 0x3FD ? 0x60 : mask;
        set_gpr(0, (gpr(0) & ~mask) | value);
    } else if (port == 0x3F8) {
        tdvmcall_out(port, size, gpr(0) & mask);
    }
    advance_rip(length);
}

/* Descriptor-table exiting: decodes [66] 2E 0F 01 16 disp16 (LGDT cs:[disp16]) at CS.base + RIP. */
static void lgdt(uint64_t length) {
    uint64_t cs_base = read_vmcs(seg_base(CS));
    uint8_t b[8], p[6];
    mem_read(cs_base + rip(), b, 8);
    int i = 0, operand32 = 0;
    if (b[i] == 0x66) operand32 = 1, i++;
    if (!(b[i] == 0x2E && b[i + 1] == 0x0F && b[i + 2] == 0x01 && b[i + 3] == 0x16 && (uint64_t)(i + 6) == length))
        die("L1 decodes only LGDT cs:[disp16]");
    uint64_t disp = b[i + 4] | (uint64_t)b[i + 5] << 8;
    mem_read(cs_base + disp, p, 6);
    uint64_t limit = p[0] | (uint64_t)p[1] << 8;
    uint64_t base = p[2] | (uint64_t)p[3] << 8 | (uint64_t)p[4] << 16 | (uint64_t)p[5] << 24;
    if (!operand32) base &= 0xFFFFFF; /* a 16-bit LGDT loads 24 bits of base */
    write_vmcs(GUEST_GDTR_BASE, base);
    write_vmcs(GUEST_GDTR_LIMIT, limit);
    advance_rip(length);
}

/* Emulates the far JMP ([66] EA ptr16:16/32) that follows a mode-switching MOV to CR0: CS from L2's GDT. */
static void far_jump(uint64_t jump_rip) {
    uint64_t cs_base = read_vmcs(seg_base(CS));
    int operand32 = (read_vmcs(seg_access_rights(CS)) >> 14 & 1) != 0;
    uint8_t b[8];
    mem_read(cs_base + jump_rip, b, 8);
    int prefixed = b[0] == 0x66, o32 = operand32 != prefixed, i = prefixed;
    if (b[i] != 0xEA) die("no far JMP after the MOV to CR0");
    int n = o32 ? 4 : 2;
    uint64_t offset = 0;
    for (int k = n - 1; k >= 0; k--) offset = offset << 8 | b[i + 1 + k];
    uint64_t selector = b[i + 1 + n] | (uint64_t)b[i + 2 + n] << 8;
    uint64_t d = word(read_vmcs(GUEST_GDTR_BASE) + (selector & ~7ULL));
    uint64_t base = (d >> 16 & 0xFFFFFF) | (d >> 56) << 24;
    uint64_t limit = (d & 0xFFFF) | (d >> 48 & 0xF) << 16;
    if (d >> 55 & 1) limit = limit << 12 | 0xFFF;
    uint64_t ar = (d >> 40 & 0xFF) | (d >> 52 & 0xF) << 12;
    write_vmcs(seg_selector(CS), selector);
    write_vmcs(seg_base(CS), base);
    write_vmcs(seg_limit(CS), limit);
    write_vmcs(seg_access_rights(CS), ar);
    set_word(GUEST_STATE_BUFFER + RIP_OFFSET, offset);
}

/* MOV to CR0 (PE or PG, the bits L1 owns) with the far JMP after it, CR3, or CR4 (qualification: CR in 3:0,
   access type in 5:4, GPR in 11:8). Setting PG with EFER.LME sets the IA-32e-mode-guest control but, like
   a VMM that relies on the CPU for it, not EFER.LMA: that VM entry fails and entry_failure repairs it. */
static void mov_to_cr(uint64_t q, uint64_t length) {
    if (q >> 4 & 3) die("only MOV to CR exits in this guest");
    uint64_t value = gpr((int)(q >> 8 & 0xF));
    switch (q & 0xF) {
    case 0: {
        uint64_t old = read_vmcs(GUEST_CR0);
        write_vmcs_masked(GUEST_CR0, value, CR0_WRITABLE);
        write_vmcs(CR0_SHADOW, value & CR0_OWNED);
        int sets_pe = (value & 1) && !(old & 1);
        int sets_pg = (value >> 31) && !(old >> 31) && (read_vmcs(GUEST_EFER) & EFER_LME);
        if (!sets_pe && !sets_pg) die("unexpected MOV to CR0 0x%" PRIx64, value);
        if (!sets_pe) write_vmcs_masked(ENTRY_CONTROLS, IA32E_MODE_GUEST, IA32E_MODE_GUEST);
        far_jump(rip() + length);
        return;
    }
    case 3:
        write_vmcs(GUEST_CR3, value);
        break;
    case 4:
        write_vmcs_masked(GUEST_CR4, value, CR4_L2_BITS);
        write_vmcs(CR4_SHADOW, value & CR4_L2_BITS);
        break;
    default:
        die("MOV to CR%" PRIu64, q & 0xF);
    }
    advance_rip(length);
}

/* RDMSR: IA32_EFER from the VMCS into EDX:EAX, 0 for any other MSR. */
static void rdmsr(uint64_t length) {
    uint64_t value = (uint32_t)gpr(1) == 0xC0000080 ? read_vmcs(GUEST_EFER) : 0;
    set_gpr(0, value & 0xFFFFFFFF), set_gpr(2, value >> 32);
    advance_rip(length);
}

/* WRMSR: only IA32_TSC_DEADLINE (0x6E0) reaches L1 in this guest. L1 emulates L2's TSC-deadline timer with
   TSC_DEADLINE[VM1]: the module arms the VMX-preemption timer from it at every entry into VM1. */
static void wrmsr(uint64_t length) {
    if ((uint32_t)gpr(1) != 0x6E0) die("unexpected WRMSR of 0x%" PRIx32, (uint32_t)gpr(1));
    uint64_t deadline = gpr(2) << 32 | (gpr(0) & 0xFFFFFFFF);
    vp_wr(TDX_MD_VP_TSC_DEADLINE(1), deadline, ~0ULL);
    advance_rip(length);
}

/* VMX-preemption timer expired (52): disarm it (the deadline is not one-shot: every entry would exit again
   while it is due) and inject the timer's vector with virtual-interrupt delivery — its bit in VIRR of VM1's
   virtual-APIC page, RVI in the guest-state buffer's interrupt status, which TDG.VP.ENTER loads. */
static void timer_expired(void) {
    vp_wr(TDX_MD_VP_TSC_DEADLINE(1), ~0ULL, ~0ULL);
    uint64_t irr = VIRTUAL_APIC_PAGE + 0x200 + (TIMER_VECTOR >> 5) * 16 + (TIMER_VECTOR & 31) / 8;
    uint8_t b;
    mem_read(irr, &b, 1);
    b |= 1 << (TIMER_VECTOR & 7);
    mem_write(irr, &b, 1);
    uint8_t status[2];
    uint64_t at = GUEST_STATE_BUFFER + offsetof(struct softseam_l2_enter_guest_state, interrupt_status);
    mem_read(at, status, 2);
    if (status[0] < TIMER_VECTOR) status[0] = TIMER_VECTOR; /* RVI = the highest requesting vector */
    mem_write(at, status, 2);
}

/* VM entry failed (0x80000021, invalid guest state): IA-32e mode guest without EFER.LMA. L1 sets
   LMA = LME ∧ CR0.PG and re-enters. */
static void entry_failure(void) {
    uint64_t efer = read_vmcs(GUEST_EFER), cr0 = read_vmcs(GUEST_CR0), entry = read_vmcs(ENTRY_CONTROLS);
    if (!((entry & IA32E_MODE_GUEST) && !(efer & EFER_LMA) && (efer & EFER_LME) && (cr0 >> 31)))
        die("unexpected VM-entry failure");
    write_vmcs_masked(GUEST_EFER, EFER_LMA, EFER_LMA);
}

/* TDG.VP.ENTER of VM1 (RCX bits 53:52 = VM index, RDX = the guest-state buffer); returns at an L2→L1 exit. */
static void run_l2_once(void) {
    regs_t r = {.rax = TDG_VP_ENTER, .rcx = TDG_VP_ENTER_VM(1), .rdx = GUEST_STATE_BUFFER};
    tdcall(&r);
    if (TDX_STATUS_CLASS(r.rax) != TDX_SUCCESS) fail_status("TDG.VP.ENTER", TDX_STATUS_CLASS(r.rax));
    uint32_t reason = TDX_L2_EXIT_REASON(r.rax);
    uint64_t length = TDX_L2_EXIT_INSTRUCTION_LENGTH(r.r11);
    printf("exit vm=1 reason=0x%" PRIx32 " rip=0x%" PRIx64 "\n", reason, rip());
    switch (reason) {
    case VMX_EXIT_REASON_EPT_VIOLATION: ept_violation(r.r8, r.r13); break;
    case VMX_EXIT_REASON_CPUID: cpuid(length); break;
    case VMX_EXIT_REASON_IO_INSTRUCTION: io(r.rcx, length); break;
    case VMX_EXIT_REASON_GDTR_IDTR_ACCESS: lgdt(length); break;
    case VMX_EXIT_REASON_CR_ACCESS: mov_to_cr(r.rcx, length); break;
    case VMX_EXIT_REASON_RDMSR: rdmsr(length); break;
    case VMX_EXIT_REASON_WRMSR: wrmsr(length); break;
    case VMX_EXIT_REASON_PREEMPTION_TIMER: timer_expired(); break;
    case VMX_EXIT_REASON_ENTRY_FAILURE | VMX_EXIT_REASON_ENTRY_FAIL_GUEST_STATE: entry_failure(); break;
    case VMX_EXIT_REASON_HLT:
        advance_rip(length);
        halted = 1;
        break;
    default: die("unexpected L2 exit reason 0x%" PRIx32, reason);
    }
}

/* L2's mode from guest CR0, EFER, the entry controls and CS access rights. */
static const char *mode(void) {
    uint64_t cr0 = read_vmcs(GUEST_CR0), efer = read_vmcs(GUEST_EFER), entry = read_vmcs(ENTRY_CONTROLS),
             ar = read_vmcs(seg_access_rights(CS));
    if (!(cr0 & 1)) return "real mode";
    if ((entry & IA32E_MODE_GUEST) && (efer & EFER_LMA))
        return ar >> 13 & 1 ? "long mode (IA-32e, CS.L=1)" : "compatibility mode (IA-32e, CS.L=0)";
    if (cr0 >> 31) return "protected mode with paging";
    return ar >> 14 & 1 ? "protected mode (32-bit)" : "protected mode (16-bit)";
}

int main(int argc, char **argv) {
    const char *trace = NULL, *events = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--trace") && i + 1 < argc) trace = argv[++i];
        else if (!strcmp(argv[i], "--l2-events") && i + 1 < argc) events = argv[++i];
        else {
            fprintf(stderr, "l1-minimal: usage: l1-minimal [--trace FILE] [--l2-events FILE]\n");
            return 2; /* a usage error, as the softseam CLI reports one */
        }
    }
#ifndef L1_ON_HARDWARE
    /* The TD `softseam demo` boots: 2 L2 VMs, low RAM for L2's page tables, the kernel pages, two pending
       heap pages, L1's own guest-state buffer and virtual-APIC page, and the boot ROM page. */
    char error[512];
    td = softseam_create(
        "{\"num_l2_vms\": 2, \"vcpus\": 1, \"memory\": ["
        "{\"gpa\": \"0x9000\", \"size\": \"0x2000\", \"state\": \"mapped\"},"
        "{\"gpa\": \"0x100000\", \"size\": \"0x4000\", \"state\": \"mapped\"},"
        "{\"gpa\": \"0x104000\", \"size\": \"0x2000\", \"state\": \"pending\"},"
        "{\"gpa\": \"0x200000\", \"size\": \"0x2000\", \"state\": \"mapped\"},"
        "{\"gpa\": \"0xfffff000\", \"size\": \"0x1000\", \"state\": \"mapped\"}]}",
        error, sizeof error);
    if (!td) die("softseam_create: %s", error);
    if (trace && softseam_trace_start(td, trace, SOFTSEAM_TRACE_JSON, "l1-minimal (C) boots VM1") != 0)
        die("softseam_trace_start: %s", softseam_last_error(td));
    int rc = events ? softseam_set_l2_events_file(td, 1, events) : softseam_set_l2_program(td, 1, "l2-boot");
    if (rc != 0) die("L2 source: %s", softseam_last_error(td));
#else
    if (trace || events) die("--trace and --l2-events need SoftSEAM");
#endif
    probe_td();
    build_alias_table();
    load_image();
    set_up_vm1();
    while (!halted) run_l2_once();
    printf("mode=%s\n", mode());
#ifndef L1_ON_HARDWARE
    printf("state_hash=0x%016" PRIX64 "\n", softseam_state_hash(td));
    if (trace && softseam_trace_stop(td) < 0) die("softseam_trace_stop: %s", softseam_last_error(td));
    softseam_destroy(td);
#endif
    return 0;
}
