/*
 * softseam.h — the C ABI of libsoftseam, SoftSEAM's TDX module (1.5.01, TD partitioning) in software.
 *
 * L1 code calls softseam_tdcall where it would execute TDCALL, and the host side calls softseam_seamcall
 * where a VMM would execute SEAMCALL. One softseam_t is one TD with its vCPUs, L2 VMs and memory.
 *
 *     L1 code ──softseam_tdcall──▶ module model ──TDG.VP.ENTER──▶ L2 events (callback, events file or
 *        ▲                             │                              built-in program)
 *        └──── regs (L2→L1 exit) ◀─────┤ TD exit ──▶ host: built-in deterministic host, or your callback,
 *                                      │                   which re-enters with softseam_seamcall
 *                                      └──▶ trace file (softseam_trace_start … softseam_trace_stop)
 *
 * Results of the int functions: 0 = the call was carried out (a TDCALL's or SEAMCALL's architectural status
 * is in regs->rax); positive = carried out with a note (SOFTSEAM_TD_EXIT); negative = misuse of the API,
 * with a message from softseam_last_error. Nothing crashes and nothing changes on a negative result — a
 * TDG.VP.ENTER whose L2 source fails part-way, or that reaches a limit (SOFTSEAM_ELIMIT), is undone as a
 * whole. A handle softseam_destroy freed, or one softseam_create never returned, is undefined behaviour (a
 * debug build of the library refuses it with SOFTSEAM_EINVAL and a message). Functions returning a value
 * (the state hash, the facts) return 0 when the call cannot be made (NULL handle, bad vCPU, machine busy on
 * another thread) and say why in softseam_last_error.
 *
 * The names in the first block are the contract of DESIGN.md ("C ABI contract"); later blocks add to it.
 * Every function here is exported by libsoftseam; a test checks `nm -D` against this header.
 */
#ifndef SOFTSEAM_H
#define SOFTSEAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The C ABI's version: the SONAME's number (libsoftseam.so.1), changed only when the ABI breaks. */
#define SOFTSEAM_ABI_VERSION 1
/* The release, ABI version first: the installed file (libsoftseam.so.1.0.0), the .pc's Version and
   `softseam --version` all take it from here. */
#define SOFTSEAM_VERSION "1.0.0"

typedef struct softseam softseam_t; /* opaque */

/* General-purpose registers in architectural order, as VMX/TDX lay GPRs out (index 0 = RAX … 15 = R15). */
typedef struct softseam_regs {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
} softseam_regs_t;

/* ── Results ──────────────────────────────────────────────────────────────────────────────────────── */

#define SOFTSEAM_OK 0
/* softseam_tdcall: the TDCALL did not complete. The vCPU TD-exited and the host did not resume L1 (a TD
   exit the built-in host does not re-enter, a fatal TD, or a host callback that did not re-enter). regs
   hold the TD-exit registers the host saw (RAX = status and exit reason). After any TD exit the vCPU waits
   for the host (softseam_vcpu_location = SOFTSEAM_WAITS_FOR_HOST; a TDCALL on it is SOFTSEAM_ESTATE) until
   a TDH.VP.ENTER (softseam_seamcall) re-enters it, as on the real module. After a fault-like exit (a TDCALL
   that needs the host to add memory first; L1's registers untouched) the re-entry resumes L1, and calling
   the TDCALL again is what L1 does once the host has fixed things. A TDG.VP.VMCALL is trap-like: the
   re-entry completes it and its outputs go to L1's registers, which a C caller outside the host callback
   cannot read — answer TDG.VP.VMCALLs there. */
#define SOFTSEAM_TD_EXIT 1
/* softseam_mem_read/_write, softseam_rdmsr/_wrmsr/_cpuid: L1's access did not complete, L1 took a #VE
   instead (the module's virtualization exception: a load or store touching a PENDING page while
   TD_CTLS.PENDING_VE_DISABLE is 0, or a CPUID/RDMSR/WRMSR the module turns into a #VE). The vCPU's VE_INFO
   holds it (TDG.VP.VEINFO.GET reads and clears it); nothing else changed: no byte was read or written,
   *value / out[] are 0, *fault = 20. */
#define SOFTSEAM_VE 2
/* As SOFTSEAM_VE, but VE_INFO still held a #VE L1 had not read with TDG.VP.VEINFO.GET: the module delivers a
   #DF instead; nothing changed (VE_INFO keeps the first #VE), *fault = 8. */
