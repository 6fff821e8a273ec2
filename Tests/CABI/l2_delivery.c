/* An L1 written in C injects an interrupt into L2 and the L2 callback sees it (softseam.h: softseam_l2_state's
   `delivering` and `delivery`). L1 writes the VM-entry interruption information (TDG.VP.WR of L2 VMCS 0x4016:
   valid, external interrupt, vector 0x31) and enters VM1; the CPU injects it at VM entry (SDM Vol. 3C §27.6),
   so the callback is first asked with the delivery in progress: vm 1, vector 0x31, type 0, via
   SOFTSEAM_VIA_ENTRY_INJECTION, no error code, count 1. L2's handler EOIs (WRMSR 0x80B); L1's MSR bitmap
   intercepts every MSR (its reset value, all ones), so the EOI exits to L1 (reason 32, ECX 0x80B) and L1 — which
   injected the event itself, so it keeps the APIC state — emulates it and moves RIP past the WRMSR. L2 then
   IRETs and halts (exit 12); the second callback sees no delivery. Run once recording a trace
   (argv[1]/l2-delivery.trace.jsonl, checks/l2-delivery.sh replays it) and once without: the engine keeps the
   delivery either way. */
#include "cabi_check.h"

struct l2 {
    int calls;
    softseam_l2_state_t first, second;
};

static int l2_cb(void *ctx, const softseam_l2_state_t *state, char *events, size_t events_len) {
    struct l2 *l2 = ctx;
    switch (l2->calls++) {
    case 0:
        l2->first = *state;
        /* The handler (the model does not walk the IDT: a jump stands for it), then its x2APIC EOI. */
        snprintf(events, events_len, "[{\"jump\":\"0x9000\"},\"eoi\"]");
        return 0;
    case 1:
        l2->second = *state;
        snprintf(events, events_len, "[\"iret\",\"hlt\"]");
        return 0;
    default:
        return 1;
    }
}

static void run(const char *trace) {
    softseam_t *m = cabi_create(TD_CONFIG);
    if (trace) {
        int rc = softseam_trace_start(m, trace, SOFTSEAM_TRACE_JSON, "Tests/CABI/l2_delivery.c");
        CHECK(rc == SOFTSEAM_OK, "trace_start: %d %s", rc, softseam_last_error(m));
    }
    struct l2 l2 = {0};
    CHECK_EQ(softseam_set_l2_callback(m, 1, l2_cb, &l2), SOFTSEAM_OK, "L2 callback");
    setup_vm(m, 1);
    setup_vm_64bit_tdvmcall(m, 1); /* a valid 64-bit guest state (the reset state is not one to enter) */
    /* RFLAGS.IF = 1: injecting an external interrupt into a guest with IF = 0 is invalid guest state, a failed
       VM entry (SDM Vol. 3C §27.3.1.4, checks on guest RFLAGS). */
    put64(m, BUF(1) + GS_RFLAGS, 0x202);
    /* VM-entry interruption information: valid (bit 31), type 0 (external interrupt), vector 0x31. */
    vp_wr(m, TDX_MD_L2_VMCS(1, TDX_L2_VMCS_VM_ENTRY_INTR_INFO), 0x80000031, 0xFFFFFFFF);

    softseam_regs_t r;
    CHECK_EQ(enter(m, 1, &r), SOFTSEAM_OK, "TDG.VP.ENTER");
    CHECK_EQ(TDX_L2_EXIT_REASON(r.rax), VMX_EXIT_REASON_WRMSR, "the EOI exits to L1 (its MSR bitmap intercepts 0x80B)");
    CHECK_EQ(get64(m, BUF(1) + offsetof(struct softseam_l2_enter_guest_state, rcx)) & 0xFFFFFFFF, 0x80B,
             "ECX of the WRMSR: the x2APIC EOI register");
    CHECK_EQ(l2.calls, 1, "one callback before the exit");
    CHECK_EQ(l2.first.delivering, 1, "the first callback: the CPU is delivering an event");
    CHECK_EQ(l2.first.delivery.vm, 1, "delivery.vm");
    CHECK_EQ(l2.first.delivery.vector, 0x31, "delivery.vector");
    CHECK_EQ(l2.first.delivery.type, 0, "delivery.type: external interrupt");
    CHECK_EQ(l2.first.delivery.via, SOFTSEAM_VIA_ENTRY_INJECTION, "delivery.via");
    CHECK_EQ(l2.first.delivery.has_error_code, 0, "delivery.has_error_code");
    CHECK_EQ(l2.first.delivery.error_code, 0, "delivery.error_code");
    CHECK_EQ(l2.first.delivery.count, 1, "delivery.count: delivered once");
    CHECK_EQ(l2.first.rip, L2_RIP, "delivery leaves RIP where it was");

    /* L1 emulates the EOI (its own APIC state; nothing for the model to do) and skips the 2-byte WRMSR. */
    put64(m, BUF(1) + GS_RIP, get64(m, BUF(1) + GS_RIP) + 2);
    CHECK_EQ(enter(m, 1, &r), SOFTSEAM_OK, "TDG.VP.ENTER after the EOI");
    CHECK_EQ(TDX_L2_EXIT_REASON(r.rax), VMX_EXIT_REASON_HLT, "L2 halts after IRET");
    CHECK_EQ(l2.calls, 2, "a second callback");
    CHECK_EQ(l2.second.delivering, 0, "the second callback: nothing is being delivered");
    CHECK_EQ(l2.second.delivery.vector, 0, "and delivery is zeros");
    if (trace) {
        int64_t n = softseam_trace_stop(m);
        CHECK(n > 0, "trace_stop: %" PRId64 " %s", n, softseam_last_error(m));
    }
    softseam_destroy(m);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: l2_delivery WORKDIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/l2-delivery.trace.jsonl", argv[1]);
    run(path);
    run(NULL);
    return cabi_finish("l2_delivery");
}
