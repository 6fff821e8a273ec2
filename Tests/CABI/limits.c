/*
 * limits.c — what keeps a long or runaway session bounded: the L2 event limit of one TDG.VP.ENTER, the step
 * limit of a trace recorded in memory, the lifetime of softseam_last_error's message, the built-in host's
 * memory over a million TD exits, and the message for an L2 event a callback forgot to quote.
 *
 * Usage: limits WORKDIR [PART]
 *   WORKDIR  where it writes the traces limits.runaway.trace.jsonl and limits.full.trace.jsonl
 *            (Tests/CABI/checks/limits.sh replays them with `softseam replay`)
 *   PART     run only one part: last-error, unquoted, l2-limit, trace-limit or long-session
 *
 * Expected values come from softseam.h (the documented defaults, codes and lifetimes), from the TDX module
 * source (tdx-module = intel/tdx-module, tag TDX_1.5.01) or from what the test itself did. A watchdog ends
 * the program if a TDCALL never returns (a runaway L2 that nothing stops).
 */
#include "cabi_check.h"
#include <signal.h>
#include <unistd.h>

static const char *workdir;

static void watchdog(int sig) {
    (void)sig;
    static const char msg[] = "FAIL limits: still running after the watchdog's 300 s: a TDCALL never returned "
                              "(a runaway L2 must end with SOFTSEAM_ELIMIT)\n";
    ssize_t n = write(2, msg, sizeof msg - 1);
    (void)n;
    _exit(1);
}

/* The last error contains `a` and `b` (the message names what the header says it names). */
static bool error_names(const char *a, const char *b) {
    const char *e = softseam_last_error(NULL);
    return e && strstr(e, a) && (!b || strstr(e, b));
}

/* ── An L2 callback that writes the same reply for ever, or a script of replies ──────────────────────────── */

struct l2_reply {
    const char *forever;    /* written on every call when set */
    const char *script[8];  /* else these, in order; then 1 (nothing more to do) */
    long calls;
};

static int reply(void *ctx, const softseam_l2_state_t *state, char *events, size_t events_len) {
    (void)state;
    struct l2_reply *r = ctx;
    long i = r->calls++;
    const char *text = r->forever ? r->forever : i < 8 ? r->script[i] : NULL;
    if (!text)
        return 1;
    snprintf(events, events_len, "%s", text);
    return 0;
}

/* After a failed TDCALL: the machine is as before it (state hash), the vCPU is in L1 (header: a negative
   result changes nothing, the TDG.VP.ENTER is undone as a whole) and its next TDCALL works. */
static void check_undone(softseam_t *m, uint64_t before, const char *what) {
    CHECK(softseam_state_hash(m) == before, "%s: the state hash changed (header: nothing changes)", what);
    CHECK_EQ(softseam_vcpu_location(m, 0), 0, what);
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    int rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_OK && r.rax == TDX_SUCCESS, "%s: TDG.VP.INFO afterwards: %d %s", what, rc,
          softseam_last_error(NULL));
}

/* ── The L2 event limit ───────────────────────────────────────────────────────────────────────────────── */