#define SOFTSEAM_DF 3
/* softseam_tdcall: the TDCALL did not complete, an interrupt was pending for L1 (L1's RVI priority class,
   bits 7:4, above its PPR class: softseam_set_l1_interrupt_state) and the leaf is interruptible — a 2M
   TDG.MEM.PAGE.ACCEPT stops after a 4K chunk other than the last (the page's SEPT entry keeps the count of
   chunks done), TDG.VP.INVVPID in list mode after a GLA list entry (module src/td_dispatcher/vm_exits/
   tdg_mem_page_accept.c, tdg_vp_invvpid.c). Every such call makes progress (at least one chunk or entry).
   RAX is not written and RIP not advanced: regs are the inputs, except INVVPID's RDX, rewritten with
   FIRST_ENTRY and NUM_ENTRIES of what is left. L1 is running: it takes its interrupt, then calls
   softseam_tdcall again with the same registers (INVVPID: that RDX), which continues where the last one
   stopped. A trace records the call with result "interrupted" (Traces/FORMAT.md). */
#define SOFTSEAM_INTERRUPTED 4
#define SOFTSEAM_EINVAL (-1)   /* NULL handle or pointer, bad argument value */
#define SOFTSEAM_ENOVCPU (-2)  /* a vCPU index the TD does not have */
#define SOFTSEAM_ESTATE (-3)   /* not possible where the machine is (vCPU not in L1, TD not finalized, …) */
#define SOFTSEAM_EBUSY (-4)    /* the machine is in use on another thread, or re-entered from a callback */
#define SOFTSEAM_EMEMORY (-5)  /* a GPA range L1 cannot access (shared, unmapped, pending, blocked) */
#define SOFTSEAM_EL2 (-6)      /* the L2 source failed: no source, no more events, a malformed event */
#define SOFTSEAM_EFILE (-7)    /* a file could not be read or written, or its contents are malformed */
#define SOFTSEAM_ECONFIG (-8)  /* softseam_create: malformed config JSON or an unknown key (the call returns
                                  NULL; the message, naming line and key, is in its buffer and last_error) */
#define SOFTSEAM_ELIMIT (-9)   /* a limit was reached: L2 ran softseam_set_l2_event_limit's count of events in
                                  one TDG.VP.ENTER without exiting to L1 (the message names L2's RIP and the
                                  count), or the call would take a trace being recorded past
                                  softseam_set_trace_limit's count of steps. The call is undone as a whole. */
#define SOFTSEAM_ESTOPPED (-10) /* the TDX module would stop here: a TDG.VP.ENTER whose VM entry fails
                                  VMfailValid (an invalid VM-entry interruption information L1 wrote with
                                  TDG.VP.WR, SDM Vol. 3C §27.2.1.3) makes the module execute UD2. The call
                                  changes nothing; the message says what is invalid. */

/* ── The contract (DESIGN.md) ─────────────────────────────────────────────────────────────────────── */

uint32_t    softseam_abi_version(void);
/* Builds a TD from `config_json` (DESIGN.md: num_l2_vms, vcpus, gpaw, module, memory, l2_sept, vm_ctls,
   finalize, attributes, xfam, config_flags, platform — README "Config"; unknown keys, and TD_PARAMS values
   TDH.MNG.INIT would refuse, are errors). NULL on error, with a message in error[0 … error_len − 1]
   (NUL-terminated, truncated to fit; `error` may be NULL). The built-in host has added the memory and
   (unless "finalize": false) finalized the TD; every vCPU runs L1. */
softseam_t *softseam_create(const char *config_json, char *error, size_t error_len);
/* Frees the machine. A trace still being written is finished first. NULL is ignored; called from one of the
   machine's own callbacks or while another thread uses it, it frees nothing (SOFTSEAM_EBUSY in
   softseam_last_error) — the machine stays valid. */
void        softseam_destroy(softseam_t *m);
/* One L1 TDCALL on `vcpu`: RAX = leaf (and version), inputs in the other registers; on return the
   registers as L1 sees them after the instruction. A TDG.VP.ENTER runs L2 (its VM's L2 source) until L2
   exits to L1 (at most softseam_set_l2_event_limit's count of events: SOFTSEAM_ELIMIT beyond); TD exits on
   the way go to the host (built-in or callback). A TDG.VP.VMCALL goes to the host and returns when the host
   resumes L1. SOFTSEAM_INTERRUPTED: an interruptible TDCALL stopped for an interrupt pending for L1; call
   it again once L1 has taken it. */
