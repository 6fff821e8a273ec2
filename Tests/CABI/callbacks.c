/*
 * callbacks.c — libsoftseam's L2 sources, host callback, posted interrupts and traces, used as intended.
 *
 * Usage: callbacks WORKDIR [L2_EVENTS_TRACE]
 *   WORKDIR          where it writes scenario files and the traces callbacks.trace.jsonl / callbacks.trace.bin
 *                    (Tests/CABI/checks/callbacks.sh replays them with `softseam replay`)
 *   L2_EVENTS_TRACE  default Traces/l2-cpuid-roundtrip.trace.jsonl (run from the repository root)
 *
 * Every expected value names its source: the header (softseam.h), the TDX module source (tdx-module =
 * intel/tdx-module, tag TDX_1.5.01), the Intel SDM (exit reasons, instruction lengths), or what the test
 * itself wrote.
 */
#include "cabi_check.h"
#include <sys/stat.h>
#include <unistd.h>

static const char *workdir;

/* ── An L2 callback driven by a script ────────────────────────────────────────────────────────────────── */

struct l2_script {
    const char *replies[8]; /* what to write on each call, in order */
    int results[8];         /* what to return on each call (0 unless set) */
    int calls;
    softseam_l2_state_t seen[8];
    /* In-callback probes (the header: mem_read, state_hash and the fact functions work during the callback). */
    softseam_t *m;
    int probe_location;
    uint64_t probe_hash, probe_rip;
    int probe_read_rc;
};

static int l2_callback(void *ctx, const softseam_l2_state_t *state, char *events, size_t events_len) {
    struct l2_script *s = ctx;
    int i = s->calls++;
    if (i >= 8 || !s->replies[i])
        return 1; /* L2 has nothing more to do */
    s->seen[i] = *state;
    if (s->m) {
        s->probe_location = softseam_vcpu_location(s->m, state->vcpu);
        s->probe_hash = softseam_state_hash(s->m);
        s->probe_read_rc = softseam_mem_read(s->m, BUF(state->vm) + GS_RIP, &s->probe_rip, 8);
    }
    snprintf(events, events_len, "%s", s->replies[i]);
    return s->results[i];
}

static void script(struct l2_script *s, softseam_t *m, const char *reply0, const char *reply1, const char *reply2) {
    memset(s, 0, sizeof *s);
    s->m = m;
    s->replies[0] = reply0;
    s->replies[1] = reply1;
    s->replies[2] = reply2;
}

/* RAX of an L2→L1 exit: status in 63:32, VMX exit reason in 31:0 (tdx-module src/td_transitions/td_exit.c
   td_l2_to_l1_exit_internal). */
#define L2_EXIT(status, reason) ((status) | (uint64_t)(reason))

static void l2_callback_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct l2_script s;
    softseam_regs_t r;
    int rc;
    setup_vm(m, 1);
    CHECK_EQ(softseam_set_l2_callback(m, 1, l2_callback, &s), SOFTSEAM_OK, "softseam_set_l2_callback VM1");

    /* L2 executes CPUID: an unconditional L2→L1 exit (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c),
       status SUCCESS, reason 10 (SDM), the instruction length 2 (CPUID is 0F A2) in R11[63:32] (td_exit.c
       td_l2_to_l1_exit_internal). The callback saw VM1 on vCPU 0 at the RIP, RSP and RFLAGS L1 wrote into the
       buffer; during the callback the vCPU is in VM1 (header: 1…3 = running that VM) and mem_read / state_hash
       work (header). */
    script(&s, m, "\"cpuid\"", NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK, "TDG.VP.ENTER VM1 with a cpuid callback: %d %s", rc, softseam_last_error(NULL));
    CHECK_EQ(r.rax, L2_EXIT(TDX_SUCCESS, EXIT_CPUID), "TDG.VP.ENTER RAX after L2 CPUID");
    CHECK_EQ(r.r11 >> 32, 2, "instruction length of CPUID in R11[63:32]");
    CHECK_EQ(s.calls, 1, "L2 callback calls for one event");
    CHECK(s.seen[0].vm == 1 && s.seen[0].vcpu == 0, "callback state: vm %u vcpu %u, want 1 and 0", s.seen[0].vm,
          s.seen[0].vcpu);
    CHECK_EQ(s.seen[0].rip, L2_RIP, "callback state RIP (L1 wrote it at buffer + 0x88)");
    CHECK_EQ(s.seen[0].gprs.rsp, L2_RSP, "callback state RSP (buffer + 0x20)");
    CHECK_EQ(s.seen[0].rflags, 0x2, "callback state RFLAGS (buffer + 0x80)");
    CHECK_EQ(s.probe_location, 1, "softseam_vcpu_location inside the L2 callback");
    CHECK(s.probe_hash != 0, "softseam_state_hash inside the L2 callback returned 0");
    CHECK(s.probe_read_rc == SOFTSEAM_OK && s.probe_rip == L2_RIP,
          "softseam_mem_read inside the L2 callback: %d, RIP 0x%" PRIx64, s.probe_read_rc, s.probe_rip);
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU 0 back in L1 after the exit");
    /* The exit leaves L2's RIP at the CPUID; L2's state is written back to the buffer (tdx-module
       src/td_transitions/td_exit.c, write_l2_enter_outputs). */
    CHECK_EQ(get64(m, BUF(1) + GS_RIP), L2_RIP, "buffer RIP after the CPUID exit");

    /* L1 emulates the CPUID and advances RIP past it. A JSON array of two events runs both from one callback
       call (header: "one event or a JSON array of events"): L2 sets RAX = 5, then CPUID exits to L1, and L2's
       RAX = 5 is written back to the buffer (td_exit.c write_l2_enter_outputs). */
    put64(m, BUF(1) + GS_RIP, L2_RIP + 2);
    script(&s, m, "[{\"set\":{\"rax\":\"0x5\"}}, \"cpuid\"]", NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID),
          "two events from one reply: rc %d RAX 0x%" PRIx64 " %s", rc, r.rax, softseam_last_error(NULL));
    CHECK_EQ(s.calls, 1, "L2 callback calls for a two-event array");
    CHECK_EQ(s.seen[0].rip, L2_RIP + 2, "callback state RIP after L1 advanced it");
    CHECK_EQ(get64(m, BUF(1) + GS_RAX), 5, "buffer RAX after {\"set\":{\"rax\":\"0x5\"}}");

    /* Events left over when L2 exits are dropped; the callback is asked again on the next entry (header). */
    script(&s, m, "[\"cpuid\", {\"set\":{\"rax\":\"0x6\"}}]", "\"hlt\"", NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID), "cpuid then a left-over set: %d 0x%" PRIx64,
          rc, r.rax);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_HLT),
          "the next entry asks again (HLT → L1, tdx_td_l2_dispatcher.c): %d 0x%" PRIx64, rc, r.rax);
    CHECK_EQ(s.calls, 2, "callback calls: the left-over set was dropped, not run");
    CHECK_EQ(get64(m, BUF(1) + GS_RAX), 5, "buffer RAX: the dropped set never ran");

    softseam_destroy(m);

    /* A malformed event, text that is not JSON, an empty array, a register that does not exist, a reply of 1
       ("nothing more to do"), a negative reply and no source at all fail the TDCALL with SOFTSEAM_EL2
       (header). Each on a fresh TD: a negative result changes nothing (header, "Results"), so the vCPU is
       still in L1 with the same state hash, and its next TDCALL works. */
    struct {
        const char *reply;
        int result;
        bool no_source;
    } bad[] = {
        {"\"bogus\"", 0, false}, {"{", 0, false}, {"[]", 0, false}, {"{\"set\":{\"rzz\":\"1\"}}", 0, false},
        {"\"cpuid\"", 1, false}, {"\"cpuid\"", -7, false}, {NULL, 0, true},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = cabi_create(TD_CONFIG);
        setup_vm(m, 1);
        if (!bad[i].no_source)
            softseam_set_l2_callback(m, 1, l2_callback, &s);
        script(&s, m, bad[i].reply, NULL, NULL);
        s.results[0] = bad[i].result;
        uint64_t before = softseam_state_hash(m);
        rc = enter(m, 1, &r);
        const char *e = softseam_last_error(NULL);
        CHECK(rc == SOFTSEAM_EL2 && e && e[0],
              "L2 reply %s returning %d%s: rc %d \"%s\", want SOFTSEAM_EL2 and a message",
              bad[i].reply ? bad[i].reply : "-", bad[i].result, bad[i].no_source ? " (no source)" : "", rc,
              e ? e : "(NULL)");
        CHECK(softseam_vcpu_location(m, 0) == 0 && softseam_state_hash(m) == before,
              "after SOFTSEAM_EL2 (case %zu): vCPU location %d (want 0), state hash %s (header: nothing changes)", i,
              softseam_vcpu_location(m, 0), softseam_state_hash(m) == before ? "unchanged" : "CHANGED");
        r = (softseam_regs_t){.rax = TDG_VP_INFO};
        rc = softseam_tdcall(m, 0, &r);
        CHECK(rc == SOFTSEAM_OK, "TDG.VP.INFO after SOFTSEAM_EL2 (case %zu): %d %s", i, rc, softseam_last_error(NULL));
        softseam_destroy(m);
    }

    /* The same while recording: the undone TDG.VP.ENTER leaves no step in the trace. Steps: the set-up's
       TDG.VP.WR and its three stores, then TDG.VP.INFO — 5. */
    char undone[1024];
    snprintf(undone, sizeof undone, "%s/callbacks.undone.trace.jsonl", workdir);
    m = cabi_create(TD_CONFIG);
    CHECK_EQ(softseam_trace_start(m, undone, SOFTSEAM_TRACE_JSON, "undone entry"), SOFTSEAM_OK, "trace_start");
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, l2_callback, &s);
    script(&s, m, "\"bogus\"", NULL, NULL);
    CHECK_EQ(enter(m, 1, &r), SOFTSEAM_EL2, "TDG.VP.ENTER with a bad L2 reply, recording");
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_OK, "TDG.VP.INFO after the undone entry");
    CHECK_EQ(softseam_trace_stop(m), 5, "steps recorded around the undone entry");
    softseam_destroy(m);
}

