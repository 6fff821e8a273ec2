/* The host reaches L1 only through posted interrupts and PEND_NMI, through the C ABI (softseam.h): the host's
   TDH.VP.WR of the notification vector, PID address and pin-based bit 7; softseam_post_interrupt while L1 runs
   and from inside a host TD-exit callback; L1 taking the interrupt with softseam_l1_interruptible and ending it
   with an x2APIC EOI; softseam_pend_nmi. Expected values hand-worked from SDM Vol. 3C §30.1–30.2, §30.6 and
   tdx-module src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c, src/td_transitions/tdh_vp_enter.c. The trace it
   records (argv[1]/interrupts.trace.jsonl) must replay clean (checks/interrupts.sh). */
#include "cabi_check.h"

static int l2_cb(void *ctx, const softseam_l2_state_t *state, char *events, size_t events_len) {
    int *calls = ctx;
    (void)state;
    if ((*calls)++ > 0)
        return 1; /* L2 has nothing more to do */
    snprintf(events, events_len, "{\"interrupt\":\"0x30\"}"); /* not L1's notification vector: a TD exit */
    return 0;
}

struct host {
    int calls, post_rc, enter_rc;
    uint64_t enter_status;
};

/* On the L2 TD exit: post 0x61 (the vCPU waits for the host, so the notification is owed), then re-enter L2
   without RESUME_L1: the module takes the notification at once. */
static void host_cb(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) {
    struct host *h = ctx;
    h->calls++;
    h->post_rc = softseam_post_interrupt(m, exit->vcpu, 0x61);
    softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, exit->vcpu)};
    h->enter_rc = softseam_seamcall(m, &r);
    h->enter_status = r.rax;
}