int         softseam_tdcall(softseam_t *m, uint32_t vcpu, softseam_regs_t *regs);
/* One host SEAMCALL: RAX = leaf (TDH.VP.ENTER 0, TDH.MEM.SEPT.ADD 3, TDH.MEM.PAGE.AUG 6, …), outputs in
   regs. The model does not run the TD inside a SEAMCALL: a TDH.VP.ENTER puts the vCPU back in L1 or L2 and
   returns RAX = 0; L1 then runs through softseam_tdcall, and L2 inside it. So a TDH.VP.ENTER that resumes L2
   (no RESUME_L1 after an L2 TD exit) is possible only from the host callback of that vCPU, where an L1
   TDCALL waits to run L2 on (SOFTSEAM_ESTATE elsewhere). */
int         softseam_seamcall(softseam_t *m, softseam_regs_t *regs);
/* L1's view of memory: every page of [gpa, gpa + len) must be a private GPA mapped for L1, a PENDING private
   page while TD_CTLS.PENDING_VE_DISABLE is 0 (L1's access takes a #VE there), or a shared GPA the host mapped
   (softseam_host_map_shared). Nothing is read or written otherwise (SOFTSEAM_EMEMORY). softseam_mem_write
   is a store by L1, so it needs a finalized TD and a vCPU running L1 (SOFTSEAM_ESTATE otherwise); it is the
   store of the first such vCPU (lowest index) in a trace. A read that touches a PENDING page is a load by
   that vCPU too (a trace step); any other read changes nothing and is no step (from a callback, or with no
   vCPU running L1, a PENDING page is SOFTSEAM_EMEMORY). An access that touches a PENDING page returns
   SOFTSEAM_VE (or SOFTSEAM_DF) and changes nothing but that vCPU's VE_INFO. */
int         softseam_mem_read(softseam_t *m, uint64_t gpa, void *buf, size_t len);
int         softseam_mem_write(softseam_t *m, uint64_t gpa, const void *buf, size_t len);
/* The host's shared memory: host memory the host maps at shared GPAs (SHARED bit, GPAW − 1, set) in its own
   shared EPT — no SEAMCALL, the module never sees it. L1 reaches a mapped shared page without a TD exit
   (softseam_mem_read/_write, its loads and stores), L2 too when its L2_CTLS.ENABLE_SHARED_EPTP is set; an
   access to an unmapped shared page is an EPT-violation TD exit. map/unmap: gpa and len 4K-aligned, len > 0,
   all shared GPAs within GPAW (SOFTSEAM_EMEMORY otherwise); mapping gives zeroed pages (a page already
   mapped keeps its bytes), unmapping drops the bytes. write/read: the host's own view, every page touched
   must be mapped (SOFTSEAM_EMEMORY, nothing done). map, unmap and write are host steps in a trace and may be
   called from the host callback; read from any callback. The built-in host maps and unmaps these pages for
   an accepted TDG.VP.VMCALL<MapGPA>. */
int         softseam_host_map_shared(softseam_t *m, uint64_t gpa, uint64_t len);
int         softseam_host_unmap_shared(softseam_t *m, uint64_t gpa, uint64_t len);
int         softseam_host_write_shared(softseam_t *m, uint64_t gpa, const void *buf, size_t len);
int         softseam_host_read_shared(const softseam_t *m, uint64_t gpa, void *buf, size_t len);
/* XXH3-64 of the whole model state (format of Traces/FORMAT.md); 0 for a NULL handle. */
uint64_t    softseam_state_hash(const softseam_t *m);

/* L1 on `vcpu` executes RDMSR / WRMSR / CPUID: the module's virtualised answers instead of the native
   instruction (e.g. the IA32_VMX_* capability MSRs that describe what L1 may set for L2, CPUID as configured
   for the TD). Each needs the vCPU running L1 in a finalized TD (SOFTSEAM_ESTATE). One that takes a #VE or
   #DF is an L1 step of the trace being recorded (SOFTSEAM_ELIMIT, nothing done, when the trace is at its
   limit); one that completes or takes a #GP changes nothing and is no step — except a WRMSR of L1's x2APIC TPR
   (0x808) or EOI (0x80B), which the CPU virtualizes into L1's virtual APIC (see softseam_l1_interruptible):
   always a step. RDMSR of 0x808, 0x80A, 0x810–0x817, 0x820–0x827 reads the virtual APIC. 0 = done, *fault = 0 (RDMSR's value in *value, CPUID's registers in out[]) or 13 (#GP(0)
   injected, outputs 0); SOFTSEAM_VE with *fault = 20 when the module turns it into a #VE (VE_INFO filled:
   exit reason 31 RDMSR, 32 WRMSR, 10 CPUID, instruction length 2); SOFTSEAM_DF with *fault = 8 when VE_INFO
   still held an unread #VE. */