/* ── L2 events from files ─────────────────────────────────────────────────────────────────────────────── */

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "FAIL cannot write %s\n", path);
        exit(1);
    }
}

static void events_file_checks(const char *trace) {
    softseam_t *m = cabi_create(TD_CONFIG);
    softseam_regs_t r;
    int rc;
    setup_vm(m, 1);

    /* The VM1 events of Traces/l2-cpuid-roundtrip.trace.jsonl, in file order (its scenario,
       Traces/scenarios/l2-cpuid-roundtrip.scenario.jsonl): set RAX = 1, RCX = 0; cpuid | jump 0x8100; cpuid |
       cpuid | vmcall. Each TDG.VP.ENTER runs them until one exits to L1 (header: "consumed in order"). */
    rc = softseam_set_l2_events_file(m, 1, trace);
    CHECK(rc == SOFTSEAM_OK, "softseam_set_l2_events_file(%s): %d %s", trace, rc, softseam_last_error(NULL));
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID), "events file, entry 1: %d 0x%" PRIx64 " %s",
          rc, r.rax, softseam_last_error(NULL));
    CHECK_EQ(get64(m, BUF(1) + GS_RAX), 1, "buffer RAX after the file's set RAX = 1");
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID), "events file, entry 2: %d 0x%" PRIx64, rc,
          r.rax);
    CHECK_EQ(get64(m, BUF(1) + GS_RIP), 0x8100, "buffer RIP after the file's jump to 0x8100");
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID), "events file, entry 3: %d 0x%" PRIx64, rc,
          r.rax);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_VMCALL),
          "events file, entry 4: VMCALL → L1 (tdx_td_l2_dispatcher.c), %d 0x%" PRIx64, rc, r.rax);
    rc = enter(m, 1, &r);
    CHECK_ERR(rc, SOFTSEAM_EL2, "l2-cpuid-roundtrip", "TDG.VP.ENTER after the file's last VM1 event");
    softseam_destroy(m); /* a fresh TD: see the SOFTSEAM_EL2 checks above for what an L2 source failure leaves */
    m = cabi_create(TD_CONFIG);
    setup_vm(m, 1);

    /* A scenario file the test writes: VM1's events (set RBX, hlt), with a VM2 step between that VM1 must not
       take. HLT exits to L1 (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c), reason 12 (SDM). */
    char good[1024], bad[1024];
    snprintf(good, sizeof good, "%s/vm1-hlt.scenario.jsonl", workdir);
    snprintf(bad, sizeof bad, "%s/bad-event.scenario.jsonl", workdir);
    const char *header = "{\"softseam\":\"scenario\",\"version\":1,\"config\":" TD_CONFIG "}\n";
    char text[2048];
    snprintf(text, sizeof text,
             "%s{\"actor\":\"l2\",\"vm\":1,\"vcpu\":0,\"event\":{\"set\":{\"rbx\":\"0x1234\"}}}\n"
             "{\"actor\":\"l2\",\"vm\":2,\"vcpu\":0,\"event\":\"vmcall\"}\n"
             "{\"actor\":\"l2\",\"vm\":1,\"vcpu\":0,\"event\":\"hlt\"}\n",
             header);
    write_file(good, text);
    snprintf(text, sizeof text,
             "%s{\"actor\":\"l2\",\"vm\":1,\"vcpu\":0,\"event\":\"cpuid\"}\n"
             "{\"actor\":\"l2\",\"vm\":1,\"vcpu\":0,\"event\":\"fly-away\"}\n",
             header);
    write_file(bad, text);

    rc = softseam_set_l2_events_file(m, 1, good);
    CHECK(rc == SOFTSEAM_OK, "softseam_set_l2_events_file(%s): %d %s", good, rc, softseam_last_error(NULL));
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_HLT), "scenario file: %d 0x%" PRIx64 " %s", rc, r.rax,
          softseam_last_error(NULL));
    CHECK_EQ(get64(m, BUF(1) + GS_RBX), 0x1234, "buffer RBX after the scenario's set RBX");

    /* The malformed file: SOFTSEAM_EFILE naming the file and line 3 (header: "names its line and field"), and
       VM1 keeps its source (header: nothing changes on a negative result) — which has no events left. */
    rc = softseam_set_l2_events_file(m, 1, bad);
    char where[1100];
    snprintf(where, sizeof where, "%s:3", bad);
    CHECK_ERR(rc, SOFTSEAM_EFILE, where, "an unknown event on line 3");
    rc = softseam_set_l2_events_file(m, 1, "/nonexistent/softseam/events.jsonl");
    CHECK_ERR(rc, SOFTSEAM_EFILE, "/nonexistent/softseam/events.jsonl", "a file that does not exist");
    rc = enter(m, 1, &r);
    CHECK_ERR(rc, SOFTSEAM_EL2, "vm1-hlt", "VM1 still on the good file, which is used up");

    /* A file with no L2 events for the VM is refused (header: SOFTSEAM_EFILE, "no events for the VM"): the good
       file has none for VM2 except its vmcall — so use a scenario with an L1 step only. */
    char none[1024];
    snprintf(none, sizeof none, "%s/no-l2.scenario.jsonl", workdir);
    snprintf(text, sizeof text, "%s{\"actor\":\"l1\",\"vcpu\":0,\"tdcall\":{\"rax\":\"0x1\"}}\n", header);
    write_file(none, text);
    CHECK_ERR(softseam_set_l2_events_file(m, 1, none), SOFTSEAM_EFILE, "no L2 events for VM 1", "a file without L2 events");
    softseam_destroy(m);
}