static void l2_limit_checks(void) {
    softseam_regs_t r;
    char want[128];

    /* A callback that only ever sets RAX: L2 never exits to L1. At the default limit (header: 100000) the
       TDCALL fails with SOFTSEAM_ELIMIT naming L2's RIP (L2_RIP: L1 wrote it into the guest-state buffer,
       and a "set" does not move it) and the count; the callback was asked exactly 100000 times. */
    softseam_t *m = cabi_create(TD_CONFIG);
    setup_vm(m, 1);
    struct l2_reply s = {.forever = "{\"set\":{\"rax\":\"0x1\"}}"};
    CHECK_EQ(softseam_set_l2_callback(m, 1, reply, &s), SOFTSEAM_OK, "softseam_set_l2_callback");
    uint64_t before = softseam_state_hash(m);
    int rc = enter(m, 1, &r);
    snprintf(want, sizeof want, "RIP 0x%llx", (unsigned long long)L2_RIP);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names(want, "100000 L2 events") && error_names("softseam_tdcall", NULL),
          "a callback that never exits: rc %d \"%s\", want SOFTSEAM_ELIMIT naming %s and 100000 L2 events", rc,
          softseam_last_error(NULL), want);
    CHECK_EQ(s.calls, 100000, "L2 callback calls before the limit (one event each)");
    check_undone(m, before, "after the default L2 event limit");
    softseam_destroy(m);

    /* The same while recording: the undone TDG.VP.ENTER leaves no step in the trace, which keeps the set-up's
       TDG.VP.WR and three stores and the TDG.VP.INFO after — 5 steps — and stops and replays (limits.sh). */
    char path[1024];
    snprintf(path, sizeof path, "%s/limits.runaway.trace.jsonl", workdir);
    m = cabi_create(TD_CONFIG);
    CHECK_EQ(softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "runaway L2"), SOFTSEAM_OK, "trace_start");
    setup_vm(m, 1);
    s = (struct l2_reply){.forever = "{\"set\":{\"rax\":\"0x1\"}}"};
    softseam_set_l2_callback(m, 1, reply, &s);
    before = softseam_state_hash(m);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names(want, "100000 L2 events"),
          "a callback that never exits, recording: rc %d \"%s\"", rc, softseam_last_error(NULL));
    check_undone(m, before, "after the L2 event limit, recording");
    CHECK_EQ(softseam_trace_stop(m), 5, "steps recorded around the TDG.VP.ENTER that hit the limit");
    softseam_destroy(m);

    /* A lowered limit of 3: L2 may run 3 events, so set, set, CPUID exits to L1 (CPUID: unconditional L2→L1
       exit, tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c); set, set, set, CPUID stops before the
       fourth event, which the callback is never asked for. */
    m = cabi_create(TD_CONFIG);
    setup_vm(m, 1);
    softseam_set_l2_callback(m, 1, reply, &s);
    CHECK_EQ(softseam_set_l2_event_limit(m, 3), SOFTSEAM_OK, "softseam_set_l2_event_limit(3)");
    s = (struct l2_reply){.script = {"{\"set\":{\"rax\":\"0x1\"}}", "{\"set\":{\"rbx\":\"0x2\"}}", "\"cpuid\""}};
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_OK && (r.rax & 0xFFFFFFFF) == EXIT_CPUID,
          "three events, the third exits, limit 3: rc %d RAX 0x%" PRIx64 " %s", rc, r.rax, softseam_last_error(NULL));
    s = (struct l2_reply){.script = {"{\"set\":{\"rax\":\"0x1\"}}", "{\"set\":{\"rbx\":\"0x2\"}}",
                                     "{\"set\":{\"rcx\":\"0x3\"}}", "\"cpuid\""}};
    before = softseam_state_hash(m);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names(want, " 3 L2 events"),
          "four events, limit 3: rc %d \"%s\", want SOFTSEAM_ELIMIT naming %s and 3 L2 events", rc,
          softseam_last_error(NULL), want);
    CHECK_EQ(s.calls, 3, "callback calls with limit 3");
    check_undone(m, before, "after the lowered L2 event limit");

    /* The limit counts L2's events across TD exits the host resumed L2 from: an external interrupt while L2
       runs is a TD exit to the host (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c), and the built-in
       host re-enters L2 after it (header), so an L2 that only takes interrupts never reaches L1. */
    CHECK_EQ(softseam_set_l2_event_limit(m, 5), SOFTSEAM_OK, "softseam_set_l2_event_limit(5)");
    s = (struct l2_reply){.forever = "{\"interrupt\":\"0x30\"}"};
    before = softseam_state_hash(m);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names(want, " 5 L2 events"),
          "an L2 that only takes external interrupts, limit 5: rc %d \"%s\"", rc, softseam_last_error(NULL));
    CHECK_EQ(s.calls, 5, "callback calls: one per entry, each entry's leftovers dropped (header)");
    check_undone(m, before, "after the limit across TD exits");

    /* Misuse: a limit of 0, a NULL machine (header: 1 … INT64_MAX). */
    CHECK_ERR(softseam_set_l2_event_limit(m, 0), SOFTSEAM_EINVAL, "softseam_set_l2_event_limit", "limit 0");
    CHECK_ERR(softseam_set_l2_event_limit(m, (uint64_t)INT64_MAX + 1), SOFTSEAM_EINVAL, "softseam_set_l2_event_limit",
              "limit 2^63");
    CHECK_ERR(softseam_set_l2_event_limit(NULL, 10), SOFTSEAM_EINVAL, "softseam_set_l2_event_limit", "NULL machine");
    softseam_destroy(m);
}