int         softseam_rdmsr(softseam_t *m, uint32_t vcpu, uint32_t msr, uint64_t *value, uint32_t *fault);
int         softseam_wrmsr(softseam_t *m, uint32_t vcpu, uint32_t msr, uint64_t value, uint32_t *fault);
int         softseam_cpuid(softseam_t *m, uint32_t vcpu, uint32_t leaf, uint32_t subleaf,
                           uint32_t out[4] /* eax, ebx, ecx, edx */, uint32_t *fault);

/* Linux-compatible entry points, so code written against the kernel's TDCALL helpers links unchanged. The
   field order is the kernel's (arch/x86/include/asm/shared/tdx.h). */
struct tdx_module_args { uint64_t rcx, rdx, r8, r9, r10, r11, r12, r13, r14, r15, rbx, rdi, rsi; };
/* Makes (m, vcpu) the target of __tdcall* on the calling thread (thread-local; m = NULL unbinds). */
void     softseam_bind_current(softseam_t *m, uint32_t vcpu);
/* As in the kernel: RAX = fn; RCX, RDX, R8–R11 from args (the _saved_ form also R12–R15, RBX, RDI, RSI,
   the others are 0). __tdcall returns RAX only; __tdcall_ret also writes RCX, RDX, R8–R11 back to args;
   __tdcall_saved_ret writes back all thirteen. With no machine bound, or on misuse, they return
   0xFFFFFFFFFFFFFFFF (not a TDX status) and softseam_last_error(NULL) says why — as they do when the TDCALL
   TD-exited and the host did not resume L1 (SOFTSEAM_TD_EXIT): then nothing is written back. An interrupted
   TDCALL (SOFTSEAM_INTERRUPTED) is executed again until it completes, as the CPU does after the kernel took
   the interrupt: the helpers never see it. */
uint64_t __tdcall(uint64_t fn, struct tdx_module_args *args);
uint64_t __tdcall_ret(uint64_t fn, struct tdx_module_args *args);
uint64_t __tdcall_saved_ret(uint64_t fn, struct tdx_module_args *args);

/* ── Errors ───────────────────────────────────────────────────────────────────────────────────────── */

/* The message of the last negative result on the calling thread, whichever machine it concerned (errno-like:
   a thread never sees another thread's message; `m` may be NULL). "" when there was none. A success does not
   clear it. The pointer stays valid, its text unchanged, through the next 15 negative results on the thread
   (each thread keeps its last 16 messages), and no longer than the thread lives. So in
   printf("%d %s", f(m), softseam_last_error(m)) the pointer is valid whichever argument C evaluates first —
   but it is f's message only if f ran first: call f, then softseam_last_error. */
const char *softseam_last_error(const softseam_t *m);
/* Copies the calling thread's last error message into buf[0 … len − 1], NUL-terminated and truncated to fit
   (nothing is written when buf is NULL or len is 0). Returns the message's full length in bytes, without the
   NUL: a result ≥ len means it was truncated. */
size_t softseam_last_error_copy(char *buf, size_t len);

/* ── Machine facts for host and L1 code ───────────────────────────────────────────────────────────── */

uint32_t softseam_vcpu_count(const softseam_t *m);
uint32_t softseam_num_l2_vms(const softseam_t *m);
/* The TDVPR physical address the host names `vcpu` with in TDH.VP.ENTER's RCX; 0 for a bad vCPU. */
uint64_t softseam_tdvpr(const softseam_t *m, uint32_t vcpu);
/* Where the vCPU is: 0 = running L1, 1…3 = running that L2 VM, SOFTSEAM_WAITS_FOR_HOST = a TD exit is
   pending and the host has not re-entered it; negative SOFTSEAM_E… on misuse. */
#define SOFTSEAM_WAITS_FOR_HOST 4
int      softseam_vcpu_location(const softseam_t *m, uint32_t vcpu);
/* The TD's virtual TSC (what RDTSC returns in the TD), the "now" an L1 programs an L2's TSC_DEADLINE
   (TDX_MD_VP_TSC_DEADLINE(vm), TDG.VP.WR) against; 0 for a NULL handle. It starts at 0 and moves only when
   an L2 event {"time":"0x…"} says that many ticks pass while L2 runs (never with the wall clock); an armed
   deadline reached inside such a span ends it there with VM exit 52 to L1. */
uint64_t softseam_tsc(const softseam_t *m);

/* ── L2 behaviour ─────────────────────────────────────────────────────────────────────────────────── */