/* ── The host callback ────────────────────────────────────────────────────────────────────────────────── */

enum host_action {
    HOST_NOTHING,
    HOST_COMPLETE_VMCALL,
    HOST_RESUME_L1,
    HOST_RESUME_L2,
    HOST_RESUME_L2_THEN_L1, /* a second TDH.VP.ENTER after the vCPU already runs again: it must fail and not count */
    HOST_AUG_AND_REENTER,   /* adds the page a fault-like exit named (R8), then re-enters L1 */
    HOST_REENTER_ONLY,      /* re-enters L1 without fixing anything */
};

struct host {
    enum host_action action;
    int calls;
    softseam_td_exit_t seen;
    int location;         /* softseam_vcpu_location inside the callback */
    int enter_rc;         /* the callback's softseam_seamcall / softseam_resume_l1 */
    uint64_t enter_status;
    int second_rc, aug_rc; /* HOST_RESUME_L2_THEN_L1's second entry, HOST_AUG_AND_REENTER's AUG */
    uint64_t second_status, aug_status;
};

static void host_callback(void *ctx, softseam_t *m, const softseam_td_exit_t *exit) {
    struct host *h = ctx;
    h->calls++;
    h->seen = *exit;
    h->location = softseam_vcpu_location(m, exit->vcpu);
    softseam_regs_t r = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, exit->vcpu)};
    switch (h->action) {
    case HOST_NOTHING:
        return;
    case HOST_COMPLETE_VMCALL:
        /* The host's answer in the selected GPRs, and an unselected R9 that L1 must not get. */
        r.r10 = 0;
        r.r12 = 0xAAAA;
        r.r13 = 0xBBBB;
        r.rbx = 0xBEEF;
        r.rsi = 0x5EED;
        r.rdi = 0xD00D;
        r.r9 = 0x4242;
        h->enter_rc = softseam_seamcall(m, &r);
        h->enter_status = r.rax;
        return;
    case HOST_RESUME_L1:
        h->enter_rc = softseam_resume_l1(m, exit->vcpu, &h->enter_status);
        return;
    case HOST_RESUME_L2:
        r.r10 = 0;
        r.r12 = 0x1F;
        h->enter_rc = softseam_seamcall(m, &r);
        h->enter_status = r.rax;
        return;
    case HOST_RESUME_L2_THEN_L1:
        h->enter_rc = softseam_seamcall(m, &r);
        h->enter_status = r.rax;
        h->second_rc = softseam_resume_l1(m, exit->vcpu, &h->second_status);
        return;
    case HOST_AUG_AND_REENTER: {
        /* TDH.MEM.PAGE.AUG (SEAMCALL 6): RCX = GPA | level 0 (4K), R8 = a page-aligned HPA (tdx-module
           src/vmm_dispatcher/api_calls/tdh_mem_page_aug.c). */
        softseam_regs_t aug = {.rax = TDH_MEM_PAGE_AUG, .rcx = exit->regs.r8 & ~0xFFFULL, .r8 = 0x7000000000ULL};
        h->aug_rc = softseam_seamcall(m, &aug);
        h->aug_status = aug.rax;
        h->enter_rc = softseam_seamcall(m, &r);
        h->enter_status = r.rax;
        return;
    }
    case HOST_REENTER_ONLY:
        h->enter_rc = softseam_seamcall(m, &r);
        h->enter_status = r.rax;
        return;
    }
}

/* TDG.VP.VMCALL select mask (tdx-module src/td_dispatcher/vm_exits/tdg_vp_vmcall.c): R10–R15, RBX (3), RSI (6),
   RDI (7). */
#define VMCALL_MASK (0xFC00ULL | 1 << 3 | 1 << 6 | 1 << 7)

