import CSoftSEAM
import SoftSEAMC

/// What the C-ABI fuzz target found wrong: the call, what it returned, and which promise of softseam.h it broke.
public struct CABIViolation: CustomStringConvertible, Equatable {
    public let description: String
}

/// One fuzz input run through the C ABI from a fresh machine (`CABIHarness`): nil when every call kept
/// softseam.h's promises, else the first one that did not. The libFuzzer target `fuzz-cabi` aborts on it.
public func fuzzCABI(_ data: UnsafeRawBufferPointer) -> CABIViolation? {
    CABIHarness(FuzzBytes(Array(data))).run()
}

/// Drives one `softseam_t` through its C functions with calls decoded from fuzz bytes, and checks each call:
///
/// - its result is one softseam.h documents (SOFTSEAM_OK … SOFTSEAM_INTERRUPTED, SOFTSEAM_EINVAL …
///   SOFTSEAM_ESTOPPED) and the machine still answers `softseam_state_hash` (0 means it cannot);
/// - a negative result changed nothing: the state hash after equals the hash before (softseam.h, "Results";
///   a TDG.VP.ENTER whose L2 source fails part-way or reaches the event limit is undone as a whole);
/// - a TDCALL or SEAMCALL that completed with an error status (RAX bit 63, TDX_STATUS_IS_ERROR) changed
///   nothing either, as the module's leaves check every operand before they write (DESIGN.md, "Reliability").
///   Two cases are not held to it because the reference says they change the TD: the host (callback) ran during
///   the call — a TD exit it re-entered, with whatever SEAMCALLs it made, so the re-executed TDCALL's error
///   says nothing about the whole — and a PEND_NMI armed for that vCPU, which the module injects into L1 at
///   the end of any TDCALL it completes, failed or not (tdx-module src/td_transitions/tdh_vp_enter.c,
///   src/td_dispatcher/vm_exits/td_other_exits.c; softseam.h, softseam_pend_nmi). A third: TDG.VP.INVVPID's
///   TDX_GLA_NOT_CANONICAL comes after the pages before the bad address were flushed (`partialFlush`).
///
/// A crash inside the library is a finding too: libFuzzer sees it directly.
///
/// Input layout: one byte picks the config (bits 6:0, modulo `configs.count`) and the host (bit 7 set: the
/// library's built-in host; clear: this harness answers TD exits from the input); then up to `maxOps`
/// operations, each an op byte (`Op`) and its operands. The L2 callback and the host callback read their
/// answers from the same bytes when the library asks, so one input is one deterministic run.
public final class CABIHarness {
    var input: FuzzBytes
    var machine: OpaquePointer?
    var vcpus: UInt32 = 1
    var builtInHost = false
    /// TD exits the harness's host callback saw during the current top-level call.
    var exitsInCall = 0
    /// A successful softseam_pend_nmi or TDH.VP.WR happened: before each TDCALL the harness asks TDH.VP.RD
    /// whether PEND_NMI is set for its vCPU.
    var nmiMayBePending = false
    /// The first violation, also one found inside a callback (reported when the call returns).
    var violation: CABIViolation?
    /// With `recording`, every call the harness made, for tests.
    public var recording = false
    public private(set) var calls: [Call] = []
    /// How often the L2 callback answered with events, and how many TD exits the host callback saw in all.
    public private(set) var l2Answers = 0
    public private(set) var tdExits = 0

    /// The most operations one input runs, and the most L2 events one TDG.VP.ENTER runs before L2 must exit
    /// to L1 (softseam_set_l2_event_limit): a short input stays a short run.
    static let maxOps = 64
    static let l2EventLimit: UInt64 = 256
    /// TDG.VP.VMCALL<MapGPA> (R11 = 0x10001, R13 = size): the library's built-in host maps a whole range at
    /// once — softseam_create sets no page limit for it — so a range of 2^47 bytes takes minutes and gigabytes
    /// (found by this fuzzer: an out-of-memory run in 2,000 executions). The harness keeps the size it passes to
    /// the built-in host to 64 pages, so fuzzing does not stall there; the unbounded case is left to the library.
    static let mapGPA: UInt64 = 0x10001
    static let maxMapGPASize: UInt64 = 64 << 12