/* One event delivered to a guest (an interrupt, NMI or exception that reached its IDT handler).
   `type` is the VMX interruption type (SDM Vol. 3C §25.8.3): 0 external interrupt, 2 NMI, 3 hardware
   exception, 4 software interrupt, 5 privileged software exception, 6 software exception, 7 other event.
   `via` says how it got there (SOFTSEAM_VIA_…, the codes of the binary trace form, Traces/FORMAT.md).
   `count` is how many times that same event has now been delivered: 2 or more is an event delivered again
   (e.g. re-injected from IDT-vectoring information and injected by L1 as well). */
typedef struct softseam_delivery {
    uint32_t vm;             /* 0 = L1, 1…3 = that L2 VM */
    uint8_t vector, type, via;
    uint8_t has_error_code;  /* 1 when an error code was pushed */
    uint32_t error_code;
    uint32_t count;
} softseam_delivery_t;
#define SOFTSEAM_VIA_VIRTUAL_INTERRUPT 0 /* the CPU's virtual-interrupt delivery (RVI) */
#define SOFTSEAM_VIA_ENTRY_INJECTION 1   /* VM-entry interruption information L1 wrote (TDG.VP.WR 0x4016) */
#define SOFTSEAM_VIA_REINJECTION 2       /* the module re-injected IDT-vectoring information */
#define SOFTSEAM_VIA_PENDING_NMI 3       /* the host's PEND_NMI, into L1 */
#define SOFTSEAM_VIA_UNKNOWN 0xFF        /* another vCPU delivered an event since (see softseam_l2_state) */
#ifndef __cplusplus
_Static_assert(sizeof(softseam_delivery_t) == 16, "softseam_delivery_t is 16 bytes");
#endif

/* L2's state as the CPU holds it when L2 is about to run, given to an L2 callback. `delivering` is 1 when
   the CPU is delivering an event to this L2 now — the step that just ran (the TDG.VP.ENTER, the host's
   re-entry, or L2's last event) delivered it, and the events the callback returns run in its handler: the
   first one completes the delivery — with the event in `delivery`; else 0 and `delivery` is zeros. The model
   does not walk L2's IDT: the callback's first event is the handler's (a {"jump":…} to it). `delivering` and
   `delivery` are appended at the end of the structure, which the library fills and programs only read, so
   programs built before them run unchanged. */
typedef struct softseam_l2_state {
    uint32_t vcpu, vm;
    softseam_regs_t gprs;  /* L2's GPRs; rsp is the VMCS guest RSP */
    uint64_t rip, rflags;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t cs_selector, cs_base, cs_limit, cs_access_rights;
    uint32_t delivering, reserved;
    softseam_delivery_t delivery;
} softseam_l2_state_t;

/* Asked for L2's next events whenever L2 of that VM is to run and none are left: write one event or a JSON
   array of events, in the scenario syntax of Traces/FORMAT.md ("cpuid", {"io":{"port":"0x3f8","size":1,
   "dir":"out"}}, {"write":{"gpa":"0x1000","size":8,"value":"0x2a"}}, {"time":"0x100"} for 0x100 TSC ticks
   passing, …), NUL-terminated, into events[0 … events_len − 1], and return 0. Return 1 when L2 has nothing
   more to do (the TDCALL that ran it fails with SOFTSEAM_EL2), or a negative value to fail it. Events left over when L2 exits to L1 or to
   the host are dropped: L1 or the host may have changed L2's state, so the callback is asked again. During
   the callback, softseam_mem_read, softseam_state_hash and the machine-fact functions work on the machine;
   every other call returns SOFTSEAM_EBUSY. If the callback fails the TDCALL (1, negative, a malformed
   event), the whole TDG.VP.ENTER is undone — with what a host callback did to the machine during it — and
   the vCPU is back in L1 as before the call. */
typedef int (*softseam_l2_fn)(void *ctx, const softseam_l2_state_t *state, char *events, size_t events_len);

/* VM `vm` (1 … num_l2_vms) takes its events from `fn` (NULL: no source). */
int softseam_set_l2_callback(softseam_t *m, uint32_t vm, softseam_l2_fn fn, void *ctx);
/* The most L2 events one softseam_tdcall runs without L2 exiting to L1 — whatever their source, counted
   across TD exits the host resumed L2 from. L2 asking for one more fails the TDCALL with SOFTSEAM_ELIMIT,
   naming L2's RIP and the count, and the whole TDG.VP.ENTER is undone (as for a failing L2 source). `limit`
   is 1 … INT64_MAX (SOFTSEAM_EINVAL otherwise); the default is 100000. A real L2 does not run that long
   without exiting to L1: an L1 that keeps its scheduler tick gets the CPU back every 1–10 ms (HZ 1000–100),
   and at about a microsecond per VM exit that is at most some 10,000 exits the module sees; ten times that
   still ends a runaway source (a callback that never exits) within about a second. */