static void host_callback_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct host h = {0};
    struct l2_script s;
    softseam_regs_t r;
    int rc;
    CHECK_EQ(softseam_set_host_callback(m, host_callback, &h), SOFTSEAM_OK, "softseam_set_host_callback");

    /* L1's TDG.VP.VMCALL: a TD exit the host sees with vm 0 and exit reason 77 (tdx-module
       src/td_dispatcher/vm_exits/tdg_vp_vmcall.c: host RAX = exit reason 77), RCX = the select mask with VM index
       0 in bits 33:32, the selected GPRs as L1 had them and the others zeroed (same file); inside the callback
       the vCPU waits for the host (header: SOFTSEAM_WAITS_FOR_HOST). The host re-enters with TDH.VP.ENTER (RAX 0
       = TDX_SUCCESS); L1's call completes with RAX = 0, the host's values in the selected GPRs and its own in the
       others (header: L1 runs again when the host resumes it). */
    h.action = HOST_COMPLETE_VMCALL;
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = VMCALL_MASK, .r10 = 0, .r11 = 0x77, .r12 = 0x1212,
                          .rbx = 0xB0B0, .r8 = 0x88, .r9 = 0x99};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK, "TDG.VP.VMCALL with a host callback: %d %s", rc, softseam_last_error(NULL));
    CHECK_EQ(h.calls, 1, "host callback calls");
    CHECK_EQ(h.seen.vm, 0, "TD exit vm of L1's TDG.VP.VMCALL");
    CHECK_EQ(h.seen.vcpu, 0, "TD exit vcpu");
    CHECK_EQ(h.seen.exit_reason, EXIT_TDCALL, "TD exit reason of TDG.VP.VMCALL");
    CHECK_EQ(h.seen.regs.rax & 0xFFFFFFFF, EXIT_TDCALL, "TD exit RAX[31:0]");
    CHECK_EQ(h.seen.regs.rcx, VMCALL_MASK, "TD exit RCX = select mask, VM index 0");
    CHECK(h.seen.regs.r11 == 0x77 && h.seen.regs.r12 == 0x1212 && h.seen.regs.rbx == 0xB0B0,
          "selected GPRs at the host: R11 0x%" PRIx64 " R12 0x%" PRIx64 " RBX 0x%" PRIx64, h.seen.regs.r11,
          h.seen.regs.r12, h.seen.regs.rbx);
    CHECK(h.seen.regs.r8 == 0 && h.seen.regs.r9 == 0,
          "unselected R8/R9 must reach the host as 0: 0x%" PRIx64 " 0x%" PRIx64, h.seen.regs.r8, h.seen.regs.r9);
    CHECK_EQ(h.location, SOFTSEAM_WAITS_FOR_HOST, "softseam_vcpu_location inside the host callback");
    CHECK(h.enter_rc == SOFTSEAM_OK && h.enter_status == TDX_SUCCESS,
          "the callback's TDH.VP.ENTER: rc %d status 0x%" PRIx64, h.enter_rc, h.enter_status);
    CHECK_EQ(r.rax, TDX_SUCCESS, "L1's TDG.VP.VMCALL status");
    CHECK(r.r12 == 0xAAAA && r.r13 == 0xBBBB && r.rbx == 0xBEEF && r.rsi == 0x5EED && r.rdi == 0xD00D && r.r10 == 0,
          "selected GPRs from the host: R12 0x%" PRIx64 " R13 0x%" PRIx64 " RBX 0x%" PRIx64 " RSI 0x%" PRIx64
          " RDI 0x%" PRIx64,
          r.r12, r.r13, r.rbx, r.rsi, r.rdi);
    CHECK(r.r8 == 0x88 && r.r9 == 0x99, "unselected R8/R9 keep L1's values: 0x%" PRIx64 " 0x%" PRIx64, r.r8, r.r9);
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU in L1 after the VMCALL");

    /* The same through __tdcall_saved_ret: all seven of R12–R15, RBX, RDI, RSI come back (header). */
    softseam_bind_current(m, 0);
    struct tdx_module_args a = {.rcx = VMCALL_MASK, .r10 = 0, .r11 = 0x77, .r12 = 1, .rbx = 2, .rsi = 3, .rdi = 4};
    uint64_t ret = __tdcall_saved_ret(TDG_VP_VMCALL, &a);
    CHECK(ret == TDX_SUCCESS && a.r12 == 0xAAAA && a.r13 == 0xBBBB && a.rbx == 0xBEEF && a.rsi == 0x5EED &&
              a.rdi == 0xD00D,
          "__tdcall_saved_ret: 0x%" PRIx64 ", R12 0x%" PRIx64 " RBX 0x%" PRIx64 " RSI 0x%" PRIx64
          " RDI 0x%" PRIx64,
          ret, a.r12, a.rbx, a.rsi, a.rdi);
    CHECK(h.seen.regs.r12 == 1 && h.seen.regs.rbx == 2 && h.seen.regs.rsi == 3 && h.seen.regs.rdi == 4,
          "__tdcall_saved_ret passed R12/RBX/RSI/RDI to the host: 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
          " 0x%" PRIx64,
          h.seen.regs.r12, h.seen.regs.rbx, h.seen.regs.rsi, h.seen.regs.rdi);
    softseam_bind_current(NULL, 0);

    /* A host callback that does not re-enter: the TDCALL returns SOFTSEAM_TD_EXIT with the TD-exit registers
       and the vCPU waits for the host (header: location SOFTSEAM_WAITS_FOR_HOST). The host re-enters later with softseam_seamcall
       from outside any callback — allowed for an L1 exit (header: only resuming L2 needs the callback). */
    h.action = HOST_NOTHING;
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r11 = 0x77};
    rc = softseam_tdcall(m, 0, &r);
    CHECK_EQ(rc, SOFTSEAM_TD_EXIT, "TDG.VP.VMCALL, host callback that does not re-enter");
    CHECK_EQ(r.rax & 0xFFFFFFFF, EXIT_TDCALL, "regs after SOFTSEAM_TD_EXIT: RAX[31:0] = exit reason");
    CHECK_EQ(r.rcx, 0xFC00, "regs after SOFTSEAM_TD_EXIT: RCX = the host's view (select mask, VM 0)");
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU waits for the host");
    r = (softseam_regs_t){.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, 0)};
    rc = softseam_seamcall(m, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "TDH.VP.ENTER from outside: %d 0x%" PRIx64 " %s", rc, r.rax,
          softseam_last_error(NULL));
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU in L1 after the host's TDH.VP.ENTER");

    /* An L2 exit the module routes to the host: an NMI while L2 runs (tdx-module
       src/td_dispatcher/tdx_td_l2_dispatcher.c, asynchronous), exit reason 0 (SDM: exception or NMI), VM index 1
       in RCX bits 33:32 (src/td_transitions/td_exit.c async_tdexit_internal). The host resumes L1
       (softseam_resume_l1: TDH.VP.ENTER with RESUME_L1, status TDX_SUCCESS), and L1's TDG.VP.ENTER returns
       TDX_L2_EXIT_HOST_ROUTED_ASYNC with the original exit reason (src/td_transitions/tdh_vp_enter.c
       handle_l2_entry). */
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, l2_callback, &s);
    h = (struct host){.action = HOST_RESUME_L1};
    script(&s, m, "\"nmi\"", NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK, "TDG.VP.ENTER, L2 NMI: %d %s", rc, softseam_last_error(NULL));
    CHECK(h.calls == 1 && h.seen.vm == 1 && h.seen.exit_reason == EXIT_NMI,
          "host callback for the L2 NMI: calls %d vm %u reason %u", h.calls, h.seen.vm, h.seen.exit_reason);
    CHECK_EQ(h.seen.regs.rcx >> 32 & 3, 1, "TD exit RCX[33:32] = VM index");
    CHECK(h.enter_rc == SOFTSEAM_OK && h.enter_status == TDX_SUCCESS, "softseam_resume_l1: rc %d status 0x%" PRIx64,
          h.enter_rc, h.enter_status);
    CHECK_EQ(r.rax, L2_EXIT(TDX_L2_EXIT_HOST_ROUTED_ASYNC, EXIT_NMI), "L1's TDG.VP.ENTER after RESUME_L1");

    /* The host resumes L2 instead (TDH.VP.ENTER without RESUME_L1 from the callback, header): L2 runs on and
       asks its callback again; its CPUID then exits to L1 with an ordinary SUCCESS. */
    h = (struct host){.action = HOST_RESUME_L2};
    script(&s, m, "\"nmi\"", "\"cpuid\"", NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID) && s.calls == 2,
          "host resumes L2, then CPUID: rc %d RAX 0x%" PRIx64 " L2 calls %d", rc, r.rax, s.calls);

    /* L2's TDG.VP.VMCALL with ENABLE_TDVMCALL in 64-bit mode goes to the host (tdx-module
       src/td_dispatcher/tdx_td_l2_dispatcher.c): exit reason 77, VM 1. Resumed into L2 (no RESUME_L1), L2 has the
       host's outputs in its GPRs and RAX = 0 (src/td_transitions/tdh_vp_enter.c save_regs_after_tdvmcall); with
       RESUME_L1, L1's TDG.VP.ENTER returns TDX_L2_EXIT_HOST_ROUTED_TDVMCALL with reason 77 (tdh_vp_enter.c
       handle_l2_entry). */
    setup_vm_64bit_tdvmcall(m, 1);
    const char *l2_tdvmcall = "[{\"set\":{\"rax\":\"0x0\"}}, {\"set\":{\"rcx\":\"0xfc00\"}}, "
                              "{\"set\":{\"r10\":\"0x0\"}}, {\"set\":{\"r11\":\"0xa\"}}, {\"set\":{\"r12\":\"0x0\"}}, "
                              "\"tdcall\"]";
    h = (struct host){.action = HOST_RESUME_L2};
    script(&s, m, l2_tdvmcall, "\"cpuid\"", NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID),
          "L2 TDVMCALL, host resumes L2: %d 0x%" PRIx64 " %s", rc, r.rax, softseam_last_error(NULL));
    CHECK(h.calls == 1 && h.seen.vm == 1 && h.seen.exit_reason == EXIT_TDCALL && (h.seen.regs.rcx & 0xFFFF) == 0xFC00,
          "host saw L2's TDVMCALL: calls %d vm %u reason %u RCX 0x%" PRIx64, h.calls, h.seen.vm, h.seen.exit_reason,
          h.seen.regs.rcx);
    CHECK(s.calls == 2 && s.seen[1].gprs.r12 == 0x1F && s.seen[1].gprs.r10 == 0 && s.seen[1].gprs.rax == 0,
          "L2 after the host's answer: calls %d R12 0x%" PRIx64 " RAX 0x%" PRIx64, s.calls, s.seen[1].gprs.r12,
          s.seen[1].gprs.rax);
    h = (struct host){.action = HOST_RESUME_L1};
    script(&s, m, l2_tdvmcall, NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && h.enter_rc == SOFTSEAM_OK, "L2 TDVMCALL, host resumes L1: %d %d %s", rc, h.enter_rc,
          softseam_last_error(NULL));
    CHECK_EQ(r.rax, L2_EXIT(TDX_L2_EXIT_HOST_ROUTED_TDVMCALL, EXIT_TDCALL),
             "L1's TDG.VP.ENTER after a routed TDVMCALL");

    /* An L2 exit to a host callback that does not re-enter: SOFTSEAM_TD_EXIT with the exit's registers, the
       vCPU waits. Resuming L2 from outside the callback is refused (header: SOFTSEAM_ESTATE elsewhere);
       softseam_resume_l1 from outside is fine and gives TDX_SUCCESS. */
    h = (struct host){.action = HOST_NOTHING};
    script(&s, m, "\"nmi\"", NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_TD_EXIT && (r.rax & 0xFFFFFFFF) == EXIT_NMI && TDX_TD_EXIT_VM(r.rcx) == 1,
          "L2 NMI, host does nothing: rc %d RAX 0x%" PRIx64 " RCX 0x%" PRIx64, rc, r.rax, r.rcx);
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU waits for the host after an L2 TD exit");
    r = (softseam_regs_t){.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, 0)};
    CHECK_ERR(softseam_seamcall(m, &r), SOFTSEAM_ESTATE, "softseam_seamcall", "TDH.VP.ENTER resuming L2 from outside");
    uint64_t status = ~0ULL;
    rc = softseam_resume_l1(m, 0, &status);
    CHECK(rc == SOFTSEAM_OK && status == TDX_SUCCESS, "softseam_resume_l1 from outside: %d 0x%" PRIx64, rc, status);
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU in L1 after softseam_resume_l1");

    /* Two TDH.VP.ENTERs in one callback: the first resumes L2; the second (RESUME_L1) finds the vCPU running and
       fails with TDX_VCPU_STATE_INCORRECT (tdx-module tdx_error_codes_defs.h, 0xC000070000000000 — the vCPU is
       not waiting for the host). The first re-entry is what counts: L2 runs on, and its CPUID exits to L1. */
    h = (struct host){.action = HOST_RESUME_L2_THEN_L1};
    script(&s, m, "\"nmi\"", "\"cpuid\"", NULL);
    rc = enter(m, 1, &r);
    CHECK(h.enter_rc == SOFTSEAM_OK && h.enter_status == TDX_SUCCESS && h.second_rc == SOFTSEAM_OK &&
              h.second_status == TDX_VCPU_STATE_INCORRECT,
          "host callback's two entries: %d 0x%" PRIx64 ", %d 0x%" PRIx64, h.enter_rc, h.enter_status, h.second_rc,
          h.second_status);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID),
          "after a failed second entry L2 still runs: rc %d RAX 0x%" PRIx64 " %s", rc, r.rax, softseam_last_error(NULL));
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU in L1 after L2's CPUID");

    /* softseam_set_host_callback(NULL) restores the built-in host, which hands other L2 TD exits to L1 with
       RESUME_L1 (header) → L1 sees TDX_L2_EXIT_HOST_ROUTED_ASYNC (tdx-module
       src/td_transitions/tdh_vp_enter.c). */
    CHECK_EQ(softseam_set_host_callback(m, NULL, NULL), SOFTSEAM_OK, "softseam_set_host_callback(NULL)");
    h.calls = 0;
    script(&s, m, "\"nmi\"", NULL, NULL);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_L2_EXIT_HOST_ROUTED_ASYNC, EXIT_NMI) && h.calls == 0,
          "built-in host: rc %d RAX 0x%" PRIx64 " callback calls %d", rc, r.rax, h.calls);
    softseam_destroy(m);
}