    /// The host callback re-enters at most this many TD exits in one top-level call, then leaves the vCPU
    /// waiting (softseam.h allows 1,000 re-executions of a fault-like exit; a fuzzer wants short runs).
    static let maxExitsPerCall = 8

    public init(_ input: FuzzBytes) { self.input = input }

    /// One C call the harness made and what came back.
    public struct Call: Equatable {
        public var function: String
        public var vcpu: UInt32
        public var input: softseam_regs_t
        public var output: softseam_regs_t
        public var result: Int32
        public var hashBefore: UInt64
        public var hashAfter: UInt64
        /// TD exits the harness's host saw during the call.
        public var exits: Int

        public static func == (a: Call, b: Call) -> Bool {
            a.function == b.function && a.vcpu == b.vcpu && regsEqual(a.input, b.input)
                && regsEqual(a.output, b.output) && a.result == b.result && a.hashBefore == b.hashBefore
                && a.hashAfter == b.hashAfter && a.exits == b.exits
        }
    }

    /// The configs an input picks from (README "Config"): every page state an alias can meet (mapped,
    /// pending 4K, a pending 2M page, unmapped GPAs between them), three L2 VMs on two vCPUs; L2 SEPT pages
    /// on demand with EPT-violation TD exits for VMs 1 and 3 and PENDING_VE_DISABLE; and a TD before
    /// TDH.MR.FINALIZE, where the host's build leaves are still open.
    public static let configs: [(json: String, vms: UInt32)] = [
        (
            #"{"num_l2_vms":3,"vcpus":2,"gpaw":48,"module":"1.5.01","memory":["#
                + #"{"gpa":"0x100000","size":"0x10000","state":"mapped"},"#
                + #"{"gpa":"0x200000","size":"0x4000","state":"pending"},"#
                + #"{"gpa":"0x400000","size":"0x200000","state":"pending","page_size":"2M"}],"#
                + #""l2_sept":"supplied"}"#, 3
        ),
        (
            #"{"num_l2_vms":3,"vcpus":1,"gpaw":48,"module":"1.5.01","memory":["#
                + #"{"gpa":"0x100000","size":"0x10000","state":"mapped"},"#
                + #"{"gpa":"0x200000","size":"0x4000","state":"pending"}],"#
                + #""l2_sept":"on-demand","vm_ctls":[1,0,1],"attributes":["SEPT_VE_DISABLE"]}"#, 3
        ),
        (
            #"{"num_l2_vms":1,"vcpus":1,"gpaw":52,"module":"1.5.01","finalize":false,"memory":["#
                + #"{"gpa":"0x100000","size":"0x8000","state":"mapped"}]}"#, 1
        ),
    ]

    /// What an op byte asks for, by its value modulo 16 (the raw values are the ones the builder writes).
    public enum Op: UInt8 {
        case tdcall = 0  // 0…8
        case seamcall = 9  // 9…12
        case store = 13
        case pendNMI = 14
        case interruptState = 15

        init(_ b: UInt8) {
            switch b % 16 {
            case 0..<9: self = .tdcall
            case 9..<13: self = .seamcall
            case 13: self = .store
            case 14: self = .pendNMI
            default: self = .interruptState
            }
        }
    }

    /// How the harness's host answers a TD exit (by the byte's value modulo 4).
    public enum HostAnswer: UInt8 {
        /// TDH.VP.ENTER with RESUME_L1 (softseam_resume_l1): an L2 exit goes to L1 as host-routed.
        case resumeL1 = 0
        /// TDH.VP.ENTER without RESUME_L1, with decoded R10 and R11 (a TDG.VP.VMCALL's answer).
        case enter = 1
        /// One decoded SEAMCALL (AUG, SEPT.ADD, BLOCK, …), then the re-entry: TDH.VP.ENTER with RESUME_L1 after
        /// an L2 exit, without it after L1's own (which resumes L1 to run its TDCALL again).
        case seamcallThenReenter = 2
        /// No re-entry: the TDCALL returns SOFTSEAM_TD_EXIT and the vCPU waits for the host.
        case leave = 3
    }