/* ── The trace's step limit ───────────────────────────────────────────────────────────────────────────── */

static void trace_limit_checks(void) {
    softseam_regs_t r;
    int rc;
    char path[1024];
    snprintf(path, sizeof path, "%s/limits.full.trace.jsonl", workdir);
    softseam_t *m = cabi_create(TD_CONFIG);
    CHECK_ERR(softseam_set_trace_limit(m, 0), SOFTSEAM_EINVAL, "softseam_set_trace_limit", "0 steps");
    CHECK_EQ(softseam_set_trace_limit(m, 6), SOFTSEAM_OK, "softseam_set_trace_limit(6)");
    CHECK_EQ(softseam_trace_start(m, path, SOFTSEAM_TRACE_JSON, "a trace at its limit"), SOFTSEAM_OK, "trace_start");
    setup_vm(m, 1); /* steps 1–4: TDG.VP.WR and three stores */
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_OK, "TDG.VP.INFO, step 5");

    /* One step left. A TDG.VP.VMCALL records two (L1's TDCALL and the built-in host's TDH.VP.ENTER, header:
       every step the machine takes), a TDG.VP.ENTER two (the TDCALL and L2's CPUID): each fails with
       SOFTSEAM_ELIMIT and is undone as a whole. */
    uint64_t before = softseam_state_hash(m);
    r = (softseam_regs_t){.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r10 = 0, .r11 = 10, .r12 = 0};
    rc = softseam_tdcall(m, 0, &r);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names("softseam_tdcall", "limit of 6 steps"),
          "TDG.VP.VMCALL with one step left: rc %d \"%s\"", rc, softseam_last_error(NULL));
    CHECK(softseam_state_hash(m) == before && softseam_vcpu_location(m, 0) == 0,
          "after the refused TDG.VP.VMCALL: state hash %s, location %d", softseam_state_hash(m) == before ? "same" : "CHANGED",
          softseam_vcpu_location(m, 0));
    struct l2_reply s = {.script = {"\"cpuid\""}};
    softseam_set_l2_callback(m, 1, reply, &s);
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_ELIMIT && error_names("softseam_tdcall", "limit of 6 steps"),
          "TDG.VP.ENTER with one step left: rc %d \"%s\"", rc, softseam_last_error(NULL));
    CHECK(softseam_state_hash(m) == before && softseam_vcpu_location(m, 0) == 0,
          "after the refused TDG.VP.ENTER: state hash %s, location %d", softseam_state_hash(m) == before ? "same" : "CHANGED",
          softseam_vcpu_location(m, 0));

    /* A one-step call fits: step 6. Then the trace is full: a TDCALL, a store, a SEAMCALL each fail. */
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_OK, "TDG.VP.INFO, step 6");
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK_ERR(softseam_tdcall(m, 0, &r), SOFTSEAM_ELIMIT, "softseam_tdcall", "a full trace");
    uint64_t value = 7;
    CHECK_ERR(softseam_mem_write(m, BUF(1), &value, sizeof value), SOFTSEAM_ELIMIT, "softseam_mem_write", "a full trace");
    r = (softseam_regs_t){.rax = TDH_VP_ENTER, .rcx = softseam_tdvpr(m, 0)};
    CHECK_ERR(softseam_seamcall(m, &r), SOFTSEAM_ELIMIT, "softseam_seamcall", "a full trace");
    CHECK_EQ(get64(m, BUF(1)), 0, "the refused store wrote nothing");

    /* The trace holds the six steps and stops (and replays, limits.sh); then nothing is recorded and calls work. */
    CHECK_EQ(softseam_trace_stop(m), 6, "steps of the full trace");
    r = (softseam_regs_t){.rax = TDG_VP_INFO};
    CHECK_EQ(softseam_tdcall(m, 0, &r), SOFTSEAM_OK, "TDG.VP.INFO after the trace stopped");
    CHECK_ERR(softseam_set_trace_limit(NULL, 10), SOFTSEAM_EINVAL, "softseam_set_trace_limit", "NULL machine");
    softseam_destroy(m);
}