/* ── Fault-like TD exits of L1's own TDCALLs ─────────────────────────────────────────────────────────── */

static void fault_like_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct host h = {0};
    softseam_regs_t r;
    int rc;
    /* Recorded: the exits, the host's AUG and entries and the re-executed ACCEPT must replay (the check script
       runs `softseam replay` on it). */
    char trace[1024];
    snprintf(trace, sizeof trace, "%s/callbacks.fault-like.trace.jsonl", workdir);
    CHECK_EQ(softseam_trace_start(m, trace, SOFTSEAM_TRACE_JSON, "fault-like exits"), SOFTSEAM_OK, "trace_start");
    /* TDG.MEM.PAGE.ACCEPT of 0x104000: the TD config maps 0x100000–0x103FFF only, so the L1 walk reaches a FREE
       4K entry; ACCEPT of a non-PENDING entry is an EPT-violation TD exit with EEQ type 1 (tdx-module
       src/td_dispatcher/vm_exits/tdg_mem_page_accept.c, its state check), exit reason 48, L1's registers
       untouched. The built-in host leaves it alone (header): SOFTSEAM_TD_EXIT, and the vCPU waits for the host
       like after any TD exit. */
    r = (softseam_regs_t){.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x104000};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_TD_EXIT && (r.rax & 0xFFFFFFFF) == VMX_EXIT_REASON_EPT_VIOLATION && (r.rdx & 0xF) == 1,
          "ACCEPT of a FREE page, built-in host: rc %d RAX 0x%" PRIx64 " EEQ 0x%" PRIx64, rc, r.rax, r.rdx);
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU waits for the host after a fault-like exit");
    /* Until the host re-enters it, L1 does not run: a TDCALL is refused (header: SOFTSEAM_ESTATE) and changes
       nothing. TDH.VP.ENTER (RAX 0, RCX = its TDVPR) resumes L1: TDX_SUCCESS, vCPU in L1. */
    r = (softseam_regs_t){.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x104000};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_ESTATE, "TDCALL while the vCPU waits for the host");
    softseam_regs_t enter = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, 0)};
    CHECK(softseam_seamcall(m, &enter) == SOFTSEAM_OK && enter.rax == TDX_SUCCESS,
          "TDH.VP.ENTER after the fault-like exit: RAX 0x%" PRIx64, enter.rax);
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU in L1 after the host's TDH.VP.ENTER");

    /* With a host callback the exit reaches the host (header: fault-like exits included), as vm 0, reason 48,
       R8 = the GPA. The host AUGs the page (TDH.MEM.PAGE.AUG: TDX_SUCCESS) and re-enters; the ACCEPT runs
       again and now finds a PENDING page: TDX_SUCCESS (tdg_mem_page_accept.c). One host call. */
    CHECK_EQ(softseam_set_host_callback(m, host_callback, &h), SOFTSEAM_OK, "softseam_set_host_callback");
    h.action = HOST_AUG_AND_REENTER;
    r = (softseam_regs_t){.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x104000};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(h.calls == 1 && h.seen.vm == 0 && h.seen.exit_reason == 48 && h.seen.regs.r8 == 0x104000,
          "host callback for the fault-like exit: calls %d vm %u reason %u R8 0x%" PRIx64, h.calls, h.seen.vm,
          h.seen.exit_reason, h.seen.regs.r8);
    CHECK(h.aug_rc == SOFTSEAM_OK && h.aug_status == TDX_SUCCESS && h.enter_rc == SOFTSEAM_OK &&
              h.enter_status == TDX_SUCCESS,
          "AUG 0x%" PRIx64 ", TDH.VP.ENTER 0x%" PRIx64, h.aug_status, h.enter_status);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "ACCEPT re-executed after the host's AUG: rc %d RAX 0x%" PRIx64,
          rc, r.rax);
    uint64_t v = 0x1234;
    CHECK_EQ(softseam_mem_write(m, 0x104000, &v, 8), SOFTSEAM_OK, "the accepted page is L1 memory");

    /* A host that re-enters without fixing anything: the TDCALL runs again each time, 1 + 1,000 times in all
       (header: at most 1,000 re-executions); the exit of the last run goes to no host: SOFTSEAM_TD_EXIT with
       the exit's registers, after 1,000 host calls, and the vCPU waits for the host. */
    h = (struct host){.action = HOST_REENTER_ONLY};
    r = (softseam_regs_t){.rax = TDG_MEM_PAGE_ACCEPT, .rcx = 0x105000};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_TD_EXIT && h.calls == 1000 && (r.rax & 0xFFFFFFFF) == VMX_EXIT_REASON_EPT_VIOLATION,
          "host that never fixes the exit: rc %d, %d host calls, RAX 0x%" PRIx64, rc, h.calls, r.rax);
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU waits for the host");
    /* Steps: ACCEPT (exit), TDH.VP.ENTER · ACCEPT (exit), AUG, TDH.VP.ENTER, ACCEPT · store · 1,000 × (ACCEPT,
       TDH.VP.ENTER), ACCEPT; the refused TDCALL is no step. */
    CHECK_EQ(softseam_trace_stop(m), 2 + 4 + 1 + 2 * 1000 + 1, "steps recorded");
    softseam_destroy(m);
}