int softseam_set_l2_event_limit(softseam_t *m, uint64_t limit);
/* VM `vm` takes its events, in order and across entries, from a scenario or trace file (JSON Lines or
   binary, Traces/FORMAT.md): the "l2" steps for that VM, or in an l1-observed trace the l2_events of its
   TDG.VP.ENTERs of that VM. The file is read now; SOFTSEAM_EFILE names its line and field, or says the file
   has no events for the VM. */
int softseam_set_l2_events_file(softseam_t *m, uint32_t vm, const char *path);
/* VM `vm` runs one of SoftSEAM's built-in L2 programs: "l2-boot" is the guest `softseam demo` boots (a
   boot ROM at 0xFFFFFFF0 → real mode → protected mode → long mode → it arms IA32_TSC_DEADLINE (a WRMSR of
   0x6E0), STIs and waits 0x20000 TSC ticks (an L2 time event); when vector 0xEC is delivered to it, its handler
   at 0x100180 EOIs (WRMSR 0x80B) and IRETQs → HLT), which runs from the image L1 loads
   (softseam_builtin_image) at the RIP in L2's VMCS. */
int softseam_set_l2_program(softseam_t *m, uint32_t vm, const char *name);
/* The bytes a built-in L2 program expects L1 to load: run `index` (0, 1, … until the call returns 0) as
   *gpa and its length; its bytes are copied to buf when buf is not NULL (a buf_len below the run's length
   is SOFTSEAM_EINVAL). Returns the run's length, 0 past the last run, negative on misuse. */
int64_t softseam_builtin_image(const char *name, uint32_t index, uint64_t *gpa, void *buf, size_t buf_len);

/* ── The host ─────────────────────────────────────────────────────────────────────────────────────── */

/* A TD exit as the host sees it: the registers TDH.VP.ENTER returned (RAX = status | exit reason,
   RCX = exit qualification with the VM index in bits 33:32, RDX = extended exit qualification, R8 = GPA,
   a TDG.VP.VMCALL's selected GPRs). */
typedef struct softseam_td_exit {
    uint32_t vcpu;
    uint32_t vm;           /* 0: L1's own exit (a TDG.VP.VMCALL or a fault-like exit of a TDCALL) */
    uint32_t exit_reason;  /* RAX bits 31:0 */
    uint32_t reserved;
    softseam_regs_t regs;
} softseam_td_exit_t;

/* Called for each TD exit instead of the built-in host, fault-like exits of L1's TDCALLs included (the
   built-in host leaves those alone: the TDCALL returns SOFTSEAM_TD_EXIT and the vCPU waits for the host).
   After a fault-like exit, a TDH.VP.ENTER that re-enters the vCPU makes softseam_tdcall run the TDCALL
   again, as L1 re-executes it on hardware — at most 1,000 times in one call; the exit of the last run is
   not passed to the callback: SOFTSEAM_TD_EXIT, and the vCPU waits for the host. The callback re-enters the vCPU with
   softseam_seamcall (TDH.VP.ENTER, RCX = softseam_tdvpr(m, vcpu), bit 53 RESUME_L1 to hand an L2 exit to L1) or
   softseam_resume_l1; softseam_post_interrupt, softseam_host_irte_push, softseam_irte_ring,
   softseam_pend_nmi, softseam_set_l1_interrupt_state, softseam_mem_read,
   softseam_state_hash and the fact functions work too (other calls: SOFTSEAM_EBUSY — the host cannot write
   the TD's private memory). If it returns without re-entering, the TDCALL that caused the exit returns
   SOFTSEAM_TD_EXIT and the vCPU waits for the host. */
typedef void (*softseam_host_fn)(void *ctx, softseam_t *m, const softseam_td_exit_t *exit);

/* fn = NULL restores the built-in deterministic host (GHCI CPUID, HLT, I/O, RDMSR/WRMSR, MapGPA,
   ReportFatalError answered with fixed values; other L2 TD exits handed to L1 with RESUME_L1). */
int softseam_set_host_callback(softseam_t *m, softseam_host_fn fn, void *ctx);
/* TDH.VP.ENTER of `vcpu` with RESUME_L1: L1 sees the pending L2 TD exit as TDX_L2_EXIT_HOST_ROUTED_*.
   The TDH.VP.ENTER status is returned in *status (may be NULL). */