/* ── softseam_last_error's lifetime ───────────────────────────────────────────────────────────────────── */

static void last_error_checks(void) {
    softseam_regs_t r = {0};
    /* A message held across 15 later failures is still there, unchanged (header: the thread keeps its last 16
       messages). Each later failure has a message of its own (the vCPU index differs). */
    CHECK_EQ(softseam_tdcall(NULL, 0, &r), SOFTSEAM_EINVAL, "softseam_tdcall(NULL)");
    const char *held = softseam_last_error(NULL);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", held);
    CHECK(strstr(copy, "softseam_tdcall") != NULL, "the message names softseam_tdcall: \"%s\"", copy);
    softseam_t *m = cabi_create(TD_CONFIG);
    for (uint32_t i = 0; i < 15; i++) {
        r = (softseam_regs_t){.rax = TDG_VP_INFO};
        CHECK_EQ(softseam_tdcall(m, 100 + i, &r), SOFTSEAM_ENOVCPU, "softseam_tdcall on a vCPU the TD lacks");
        CHECK(strcmp(held, copy) == 0, "after %u later failures the held message reads \"%.60s\", want \"%s\"", i + 1,
              held, copy);
    }

    /* printf("%d %s", f(m), softseam_last_error(m)): whichever argument runs first, the string is one of the
       thread's messages, intact — f's own if f ran first. */
    char line[512], previous[256], buf[8];
    snprintf(previous, sizeof previous, "%s", softseam_last_error(m));
    snprintf(line, sizeof line, "%d %s", softseam_mem_read(m, 0xFFFFF000, buf, sizeof buf), softseam_last_error(m));
    CHECK(strstr(line, "softseam_mem_read") || strstr(line, previous), "printf-style line: \"%s\"", line);

    /* softseam_last_error_copy: the full length back, the text truncated to fit and NUL-terminated. */
    const char *now = softseam_last_error(NULL);
    size_t n = strlen(now);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_EQ(softseam_last_error_copy(small, sizeof small), n, "softseam_last_error_copy: the message's length");
    CHECK(memcmp(small, now, 7) == 0 && small[7] == '\0', "softseam_last_error_copy into 8 bytes: \"%.8s\"", small);
    char big[512];
    CHECK(softseam_last_error_copy(big, sizeof big) == n && strcmp(big, now) == 0,
          "softseam_last_error_copy into 512 bytes: \"%s\", want \"%s\"", big, now);
    CHECK_EQ(softseam_last_error_copy(NULL, 0), n, "softseam_last_error_copy(NULL, 0): the length only");
    softseam_destroy(m);
}

/* ── An unquoted event ────────────────────────────────────────────────────────────────────────────────── */