/* ── A fatal TD ─────────────────────────────────────────────────────────────────────────────────────── */

/* An MTF VM exit from L2 (reason 37) makes the TD fatal (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c:
   NON_RECOVERABLE_TD; Traces/scenarios/fatal-td.scenario.jsonl does the same). The built-in host's RESUME_L1
   re-entry fails, so the TDCALL ends with SOFTSEAM_TD_EXIT and the vCPU waits for the host with a pending exit
   from VM1. A TDH.VP.ENTER outside the host callback that names no RESUME_L1 then gets the module's answer,
   TDX_TD_FATAL (src/common/helpers/helpers.c check_td_in_correct_build_state), not SOFTSEAM_ESTATE: only
   a re-entry that would really resume L2 is the C ABI's to refuse. */
static void fatal_td_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct l2_script s;
    softseam_regs_t r;
    setup_vm(m, 1);
    vp_wr(m, TDX_MD_L2_VMCS(1, TDX_L2_VMCS_PRIMARY_PROC_BASED_CONTROLS), 1 << 27, 1 << 27); /* monitor trap flag */
    softseam_set_l2_callback(m, 1, l2_callback, &s);
    script(&s, m, "{\"exit\":{\"reason\":37}}", NULL, NULL);
    CHECK_EQ(enter(m, 1, &r), SOFTSEAM_TD_EXIT, "TDG.VP.ENTER, L2 MTF exit: the TD is fatal");
    CHECK_EQ(softseam_vcpu_location(m, 0), SOFTSEAM_WAITS_FOR_HOST, "vCPU waits for the host");
    softseam_regs_t enter_l2 = {.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, 0)};
    CHECK_EQ(softseam_seamcall(m, &enter_l2), SOFTSEAM_OK, "TDH.VP.ENTER of the fatal TD's vCPU, no RESUME_L1");
    CHECK_EQ(enter_l2.rax, TDX_TD_FATAL, "TDH.VP.ENTER status: TDX_TD_FATAL");
    softseam_destroy(m);
}