static uint64_t host_vp_wr(softseam_t *m, uint64_t field, uint64_t value, uint64_t mask) {
    softseam_regs_t w = {.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = field, .r8 = value, .r9 = mask};
    int rc = softseam_seamcall(m, &w);
    CHECK_EQ(rc, SOFTSEAM_OK, "TDH.VP.WR SEAMCALL");
    return w.rax;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: interrupts WORKDIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/interrupts.trace.jsonl", argv[1]);
    softseam_t *m = cabi_create(TD_CONFIG);
    int rc = softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "Tests/CABI/interrupts.c");
    CHECK(rc == SOFTSEAM_OK, "trace_start: %d %s", rc, softseam_last_error(m));
    int32_t vector = 0;
    uint32_t fault = 0;
    uint64_t value = 0;

    /* Enabling posted interrupts before the vector is set: TD_VMCS_FIELD_NOT_INITIALIZED with operand 0x0002
       (metadata_vp.c special write). Then the three fields. */
    CHECK_EQ(host_vp_wr(m, 0x0024000200004000ULL, 0x80, 0x80), TDX_TD_VMCS_FIELD_NOT_INITIALIZED | 0x0002,
             "pin-based bit 7 before the vector");
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x47), SOFTSEAM_ESTATE, "posting before posted interrupts are enabled");
    CHECK_EQ(host_vp_wr(m, 0x0024000100000002ULL, 0xF2, 0xFFFF), TDX_SUCCESS, "notification vector 0xF2");
    CHECK_EQ(host_vp_wr(m, 0x0024000300002016ULL, 0x5000, ~0ULL), TDX_SUCCESS, "PID address 0x5000");
    CHECK_EQ(host_vp_wr(m, 0x0024000200004000ULL, 0x80, 0x80), TDX_SUCCESS, "pin-based bit 7");

    /* L1 runs: the CPU merges 0x47 into the virtual IRR, RVI 0x47 (SDM §30.6). L1 takes it: VPPR 0x40 (§30.2.2);
       the IRR word of vectors 64–95 is empty again, the ISR's has bit 7. */
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x47), SOFTSEAM_OK, "post 0x47 while L1 runs");
    CHECK_EQ(softseam_l1_interruptible(m, 0, &vector), SOFTSEAM_OK, "interruptible");
    CHECK_EQ(vector, 0x47, "vector delivered to L1");
    CHECK_EQ(softseam_rdmsr(m, 0, 0x80A, &value, &fault), SOFTSEAM_OK, "RDMSR PPR");
    CHECK_EQ(value, 0x40, "L1's PPR while 0x47 is in service");
    CHECK_EQ(softseam_rdmsr(m, 0, 0x812, &value, &fault), SOFTSEAM_OK, "RDMSR ISR[64..95]");
    CHECK_EQ(value, 0x80, "ISR bit of 0x47");
    CHECK_EQ(softseam_l1_interruptible(m, 0, &vector), SOFTSEAM_OK, "interruptible again");
    CHECK_EQ(vector, -1, "nothing more to deliver");
    /* EOI: a non-zero value is #GP(0); 0 ends the handler (PPR 0, §30.1.4). */
    CHECK(softseam_wrmsr(m, 0, 0x80B, 1, &fault) == SOFTSEAM_OK && fault == 13, "EOI with a non-zero value: #GP(0)");
    CHECK_EQ(softseam_wrmsr(m, 0, 0x80B, 0, &fault), SOFTSEAM_OK, "EOI");
    CHECK_EQ(softseam_rdmsr(m, 0, 0x80A, &value, &fault), SOFTSEAM_OK, "RDMSR PPR after EOI");
    CHECK_EQ(value, 0, "L1's PPR after EOI");

    /* Posting from the host callback: L2 takes an external interrupt 0x30 (a TD exit); the callback posts 0x61
       and re-enters L2; the module takes the owed notification: RVI 0x61 > PPR 0 → L1's TDG.VP.ENTER returns
       TDX_L2_EXIT_PENDING_INTERRUPT | 1 with R9 = 0x800000F2 (the notification vector's information). */
    int l2_calls = 0;
    struct host h = {0};
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, l2_cb, &l2_calls);
    softseam_set_host_callback(m, host_cb, &h);
    softseam_regs_t r;
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK, "TDG.VP.ENTER: %d %s", rc, softseam_last_error(m));
    CHECK_EQ(h.calls, 1, "host callback calls");
    CHECK_EQ(h.post_rc, SOFTSEAM_OK, "softseam_post_interrupt from the host callback");
    CHECK(h.enter_rc == SOFTSEAM_OK && h.enter_status == TDX_SUCCESS, "the callback's TDH.VP.ENTER: %d 0x%" PRIx64,
          h.enter_rc, h.enter_status);
    CHECK_EQ(r.rax, (TDX_L2_EXIT_PENDING_INTERRUPT | 1), "TDG.VP.ENTER RAX");
    CHECK_EQ(r.r9, 0x800000F2ULL, "TDG.VP.ENTER R9");
    CHECK_EQ(softseam_l1_interruptible(m, 0, &vector), SOFTSEAM_OK, "interruptible after the exit");
    CHECK_EQ(vector, 0x61, "vector delivered to L1");
    CHECK_EQ(softseam_wrmsr(m, 0, 0x80B, 0, &fault), SOFTSEAM_OK, "EOI of 0x61");

    /* PEND_NMI (TDH.VP.WR of the TDVPS field): delivered when the module next resumes L1 after a TDCALL it
       completes (the trace shows it as the TDCALL's "delivered", checks/interrupts.sh). */
    uint64_t status = 1;
    CHECK_EQ(softseam_pend_nmi(m, 0, &status), SOFTSEAM_OK, "softseam_pend_nmi");
    CHECK_EQ(status, TDX_SUCCESS, "PEND_NMI write status");
    int trc;
    CHECK_EQ(tdcall3(m, TDG_VP_INFO, 0, 0, 0, 0, &trc), TDX_SUCCESS, "TDG.VP.INFO");
    /* Again, then a CPUID the module answers: that exit's resume delivers the second NMI (a recorded step). */
    CHECK_EQ(softseam_pend_nmi(m, 0, &status), SOFTSEAM_OK, "softseam_pend_nmi again");
    uint32_t out[4];
    CHECK_EQ(softseam_cpuid(m, 0, 0, 0, out, &fault), SOFTSEAM_OK, "CPUID leaf 0");

    CHECK(softseam_trace_stop(m) > 0, "trace_stop: %s", softseam_last_error(m));
    softseam_destroy(m);
    return cabi_finish("interrupts");
}