static void unquoted_event_checks(void) {
    /* A callback that writes hlt instead of "hlt": SOFTSEAM_EL2 (header: a malformed event), and the message
       says what an event is — a JSON string or object, or an array of them. */
    softseam_t *m = cabi_create(TD_CONFIG);
    setup_vm(m, 1);
    struct l2_reply s = {.script = {"hlt"}};
    softseam_set_l2_callback(m, 1, reply, &s);
    uint64_t before = softseam_state_hash(m);
    softseam_regs_t r;
    int rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_EL2 && error_names("JSON strings (\"hlt\")", "objects") && error_names("array", NULL),
          "an unquoted hlt: rc %d \"%s\", want SOFTSEAM_EL2 saying events are JSON strings (\"hlt\") or objects", rc,
          softseam_last_error(NULL));
    check_undone(m, before, "after an unquoted event");

    /* JSON that is neither: a number. The message says the same (a string such as "hlt" or an object). */
    s = (struct l2_reply){.script = {"12"}};
    rc = enter(m, 1, &r);
    CHECK(rc == SOFTSEAM_EL2 && error_names("a JSON string such as \"hlt\"", "an object"),
          "an event that is a number: rc %d \"%s\"", rc, softseam_last_error(NULL));
    check_undone(m, before, "after an event that is a number");
    softseam_destroy(m);
}

/* ── A million TD exits through the built-in host ─────────────────────────────────────────────────────── */

static long resident_pages(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    return resident;
}

static void vmcall(softseam_t *m, long count) {
    for (long i = 0; i < count; i++) {
        /* GHCI TDG.VP.VMCALL<Instruction.IO>: R10 = 0, R11 = 30, R12 = size 1, R13 = 1 (write), R14 = port
           0x3F8, R15 = the byte; RCX selects R10–R15 for the host. The built-in host answers and re-enters. */
        softseam_regs_t r = {.rax = TDG_VP_VMCALL, .rcx = 0xFC00, .r11 = 30, .r12 = 1, .r13 = 1, .r14 = 0x3F8,
                             .r15 = 'A' + (uint64_t)(i % 26)};
        int rc = softseam_tdcall(m, 0, &r);
        if (rc != SOFTSEAM_OK || r.rax != TDX_SUCCESS || r.r10 != 0) {
            CHECK(false, "TDG.VP.VMCALL %ld: rc %d RAX 0x%" PRIx64 " R10 0x%" PRIx64 " %s", i, rc, r.rax, r.r10,
                  softseam_last_error(NULL));
            return;
        }
    }
}

static void long_session_checks(void) {
    /* Nothing grows with the number of TD exits: after a warm-up, a million more TDG.VP.VMCALLs (each a TD exit
       the built-in host answers) leave the resident set where it was, give or take 1 MiB (allocator noise). A
       host that kept a log line or a serial byte per exit would grow by tens of MB. */
    softseam_t *m = cabi_create(TD_CONFIG);
    long page = sysconf(_SC_PAGESIZE);
    vmcall(m, 100000);
    long warm = resident_pages();
    vmcall(m, 1000000);
    long end = resident_pages();
    long grown = (end - warm) * page;
    CHECK(warm > 0 && grown <= 1 << 20, "resident set after a million TD exits: %ld → %ld pages (%+ld bytes)", warm,
          end, grown);
    printf("a million TD exits: resident set %ld KiB → %ld KiB\n", warm * page / 1024, end * page / 1024);
    softseam_destroy(m);
}

int main(int argc, char **argv) {
    workdir = argc > 1 ? argv[1] : ".";
    const char *only = argc > 2 ? argv[2] : NULL;
    signal(SIGALRM, watchdog);
    alarm(300);
    static const struct {
        const char *name;
        void (*run)(void);
    } parts[] = {{"last-error", last_error_checks},   {"unquoted", unquoted_event_checks},
                 {"l2-limit", l2_limit_checks},       {"trace-limit", trace_limit_checks},
                 {"long-session", long_session_checks}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!only || strcmp(only, parts[i].name) == 0)
            parts[i].run();
    return cabi_finish("limits");
}