int softseam_resume_l1(softseam_t *m, uint32_t vcpu, uint64_t *status);
/* The host posts interrupt `vector` to L1 of `vcpu`: it sets the vector's PIR bit and ON in the vCPU's
   posted-interrupt descriptor and sends the notification (L1's notification vector). The host must have
   enabled posted interrupts first with TDH.VP.WR (softseam_seamcall, leaf 43): the notification vector
   (field 0x0024000100000002), the PID address (0x0024000300002016), then pin-based bit 7
   (0x0024000200004000) — SOFTSEAM_ESTATE otherwise. While the vCPU runs L1 the CPU processes the
   descriptor at once (SDM Vol. 3C §30.6): the PIR is merged into L1's virtual IRR and RVI rises to the
   vector if it is higher — every vector, 0–30 included. While the vCPU waits for the host (from a host
   callback), the notification is taken when the host next enters the vCPU: into L1 as above; into L2 by the
   module (tdx-module src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c), which merges the whole PIR into the
   IRR but raises RVI only for a vector ≥ 31, and then ends L1's TDG.VP.ENTER with
   TDX_L2_EXIT_PENDING_INTERRUPT when RVI's priority class is above L1's PPR's, else resumes L2. While RVI's
   class is above PPR's, TDG.VP.ENTER answers TDX_PENDING_INTERRUPT. A host step of a recorded trace
   ("post_interrupt"). */
int softseam_post_interrupt(softseam_t *m, uint32_t vcpu, uint8_t vector);
/* The TD-partitioning SVSM's shared-IRTE ring (its kernel/src/tdx/sirte.rs; L1 registers it with TDVMCALL
   0x20001: R12 the page's GPA, SHARED bit clear; R13 the L2 VM's index; R14 pages). The host pushes an
   interrupt of an L2 VM's device into the ring at `ring_gpa` (as L1 registered it; the host reaches the page
   through its shared alias) and signals L1 of `vcpu`: irq_type SOFTSEAM_IRQ_MSI with a = vector, b = dest_id,
   c = mode (bytes), or SOFTSEAM_IRQ_IOAPIC with a = pin, b = level, c = source_id. The page: u8 notification
   vector at 0; u32 num_elem at 16, elem_size 20, head 24 (L1 reads there), tail 28 (the host writes there),
   size 32; 16-byte entries from 48. The entry goes at tail, tail advances (mod num_elem), and the ring's
   vector is posted to L1 as softseam_post_interrupt does (posted interrupts must be enabled: SOFTSEAM_ESTATE
   otherwise). A ring L1 set up wrongly is refused — nothing written, nothing posted — and *refused (may be
   NULL) says why: 0 pushed, else a SOFTSEAM_IRTE_* code (checked in this order). The call still returns
   SOFTSEAM_OK: the refusal is the ring's outcome, a host step of a recorded trace ("irte_push", result
   "refused"). Callable from a host callback. */
#define SOFTSEAM_IRQ_IOAPIC 1
#define SOFTSEAM_IRQ_MSI 2
#define SOFTSEAM_IRTE_BAD_GPA 1    /* ring_gpa not 4K-aligned, SHARED bit set, or past the GPAW */
#define SOFTSEAM_IRTE_NOT_SHARED 2 /* its shared alias is not mapped (L1 never converted the page) */
#define SOFTSEAM_IRTE_BAD_HEADER 3 /* elem_size ≠ 16, num_elem not 1…253, or size ≠ num_elem × 16 */
#define SOFTSEAM_IRTE_BAD_INDEX 4  /* head or tail ≥ num_elem */
#define SOFTSEAM_IRTE_BAD_VECTOR 5 /* the notification vector (byte 0) below 32 */
#define SOFTSEAM_IRTE_FULL 6       /* (tail + 1) mod num_elem == head */
int softseam_host_irte_push(softseam_t *m, uint32_t vcpu, uint64_t ring_gpa, uint32_t irq_type, uint32_t a,
                            uint32_t b, uint32_t c, int32_t *refused);
/* The ring GPA L1 registered for L2 VM `vm` (1…) with TDVMCALL 0x20001 through the built-in host, in *gpa:
   SOFTSEAM_ESTATE when it registered none (a host callback that answers 0x20001 keeps its own). */
int softseam_irte_ring(softseam_t *m, uint32_t vm, uint64_t *gpa);
/* The host's TDH.VP.WR of the vCPU's TDVPS PEND_NMI field (0x202000000000000B) with 1; its status in *status
   (may be NULL). The module injects the NMI into L1 at the next L1 entry it makes — the host's TDH.VP.ENTER
   into L1 (RESUME_L1 included), the end of an L1 TDCALL it completes or of an L1 CPUID / RDMSR / WRMSR it
   answers (then a recorded step even when it completes) — not when L2 exits to L1, and not
   while L1 has an unread #VE (tdx-module src/td_transitions/tdh_vp_enter.c,
   src/td_dispatcher/vm_exits/td_other_exits.c). */