/* ── Posted interrupts ────────────────────────────────────────────────────────────────────────────────── */

static void interrupt_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct l2_script s;
    softseam_regs_t r;
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, l2_callback, &s);

    /* Posting needs posted interrupts enabled by the host (header): SOFTSEAM_ESTATE before, then the host's
       TDH.VP.WR of the notification vector, the PID address and pin-based bit 7. */
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x30), SOFTSEAM_ESTATE, "softseam_post_interrupt before TDH.VP.WR");
    softseam_regs_t w = {.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = 0x0024000100000002ULL, .r8 = 0xF2, .r9 = 0xFFFF};
    CHECK(softseam_seamcall(m, &w) == SOFTSEAM_OK && w.rax == TDX_SUCCESS, "TDH.VP.WR notification vector");
    w = (softseam_regs_t){.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = 0x0024000300002016ULL, .r8 = 0x5000, .r9 = ~0ULL};
    CHECK(softseam_seamcall(m, &w) == SOFTSEAM_OK && w.rax == TDX_SUCCESS, "TDH.VP.WR PID address");
    w = (softseam_regs_t){.rax = 43, .rcx = softseam_tdvpr(m, 0), .rdx = 0x0024000200004000ULL, .r8 = 0x80, .r9 = 0x80};
    CHECK(softseam_seamcall(m, &w) == SOFTSEAM_OK && w.rax == TDX_SUCCESS, "TDH.VP.WR pin-based bit 7");

    /* Vector 0x30 with PPR 0: RVI[7:4] = 3 > PPR[7:4] = 0, so TDG.VP.ENTER returns TDX_PENDING_INTERRUPT without
       entering L2 (check 4 of tdx-module src/td_transitions/tdg_vp_enter.c: no L2 exit information) — the L2
       callback is not asked. */
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x30), SOFTSEAM_OK, "softseam_post_interrupt 0x30");
    script(&s, m, "\"cpuid\"", NULL, NULL);
    CHECK_EQ(enter(m, 1, &r), SOFTSEAM_OK, "TDG.VP.ENTER with 0x30 pending");
    CHECK_EQ(r.rax, TDX_PENDING_INTERRUPT, "TDG.VP.ENTER RAX with 0x30 pending");
    CHECK_EQ(s.calls, 0, "L2 callback calls while L1 has an interrupt pending");
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, "vCPU stays in L1");

    /* L1 took it and finished (RVI 0, PPR 0): L2 is entered again. */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0, 0), SOFTSEAM_OK, "softseam_set_l1_interrupt_state(0, 0)");
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID) && s.calls == 1,
          "TDG.VP.ENTER after the interrupt: RAX 0x%" PRIx64 ", L2 calls %d", r.rax, s.calls);

    /* While L1 runs the CPU merges every posted vector into L1's virtual IRR (SDM Vol. 3C §30.6; header): vector
       5 changes the state (IRR, RVI 5) but its class 0 blocks nothing. */
    uint64_t before = softseam_state_hash(m);
    CHECK_EQ(softseam_post_interrupt(m, 0, 5), SOFTSEAM_OK, "softseam_post_interrupt 5");
    CHECK(softseam_state_hash(m) != before, "state hash after posting vector 5 changed");
    script(&s, m, "\"cpuid\"", NULL, NULL);
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID) && s.calls == 1,
          "TDG.VP.ENTER after vector 5: RAX 0x%" PRIx64, r.rax);

    /* Only a priority class above PPR's blocks the entry (check 4 of tdg_vp_enter.c): with PPR 0x40, vector 0x30
       (class 3) does not; vector 0x50 (class 5) does. */
    CHECK_EQ(softseam_set_l1_interrupt_state(m, 0, 0, 0x40), SOFTSEAM_OK, "softseam_set_l1_interrupt_state(0, 0x40)");
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x30), SOFTSEAM_OK, "softseam_post_interrupt 0x30 under PPR 0x40");
    script(&s, m, "\"cpuid\"", NULL, NULL);
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID),
          "0x30 under PPR 0x40 does not block: RAX 0x%" PRIx64, r.rax);
    CHECK_EQ(softseam_post_interrupt(m, 0, 0x50), SOFTSEAM_OK, "softseam_post_interrupt 0x50 under PPR 0x40");
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == TDX_PENDING_INTERRUPT,
          "0x50 under PPR 0x40 blocks: RAX 0x%" PRIx64, r.rax);
    softseam_destroy(m);
}

/* ── The TSC-deadline timer and the virtual TSC ─────────────────────────────────────────────────────────── */

