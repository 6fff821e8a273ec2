/* first-l1 — the L1 of docs/first-l1.md: alias a page into VM1, enter VM1, answer its CPUID, stop at its HLT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <softseam.h>
#include <softseam_defs.h>

#define SHARED UINT64_C(0x100000) /* the page L1 aliases into VM1 */
#define GUEST UINT64_C(0x101000)  /* VM1's L2_ENTER_GUEST_STATE buffer */
#define VAPIC UINT64_C(0x102000)  /* VM1's virtual-APIC page */
static softseam_t *td;

static softseam_regs_t tdcall(uint64_t leaf, uint64_t rcx, uint64_t rdx, uint64_t r8, uint64_t r9) {
    softseam_regs_t r = {.rax = leaf, .rcx = rcx, .rdx = rdx, .r8 = r8, .r9 = r9};
    if (softseam_tdcall(td, 0, &r) != SOFTSEAM_OK || TDX_STATUS_IS_ERROR(r.rax)) {
        fprintf(stderr, "TDCALL %" PRIu64 ": status 0x%016" PRIX64 " %s\n", leaf, r.rax, softseam_last_error(td));
        exit(1);
    }
    return r;
}
static int l2_program(void *ctx, const softseam_l2_state_t *l2, char *events, size_t len) {
    (void)ctx;
    if (l2->rip == 0x1000)
        snprintf(events, len, "[{\"write\":{\"gpa\":\"0x100000\",\"size\":8,\"value\":\"0x2a\"}}, \"cpuid\"]");
    else
        snprintf(events, len, "\"hlt\"");
    return 0;
}
int main(void) {
    char error[256];
    td = softseam_create("{\"num_l2_vms\":1,\"vcpus\":1,\"memory\":[{\"gpa\":\"0x100000\",\"size\":\"0x3000\","
                         "\"state\":\"mapped\"}]}", error, sizeof error);
    if (!td) return fprintf(stderr, "softseam_create: %s\n", error), 1;
    if (softseam_trace_start(td, "first-l1.trace.jsonl", SOFTSEAM_TRACE_JSON, "docs/first-l1.md") != 0 ||
        softseam_set_l2_callback(td, 1, l2_program, NULL) != 0)
        return fprintf(stderr, "%s\n", softseam_last_error(td)), 1;

    uint16_t rwx = TDX_GPA_ATTR_R | TDX_GPA_ATTR_W | TDX_GPA_ATTR_XS | TDX_GPA_ATTR_XU;
    softseam_regs_t r = tdcall(TDG_MEM_PAGE_ATTR_WR, SHARED, TDX_GPA_ATTR_FOR_VM(1, rwx | TDX_GPA_ATTR_VALID),
                               TDX_ATTR_FLAGS_FOR_VM(1, rwx), 0);
    printf("ATTR.WR 0x%" PRIx64 ": VM1 attributes 0x%04x\n", SHARED, TDX_GPA_ATTR_OF_VM(r.rdx, 1));

    tdcall(TDG_VP_WR, 0, TDX_MD_L2_VMCS(1, TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS), VAPIC, ~UINT64_C(0));
    struct softseam_l2_enter_guest_state gs = {.rsp = 0x8000, .rflags = 0x2, .rip = 0x1000};
    softseam_mem_write(td, GUEST, &gs, SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE);
    for (;;) {
        r = tdcall(TDG_VP_ENTER, TDG_VP_ENTER_VM(1), GUEST, 0, 0);
        softseam_mem_read(td, GUEST, &gs, SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE);
        uint32_t reason = TDX_L2_EXIT_REASON(r.rax), length = TDX_L2_EXIT_INSTRUCTION_LENGTH(r.r11);
        printf("L2 exit %" PRIu32 " at RIP 0x%" PRIx64 ", length %" PRIu32 "\n", reason, gs.rip, length);
        if (reason == VMX_EXIT_REASON_CPUID)
            gs.rax = 1, gs.rbx = 0x756E6547, gs.rdx = 0x49656E69, gs.rcx = 0x6C65746E;
        else if (reason != VMX_EXIT_REASON_HLT)
            return fprintf(stderr, "unexpected exit %" PRIu32 "\n", reason), 1;
        gs.rip += length;
        softseam_mem_write(td, GUEST, &gs, SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE);
        if (reason == VMX_EXIT_REASON_HLT) break;
    }
    uint64_t value = 0;
    softseam_mem_read(td, SHARED, &value, sizeof value);
    printf("L1 reads 0x%" PRIx64 " at 0x%" PRIx64 ", where L2 stored it\n", value, SHARED);
    printf("trace: %" PRId64 " steps\n", softseam_trace_stop(td));
    softseam_destroy(td);
    return 0;
}