int softseam_pend_nmi(softseam_t *m, uint32_t vcpu, uint64_t *status);
/* L1 of `vcpu` is interruptible now (it executed STI, or IRET to IF = 1): when RVI's priority class is above
   its virtual PPR's the CPU delivers vector RVI (SDM Vol. 3C §30.2.2: VISR, SVI and PPR rise, the vector leaves
   VIRR, RVI becomes the next one). *vector (may be NULL) = the vector delivered, -1 when none. L1 ends the
   handler with softseam_wrmsr(m, vcpu, 0x80B, 0, …) (EOI virtualization) and sets its TPR with MSR 0x808;
   softseam_rdmsr of 0x808, 0x80A (PPR), 0x810–0x817 (ISR) and 0x820–0x827 (IRR) reads the virtual APIC. Each
   of these that changes the virtual APIC is a step of a recorded trace ("sti", "wrmsr"). */
int softseam_l1_interruptible(softseam_t *m, uint32_t vcpu, int32_t *vector);
/* Sets L1's RVI and PPR directly, as software writing L1's guest interrupt status and virtual-APIC page
   would (the IRR, ISR, TPR and SVI stay; the next TPR write, EOI or delivery recomputes PPR). While RVI's class
   is above PPR's an interrupt is pending for L1: TDG.VP.ENTER answers TDX_PENDING_INTERRUPT and interruptible
   TDCALLs return SOFTSEAM_INTERRUPTED. A host step of the trace being recorded ("l1_interrupt_state"). */
int softseam_set_l1_interrupt_state(softseam_t *m, uint32_t vcpu, uint8_t rvi, uint8_t ppr);

/* ── Traces ───────────────────────────────────────────────────────────────────────────────────────── */

#define SOFTSEAM_TRACE_JSON 0    /* JSON Lines (Traces/FORMAT.md) */
#define SOFTSEAM_TRACE_BINARY 1  /* the compact binary form */

/* Starts recording every step the machine takes — L1 TDCALLs and stores (softseam_mem_write, as stores of
   the lowest-numbered vCPU running L1), L1 loads, CPUIDs, RDMSRs and WRMSRs that took a #VE or #DF
   (softseam_mem_read, softseam_cpuid, softseam_rdmsr, softseam_wrmsr), L2 events, host SEAMCALLs — with outputs and state hashes, as a full trace that
   `softseam replay` checks. A trace starts from the TD the config builds, so this must come before the
   first call that changes the machine (SOFTSEAM_ESTATE otherwise). `comment` may be NULL.
   The format follows the name as in `softseam record` (Traces/FORMAT.md, "File names"): a path ending in
   ".bin" is binary, one ending in ".jsonl" or ".json" JSON Lines; `format` contradicting the name is
   SOFTSEAM_EINVAL (the message names both); any other name is written in `format`. Refused at once with
   SOFTSEAM_EFILE, rather than lost at the stop: a path that is a directory (or a link to one), and a file
   to be created or replaced in a directory that is not writable. */
int softseam_trace_start(softseam_t *m, const char *path, int format, const char *comment);
/* Writes the trace and stops recording: a new path or a regular file (or a symbolic link to one, which
   stays a link) is replaced atomically — a temporary file in the same directory, renamed over it: nothing
   half-written; a device, a FIFO or /dev/stdout is written straight through. Returns the number of steps
   written, or a negative error — then the trace stays open and can be stopped again. */
int64_t softseam_trace_stop(softseam_t *m);
/* The most steps a trace recorded in memory holds, for this and later traces of `m` (1 … INT64_MAX,
   SOFTSEAM_EINVAL otherwise). The default is 500000: a recorded step holds about 500 bytes (490 for an L1
   TDCALL, 570 for an L2 event), so a full trace holds about 0.25 GB, and the process peaks at about 0.43 GB
   while softseam_trace_stop writes it as JSON Lines (0.32 GB binary). A call that would record a step past
   it — softseam_tdcall, softseam_seamcall, softseam_resume_l1, softseam_mem_write, and a softseam_mem_read,
   _cpuid, _rdmsr or _wrmsr that would take a #VE or #DF — fails with
   SOFTSEAM_ELIMIT and is undone as a whole; the trace keeps every step before it and can still be stopped
   (and replays). */
int softseam_set_trace_limit(softseam_t *m, uint64_t steps);

#ifdef __cplusplus
}
#endif

#endif /* SOFTSEAM_H */