static void timer_checks(void) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct l2_script s;
    softseam_regs_t r;
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, l2_callback, &s);
    CHECK_EQ(softseam_tsc(m), 0, "softseam_tsc of a new TD");
    CHECK_EQ(softseam_tsc(NULL), 0, "softseam_tsc(NULL)");

    /* No deadline (all ones after TDH.VP.INIT): 0x100 ticks pass in L2, then CPUID exits to L1. */
    script(&s, m, "[{\"time\":\"0x100\"}, \"cpuid\"]", NULL, NULL);
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, EXIT_CPUID),
          "time then cpuid: RAX 0x%" PRIx64 " %s", r.rax, softseam_last_error(NULL));
    CHECK_EQ(softseam_tsc(m), 0x100, "softseam_tsc after {\"time\":\"0x100\"}");

    /* L1 programs TSC_DEADLINE[1] = now + 0x40 (header: the TDG.VP.WR field). The callback's 0x1000-tick span
       reaches it after 0x40 ticks: VM exit 52 (VMX-preemption timer expired) to L1, status SUCCESS, the TSC at
       the deadline and the rest of the span not passed; the CPUID after it never runs. */
    vp_wr(m, TDX_MD_VP_TSC_DEADLINE(1), softseam_tsc(m) + 0x40, ~0ULL);
    put64(m, BUF(1) + GS_RIP, L2_RIP);
    script(&s, m, "[{\"time\":\"0x1000\"}, \"cpuid\"]", NULL, NULL);
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, 52),
          "deadline inside the span: RAX 0x%" PRIx64 " %s", r.rax, softseam_last_error(NULL));
    CHECK_EQ(softseam_tsc(m), 0x140, "softseam_tsc stops at the deadline");

    /* Not one-shot: the next TDG.VP.ENTER exits 52 before L2 runs (the callback is not asked). */
    script(&s, m, "\"cpuid\"", NULL, NULL);
    CHECK(enter(m, 1, &r) == SOFTSEAM_OK && r.rax == L2_EXIT(TDX_SUCCESS, 52) && s.calls == 0,
          "re-entry with the deadline due: RAX 0x%" PRIx64 ", L2 calls %d", r.rax, s.calls);
    softseam_destroy(m);
}

/* ── Traces ───────────────────────────────────────────────────────────────────────────────────────────── */

/* Records a run into `path`; returns softseam_trace_stop's count. `host_cb` uses a host callback for the
   VMCALL instead of the built-in host. */
static int64_t record(const char *path, int format, bool host_cb) {
    softseam_t *m = cabi_create(TD_CONFIG);
    struct l2_script s;
    struct host h = {.action = HOST_COMPLETE_VMCALL};
    softseam_regs_t r;
    int rc = softseam_trace_start(m, path, format, "Tests/CABI/callbacks.c");
    CHECK(rc == SOFTSEAM_OK, "softseam_trace_start(%s): %d %s", path, rc, softseam_last_error(NULL));
    softseam_set_l2_callback(m, 1, l2_callback, &s);
    if (host_cb)
        softseam_set_host_callback(m, host_callback, &h);
    setup_vm(m, 1);                               /* TDG.VP.WR + 3 stores */
    script(&s, m, "[{\"set\":{\"rax\":\"0x5\"}}, \"cpuid\"]", NULL, NULL);
    enter(m, 1, &r);                              /* TDG.VP.ENTER + 2 L2 events */
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r10 = 0, .r11 = 10, .r12 = 0};
    rc = softseam_tdcall(m, 0, &r);               /* TDG.VP.VMCALL + the host's TDH.VP.ENTER */
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "VMCALL while recording: %d 0x%" PRIx64, rc, r.rax);
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    softseam_tdcall(m, 0, &r);                    /* TDG.VP.INFO */
    int64_t steps = softseam_trace_stop(m);
    softseam_destroy(m);
    return steps;
}

static void trace_checks(void) {
    /* A trace records each L1 TDCALL, each store, each L2 event and each host SEAMCALL as one step (header):
       4 (setup_vm) + 1 + 2 (entry, set, cpuid) + 2 (VMCALL, host entry) + 1 (TDG.VP.INFO) = 10. */
    char json[1024], bin[1024];
    snprintf(json, sizeof json, "%s/callbacks.trace.jsonl", workdir);
    snprintf(bin, sizeof bin, "%s/callbacks.trace.bin", workdir);
    CHECK_EQ(record(json, SOFTSEAM_TRACE_JSON, false), 10, "softseam_trace_stop steps (JSON, built-in host)");
    CHECK_EQ(record(bin, SOFTSEAM_TRACE_BINARY, true), 10, "softseam_trace_stop steps (binary, host callback)");
    FILE *f = fopen(json, "r");
    char line[32] = "";
    CHECK(f && fgets(line, sizeof line, f) && strncmp(line, "{\"softseam\":\"trace\"", 19) == 0,
          "%s starts with a trace header (Traces/FORMAT.md): \"%s\"", json, line);
    if (f)
        fclose(f);

    /* softseam_destroy finishes a trace still being written (header): the file exists afterwards (the check
       script replays it). */
    char destroyed[1024];
    snprintf(destroyed, sizeof destroyed, "%s/callbacks.destroyed.trace.jsonl", workdir);
    softseam_t *m = cabi_create(TD_CONFIG);
    CHECK_EQ(softseam_trace_start(m, destroyed, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_OK, "softseam_trace_start");
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    softseam_tdcall(m, 0, &r);
    softseam_destroy(m);
    f = fopen(destroyed, "r");
    CHECK(f != NULL, "softseam_destroy did not write the trace being recorded to %s", destroyed);
    if (f)
        fclose(f);
    printf("traces: %s %s %s\n", json, bin, destroyed);

    /* A stop that cannot write keeps the trace open (header): the directory goes away after the start, the
       stop gives SOFTSEAM_EFILE; once it is back, a second stop writes the 1-step trace (TDG.VP.INFO). */
    char dir[1024], later[1100];
    snprintf(dir, sizeof dir, "%s/gone", workdir);
    snprintf(later, sizeof later, "%s/later.trace.jsonl", dir);
    CHECK(mkdir(dir, 0755) == 0, "mkdir %s", dir);
    m = cabi_create(TD_CONFIG);
    CHECK_EQ(softseam_trace_start(m, later, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_OK, "softseam_trace_start in gone/");
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    softseam_tdcall(m, 0, &r);
    CHECK(rmdir(dir) == 0, "rmdir %s", dir);
    CHECK_ERR((int)softseam_trace_stop(m), SOFTSEAM_EFILE, "softseam_trace_stop", "a directory that went away");
    CHECK(mkdir(dir, 0755) == 0, "mkdir %s again", dir);
    CHECK_EQ(softseam_trace_stop(m), 1, "the second softseam_trace_stop writes the open trace");
    softseam_destroy(m);
    /* softseam_trace_start refuses a directory it cannot write in (header), before anything happens. */
    m = cabi_create(TD_CONFIG);
    CHECK_ERR(softseam_trace_start(m, "/nonexistent/softseam/t.jsonl", SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EFILE,
              "softseam_trace_start", "a directory that does not exist");
    softseam_destroy(m);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: callbacks WORKDIR [L2_EVENTS_TRACE]\n");
        return 2;
    }
    workdir = argv[1];
    const char *trace = argc > 2 ? argv[2] : "Traces/l2-cpuid-roundtrip.trace.jsonl";
    l2_callback_checks();
    events_file_checks(trace);
    host_callback_checks();
    fault_like_checks();
    fatal_td_checks();
    interrupt_checks();
    timer_checks();
    trace_checks();
    return cabi_finish("callbacks");
}