    /// A leaf byte of this value is followed by RAX in 8 raw bytes; one from 0xF0 up by a 16-bit leaf number.
    static let rawLeaf: UInt8 = 0xFF
    /// An operand kind byte of this value is followed by the operand in 8 raw bytes.
    static let rawValueKind: UInt8 = 0xFF
    /// An L2 answer byte of this value: L2 has nothing more to do.
    static let l2StopByte: UInt8 = 0xFF

    /// The operand registers in the order the input gives them (the rest stay 0): the TDCALL and SEAMCALL
    /// inputs first, then what TDG.VP.VMCALL passes.
    /// As indexes into softseam_regs_t (architectural order: RAX 0, RCX 1, RDX 2, RBX 3, RSP 4, RBP 5, RSI 6,
    /// RDI 7, R8…R15 8…15).
    public static let operandOrder = [1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 3, 6, 7, 5]
    static let registerNames = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    ]

    /// The TDCALL and SEAMCALL leaves of softseam_defs.h (the library's leaf registry), which the decoder
    /// picks far more often than any other number.
    static let tdcallLeaves: [UInt64] = [
        TDG_VP_VMCALL, TDG_VP_INFO, TDG_MR_RTMR_EXTEND, TDG_VP_VEINFO_GET, TDG_MR_REPORT, TDG_VP_CPUIDVE_SET,
        TDG_MEM_PAGE_ACCEPT, TDG_VM_RD, TDG_VM_WR, TDG_VP_RD, TDG_VP_WR, TDG_SYS_RD, TDG_SYS_RDALL, TDG_SERVTD_RD,
        TDG_SERVTD_WR, TDG_MR_VERIFYREPORT, TDG_MEM_PAGE_ATTR_RD, TDG_MEM_PAGE_ATTR_WR, TDG_VP_ENTER,
        TDG_VP_INVEPT, TDG_VP_INVVPID,
        // The alias leaves again: the permission logic is what the fuzzer is for.
        TDG_MEM_PAGE_ATTR_WR, TDG_MEM_PAGE_ATTR_WR, TDG_MEM_PAGE_ACCEPT, TDG_VP_ENTER, TDG_VP_INVEPT,
    ].map { UInt64($0) }
    static let seamcallLeaves: [UInt64] = [
        TDH_VP_ENTER, TDH_MEM_PAGE_ADD, TDH_MEM_SEPT_ADD, TDH_MEM_PAGE_AUG, TDH_MEM_RANGE_BLOCK, TDH_MNG_RD,
        TDH_MNG_WR, TDH_MR_FINALIZE, TDH_VP_RD, TDH_MEM_PAGE_REMOVE, TDH_SYS_RD, TDH_MEM_TRACK,
        TDH_MEM_RANGE_UNBLOCK, TDH_VP_WR,
    ].map { UInt64($0) }

    /// GPAs of every kind the configs have: mapped pages (the first, one in the middle, the last), pending 4K
    /// pages, the pending 2M page and a 4K page inside it, unmapped GPAs below, between and above, GPA 0, the
    /// same private GPA with the SHARED bit of GPAW 48 and of GPAW 52, and GPAs past each GPAW.
    static let gpas: [UInt64] = [
        0x10_0000, 0x10_1000, 0x10_7000, 0x10_F000, 0x20_0000, 0x20_3000, 0x40_0000, 0x40_1000, 0x0F_F000,
        0x11_0000, 0x60_0000, 0, 0x8000_0010_0000, 0x8_0000_0010_0000, 0x1_0000_0000_0000, 0x10_0000_0000_0000,
    ]

    /// Boundary values: 0, 1, page and 2M edges, sign and top bits, all ones, and the largest GPAs.
    static let boundaries: [UInt64] = [
        1, 2, 3, 0xFFF, 0x1000, 0x1FF_FFF, 0x20_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0, ~0xFFF,
    ]

    /// Metadata field ids of softseam_defs.h (whose UINT64_C macros Swift does not import): TD fields
    /// (NUM_VCPUS, NUM_L2_VMS, ATTRIBUTES, TD_CTLS, RTMR), VP fields (VCPU_INDEX, CPUID_SUPERVISOR_VE,
    /// CURR_VM, L2_CTLS(1), TSC_DEADLINE(1)), L2 VMCS fields (TDX_MD_L2_VMCS: VIRTUAL_APIC_ADDRESS of VMs 1
    /// and 2, GUEST_CR0, CR4 and RIP of VM 1, GUEST_CR0 of VM 3), the TD VMCS posted-interrupt fields TDH.VP.WR
    /// writes (softseam.h, softseam_post_interrupt) and the host's PEND_NMI.
    static let fields: [UInt64] = [
        0x9010_0002_0000_0001, 0x9010_0001_0000_0005, 0x1110_0003_0000_0000, 0x1110_0003_0000_0017,
        0x1310_0003_0000_0040, 0xA020_0002_0000_0002, 0xA020_0000_0000_0007, 0xA020_0001_0000_0041,
        0xA020_0003_0000_0051, 0xA020_0003_0000_0059,
        l2VMCS(1, 0x3_0000_2012), l2VMCS(2, 0x3_0000_2012), l2VMCS(1, 0x3_0000_6800), l2VMCS(1, 0x3_0000_6804),
        l2VMCS(1, 0x3_0000_681E), l2VMCS(3, 0x3_0000_6800),
        0x0024_0001_0000_0002, 0x0024_0003_0000_2016, 0x0024_0002_0000_4000, pendNMIField,
    ]

    /// TDH.VP.RD/WR's field id of the TDVPS PEND_NMI (softseam.h, softseam_pend_nmi).
    static let pendNMIField: UInt64 = 0x2020_0000_0000_000B

    /// TDX_MD_L2_VMCS(vm, field) of softseam_defs.h (a function-like macro Swift does not import).
    static func l2VMCS(_ vm: UInt64, _ field: UInt64) -> UInt64 { (36 + 8 * (vm - 1)) << 56 | 2 << 52 | field }

    /// The TDVPR the host names a vCPU with (softseam.h: softseam_tdvpr; Traces/FORMAT.md).
    static func tdvpr(_ vcpu: UInt64) -> UInt64 { 0x20_0000_0000 + vcpu << 12 }

    /// The C results softseam.h documents.
    static func isDocumented(_ rc: Int32) -> Bool {
        (SOFTSEAM_OK...SOFTSEAM_INTERRUPTED).contains(rc) || (SOFTSEAM_ESTOPPED...SOFTSEAM_EINVAL).contains(rc)
    }

    /// The oracle for one call, apart from the machine: nil when the call kept the promises, else what it
    /// broke. `status` is RAX after a TDCALL or SEAMCALL the library carried out (nil for other functions);
    /// `mayChange` exempts an error status whose call the host ran in or a pending NMI finished (see above).
    public static func verdict(
        _ call: String, result: Int32, status: UInt64?, hashBefore: UInt64, hashAfter: UInt64, mayChange: Bool
    ) -> CABIViolation? {
        func broke(_ what: String) -> CABIViolation {
            CABIViolation(
                description:
                    "\(call) returned \(result)\(result >= 0 ? status.map { ", RAX " + hex($0) } ?? "" : ""): \(what) (state hash "
                    + "\(hex(hashBefore)) → \(hex(hashAfter)))")
        }
        guard isDocumented(result) else { return broke("a result softseam.h does not document") }
        guard hashAfter != 0 else { return broke("softseam_state_hash answered 0, the machine is unusable") }
        if result < 0, hashAfter != hashBefore { return broke("a negative result changed the machine") }
        if result == SOFTSEAM_OK, let status, status >> 63 == 1, !mayChange, hashAfter != hashBefore {
            return broke("an error status changed the machine")
        }
        return nil
    }

    // MARK: Running an input

    /// Runs the input on a fresh machine; nil when nothing was violated.
    public func run() -> CABIViolation? {
        let flags = input.byte()
        let config = Self.configs[Int(flags & 0x7F) % Self.configs.count]
        guard let m = softseam_create(config.json, nil, 0) else {
            return CABIViolation(description: "softseam_create refused the harness's config \(config.json)")
        }
        machine = m
        defer {
            softseam_destroy(m)
            machine = nil
        }
        vcpus = softseam_vcpu_count(m)
        builtInHost = flags & 0x80 != 0
        let me = Unmanaged.passUnretained(self).toOpaque()
        var setup = softseam_set_l2_event_limit(m, Self.l2EventLimit)
        for vm in 1...config.vms where setup == SOFTSEAM_OK {
            setup = softseam_set_l2_callback(m, vm, l2Callback, me)
        }
        if !builtInHost, setup == SOFTSEAM_OK { setup = softseam_set_host_callback(m, hostCallback, me) }
        guard setup == SOFTSEAM_OK else {
            return CABIViolation(description: "the harness's set-up failed: \(lastError)")
        }
        var ops = 0
        while !input.isEmpty, ops < Self.maxOps, violation == nil {
            ops += 1
            step(m)
        }
        return violation
    }

    var lastError: String { softseam_last_error(nil).map { String(cString: $0) } ?? "" }

    /// One decoded operation on `m` and its check.
    func step(_ m: OpaquePointer) {
        switch Op(input.byte()) {
        case .tdcall:
            let vcpu = decodeVCPU()
            var regs = softseam_regs_t()
            regs.rax = decodeLeaf(Self.tdcallLeaves)
            decodeOperands(&regs)
            if builtInHost, regs.rax & 0xFFFF == UInt64(TDG_VP_VMCALL), regs.r11 == Self.mapGPA {
                regs.r13 = min(regs.r13, Self.maxMapGPASize)
            }
            // A pending NMI finishes any TDCALL the module completes, failed or not: ask the host's view first.
            let nmi = nmiMayBePending && pendNMI(m, vcpu)
            exitsInCall = 0
            checked("softseam_tdcall", vcpu: vcpu, &regs, status: true, mayChange: nmi) {
                softseam_tdcall(m, vcpu, &$0)
            }
        case .seamcall:
            seamcall(m)
        case .store:
            let vcpu = decodeVCPU()
            let gpa = decodeValue()
            let size = Int(input.byte() % 8) + 1
            var bytes = input.word(size)
            var regs = softseam_regs_t(
                rax: 0, rcx: gpa, rdx: UInt64(size), rbx: 0, rsp: 0, rbp: 0, rsi: 0, rdi: 0, r8: bytes, r9: 0,
                r10: 0, r11: 0, r12: 0, r13: 0, r14: 0, r15: 0)
            checked("softseam_mem_write", vcpu: vcpu, &regs, status: false, mayChange: false) { _ in
                softseam_mem_write(m, gpa, &bytes, size)
            }
        case .pendNMI:
            let vcpu = decodeVCPU()
            var regs = softseam_regs_t()
            checked("softseam_pend_nmi", vcpu: vcpu, &regs, status: true, mayChange: false) {
                softseam_pend_nmi(m, vcpu, &$0.rax)
            }
            if regs.rax == 0 { nmiMayBePending = true }
        case .interruptState:
            let vcpu = decodeVCPU()
            let (rvi, ppr) = (input.byte(), input.byte())
            var regs = softseam_regs_t()
            (regs.rcx, regs.rdx) = (UInt64(rvi), UInt64(ppr))
            checked("softseam_set_l1_interrupt_state", vcpu: vcpu, &regs, status: false, mayChange: false) { _ in
                softseam_set_l1_interrupt_state(m, vcpu, rvi, ppr)
            }
        }
    }

    /// A decoded SEAMCALL and its check (also from the host callback, in the middle of a TDCALL).
    func seamcall(_ m: OpaquePointer) {
        var regs = softseam_regs_t()
        regs.rax = decodeLeaf(Self.seamcallLeaves)
        decodeOperands(&regs)
        let leaf = regs.rax
        checked("softseam_seamcall", vcpu: 0, &regs, status: true, mayChange: false) { softseam_seamcall(m, &$0) }
        if leaf == UInt64(TDH_VP_WR), regs.rax == 0 { nmiMayBePending = true }
    }

    /// Whether the TDVPS PEND_NMI of `vcpu` is set, by the host's TDH.VP.RD (true when that cannot be read).
    func pendNMI(_ m: OpaquePointer, _ vcpu: UInt32) -> Bool {
        guard vcpu < vcpus else { return false }
        var r = softseam_regs_t()
        (r.rax, r.rcx, r.rdx) = (UInt64(TDH_VP_RD), Self.tdvpr(UInt64(vcpu)), Self.pendNMIField)
        return softseam_seamcall(m, &r) != SOFTSEAM_OK || r.rax != 0 || r.r8 != 0
    }

    /// Makes one call with the hash taken before and after, and records the first violation.
    func checked(
        _ function: String, vcpu: UInt32, _ regs: inout softseam_regs_t, status: Bool, mayChange: Bool,
        _ call: (inout softseam_regs_t) -> Int32
    ) {
        guard let m = machine else { return }
        let input = regs
        let before = softseam_state_hash(m)
        let exitsBefore = exitsInCall
        let rc = call(&regs)
        let after = softseam_state_hash(m)
        let exits = exitsInCall - exitsBefore
        if recording {
            calls.append(
                Call(
                    function: function, vcpu: vcpu, input: input, output: regs, result: rc, hashBefore: before,
                    hashAfter: after, exits: exits))
        }
        guard violation == nil else { return }
        // With the built-in host the harness cannot see TD exits; only TDCALLs that cannot TD-exit with an
        // error are held to it there (a TDG.VP.VMCALL, TDG.SERVTD.RD/WR's cross-TD trap, TDG.VP.ENTER).
        let hostRan = exits > 0 || builtInHost && function == "softseam_tdcall" && Self.mayExit(input.rax)
        let flushed = function == "softseam_tdcall" && Self.partialFlush(input.rax, regs.rax)
        violation = Self.verdict(
            "\(function)(vcpu \(vcpu), \(describe(input)))", result: rc, status: status ? regs.rax : nil,
            hashBefore: before, hashAfter: after, mayChange: mayChange || hostRan || flushed)
    }

    /// TDCALL leaves that reach the host on their way to an error status: TDG.VP.VMCALL (a trap-like exit),
    /// TDG.SERVTD.RD/WR (a cross-TD trap, then TDX_SERVTD_NOT_BOUND), TDG.VP.ENTER (L2 exits to the host).
    static func mayExit(_ rax: UInt64) -> Bool {
        let leaf = rax & 0xFFFF
        return leaf == UInt64(TDG_VP_VMCALL) || leaf == UInt64(TDG_SERVTD_RD) || leaf == UInt64(TDG_SERVTD_WR)
            || leaf == UInt64(TDG_VP_ENTER)
    }

    /// TDG.VP.INVVPID's TDX_GLA_NOT_CANONICAL: the module flushes a GLA list entry page by page and stops at
    /// the first non-canonical address, the pages before it flushed (tdx-module
    /// src/td_dispatcher/vm_exits/tdg_vp_invvpid.c, invvpid_gla_list_entry), and SoftSEAM counts each flush in
    /// the vCPU's state. So that error status may change the hash (found by this fuzzer; a test shows both cases).
    static func partialFlush(_ rax: UInt64, _ status: UInt64) -> Bool {
        rax & 0xFFFF == UInt64(TDG_VP_INVVPID) && status & 0xFFFF_FFFF_0000_0000 == glaNotCanonical
    }
    static let glaNotCanonical: UInt64 = 0xC000_1160_0000_0000

    // MARK: Decoding

    /// Mostly a vCPU the TD has; one byte in 16 is taken as it is (SOFTSEAM_ENOVCPU when too big).
    func decodeVCPU() -> UInt32 {
        let b = input.byte()
        return b >= 0xF0 ? UInt32(b & 0x0F) : UInt32(b) % max(vcpus, 1)
    }

    /// RAX: a known leaf (version 0 mostly, else 1 or 2), or a 16-bit number, or all 64 bits raw.
    func decodeLeaf(_ leaves: [UInt64]) -> UInt64 {
        let b = input.byte()
        if b == Self.rawLeaf { return input.word() }
        if b >= 0xF0 { return input.word(2) }
        let leaf = leaves[Int(b) % leaves.count]
        let version: UInt64 = [0, 0, 1, 2][Int(b) / leaves.count % 4]
        return leaf | version << 16
    }

    /// A count byte, then that many operands in `operandOrder`.
    func decodeOperands(_ regs: inout softseam_regs_t) {
        let count = Int(input.byte()) % (Self.operandOrder.count + 1)
        for i in Self.operandOrder.prefix(count) { regs[i] = decodeValue() }
    }

    /// One operand: a kind byte, then what that kind needs — biased to the values the leaves check.
    func decodeValue() -> UInt64 {
        let kind = input.byte()
        if kind == Self.rawValueKind { return input.word() }
        func pick(_ table: [UInt64]) -> UInt64 { table[Int(input.byte()) % table.count] }
        switch kind % 12 {
        case 0: return 0
        case 1: return UInt64(input.byte())
        // A GPA with a level or flags in bits 2:0 (ATTR.WR/RD, ACCEPT and the host's RCX).
        case 2: return pick(Self.gpas) | UInt64(input.byte() & 7)
        case 3: return pick(Self.boundaries)
        // GPA attributes or ATTR.WR flags for VMs 1…3: bits 6:0 of each byte, bit 7 as VALID / INVEPT.
        case 4:
            var v: UInt64 = 0
            for vm in 1...3 {
                let b = UInt64(input.byte())
                v |= ((b & 0x7F) | (b & 0x80) << 8) << (16 * UInt64(vm))
            }
            return v
        case 5: return pick(Self.fields)
        // A TDVPR, with RESUME_L1 (bit 53) when the byte's bit 7 is set.
        case 6:
            let b = input.byte()
            return Self.tdvpr(UInt64(b & 3)) | UInt64(b >> 7) << 53
        // TDG.VP.ENTER's RCX: the VM index in bits 63:52 and flags in bits 1:0.
        case 7:
            let b = input.byte()
            return UInt64(b % 5) << 52 | UInt64(b >> 6)
        case 8: return 1 << UInt64(input.byte() % 64)
        case 9: return ~0 >> UInt64(input.byte() % 64)
        case 10: return input.word(4)
        default: return input.word()
        }
    }

    // MARK: Callbacks

    /// The L2 source of every VM: one byte (0xFF or the end of the input: L2 has nothing more, the TDCALL fails
    /// with SOFTSEAM_EL2 and is undone), else 1 + byte % 4 events from `l2Menu`, each a menu byte and 8 bytes
    /// of operands. Some combinations are malformed on purpose (an exception vector 2, an exit reason that has
    /// its own event): the library must refuse them and undo the TDG.VP.ENTER.
    func l2Answer(_ events: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
        let n = input.byte()
        guard n != Self.l2StopByte, let events, length > 0 else { return 1 }
        var parts: [String] = []
        for _ in 0...(n % 4) {
            let item = Self.l2Menu[Int(input.byte()) % Self.l2Menu.count]
            parts.append(item(input.word()))
        }
        l2Answers += 1
        let text = "[" + parts.joined(separator: ",") + "]"
        let utf8 = Array(text.utf8.prefix(length - 1))
        for (i, b) in utf8.enumerated() { events[i] = CChar(bitPattern: b) }
        events[utf8.count] = 0
        return 0
    }

    /// The events of `l2Menu`, by index.
    public enum L2Event: UInt8, CaseIterable {
        case cpuid, hlt, vmcall, tdcall, rdmsr, wrmsr, nmi, sti, eoi, iret, clts, read, write, fetch, io, exception
        case interrupt, set, movToCR, time, exit, jump
    }

    /// L2 events in the scenario syntax of Traces/FORMAT.md, made from 64 bits of operands `a`: memory accesses
    /// at `l2GPA(a)`, `a` bits 58:56 + 1 bytes (a write stores bits 31:24, a fetch is a user fetch when bit 63 is
    /// set); the other operands from `a` >> 8 and up.
    public static let l2Menu: [@Sendable (UInt64) -> String] = [
        { _ in #""cpuid""# }, { _ in #""hlt""# }, { _ in #""vmcall""# }, { _ in #""tdcall""# },
        { _ in #""rdmsr""# }, { _ in #""wrmsr""# }, { _ in #""nmi""# }, { _ in #""sti""# }, { _ in #""eoi""# },
        { _ in #""iret""# }, { _ in #""clts""# },
        { a in #"{"read":{"gpa":"\#(hex(l2GPA(a)))","size":\#(1 + (a >> 56) % 8)}}"# },
        { a in
            #"{"write":{"gpa":"\#(hex(l2GPA(a)))","size":\#(1 + (a >> 56) % 8),"value":"\#(hex(a >> 24 & 0xFF))"}}"#
        },
        { a in #"{"fetch":{"gpa":"\#(hex(l2GPA(a)))","size":1,"user":\#(a >> 63 == 1)}}"# },
        { a in
            #"{"io":{"port":"\#(hex(a >> 16 & 0xFFFF))","size":\#([1, 2, 4][Int(a >> 32 % 3)]),"#
                + #""dir":"\#(a >> 63 == 1 ? "in" : "out")"}}"#
        },
        { a in #"{"exception":{"vector":\#(a >> 8 % 32),"error_code":"\#(hex(a >> 32 & 0xFFFF))"}}"# },
        { a in #"{"interrupt":"\#(hex(a >> 8 & 0xFF))"}"# },
        { a in #"{"set":{"\#(registerNames[Int(a >> 8 & 15)])":"\#(hex(a >> 16))"}}"# },
        { a in #"{"mov_to_cr":{"cr":\#([0, 3, 4, 8][Int(a >> 8 & 3)]),"gpr":"rax"}}"# },
        { a in #"{"time":"\#(hex(a >> 8 & 0xF_FFFF))"}"# },
        { a in #"{"exit":{"reason":\#(a >> 8 % 80)}}"# },
        { a in #"{"jump":"\#(hex(a >> 8 & 0xFFFF_F000))"}"# },
    ]

    /// An L2 access's GPA: one of `gpas` (low byte) at an 8-byte-aligned offset in its page, so an access of
    /// up to 8 bytes stays in one page.
    static func l2GPA(_ a: UInt64) -> UInt64 { gpas[Int(a & 0xFF) % gpas.count] | (a >> 8 & 0xFF8) }

    /// The host callback: counts the exit, then answers it as the input says (`HostAnswer`).
    func hostAnswer(_ m: OpaquePointer?, _ exit: UnsafePointer<softseam_td_exit_t>?) {
        exitsInCall += 1
        tdExits += 1
        guard let m, let exit, exitsInCall <= Self.maxExitsPerCall else { return }
        let vcpu = exit.pointee.vcpu
        switch HostAnswer(rawValue: input.byte() % 4)! {
        case .resumeL1:
            var status: UInt64 = 0
            _ = softseam_resume_l1(m, vcpu, &status)
        case .enter:
            var r = softseam_regs_t()
            (r.rax, r.rcx) = (UInt64(TDH_VP_ENTER), Self.tdvpr(UInt64(vcpu)))
            (r.r10, r.r11) = (decodeValue(), decodeValue())
            _ = softseam_seamcall(m, &r)
        case .seamcallThenReenter:
            seamcall(m)
            var r = softseam_regs_t()
            (r.rax, r.rcx) = (UInt64(TDH_VP_ENTER), Self.tdvpr(UInt64(vcpu)) | (exit.pointee.vm != 0 ? 1 << 53 : 0))
            _ = softseam_seamcall(m, &r)
        case .leave:
            break
        }
    }
}

private let l2Callback: softseam_l2_fn = { ctx, _, events, length in
    guard let ctx else { return -1 }
    return Unmanaged<CABIHarness>.fromOpaque(ctx).takeUnretainedValue().l2Answer(events, length)
}

private let hostCallback: softseam_host_fn = { ctx, m, exit in
    guard let ctx else { return }
    Unmanaged<CABIHarness>.fromOpaque(ctx).takeUnretainedValue().hostAnswer(m, exit)
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

func regsEqual(_ a: softseam_regs_t, _ b: softseam_regs_t) -> Bool { (0..<16).allSatisfy { a[$0] == b[$0] } }

/// RAX and the non-zero operand registers, for a violation's message.
func describe(_ r: softseam_regs_t) -> String {
    var parts = ["rax \(hex(r.rax))"]
    for i in CABIHarness.operandOrder where r[i] != 0 { parts.append("\(CABIHarness.registerNames[i]) \(hex(r[i]))") }
    return parts.joined(separator: " ")
}

extension softseam_regs_t {
    /// Register `index` in architectural order (0 = RAX … 15 = R15), the struct's layout.
    public subscript(index: Int) -> UInt64 {
        get {
            precondition((0..<16).contains(index))
            return withUnsafeBytes(of: self) { $0.load(fromByteOffset: 8 * index, as: UInt64.self) }
        }
        set {
            precondition((0..<16).contains(index))
            withUnsafeMutableBytes(of: &self) { $0.storeBytes(of: newValue, toByteOffset: 8 * index, as: UInt64.self) }
        }
    }
}
