import SEAMTypes

/// One vCPU's TDVPS as far as TD partitioning needs it (module `src/common/data_structures/tdx_tdvps.h`): where the vCPU is running,
/// the GPR image L1 and L2 share, the per-VM management fields, one L2 VMCS per L2 VM and L1's view of the
/// L2 MSR bitmaps.
///
///     L1 ──TDG.VP.ENTER──▶ L2 (vm) ──L2 event──▶ module | L2→L1 exit | TD exit ──TDH.VP.ENTER──▶ L1 or L2
///
/// VMCS fields and MSR-bitmap words are hashed as records that differ from their reset value, so a fresh
/// vCPU costs nothing to hash and a step costs O(fields it changed).
public struct VCPU: Sendable, Codable {
    /// Where the vCPU is: running L1, running an L2 VM, or out of the TD waiting for the host (then
    /// `pendingExit` says why). Kept apart from the pending exit so the check every TDCALL and L2 event makes
    /// reads one small value.
    public enum Location: Hashable, Sendable, Codable {
        case l1
        case l2(vm: Int)
        case host
    }

    /// Why the vCPU left the TD and what TDH.VP.ENTER must do to come back (module `src/td_transitions/tdh_vp_enter.c`).
    public struct PendingTDExit: Hashable, Sendable, Codable {
        public enum Kind: UInt8, Hashable, Sendable, Codable {
            /// TDG.VP.VMCALL from L1: the host's selected registers go back to L1.
            case l1TDVMCall = 1
            /// An asynchronous exit while L2 ran (NMI, external interrupt, host-owned EPT violation…).
            case l2Async = 2
            /// TDG.VP.VMCALL from L2 with ENABLE_TDVMCALL.
            case l2TDVMCall = 3
            /// A fault-like exit of an L1 TDCALL (an EPT violation of ACCEPT, ATTR.WR/RD or TDG.VP.ENTER): L1's
            /// registers are untouched and it runs the TDCALL again once the host re-enters it.
            case l1FaultLike = 4
            /// The cross-TD trap of TDG.SERVTD.RD/WR (LAST_EXIT_ASYNC_TRAP): L1's registers already hold the
            /// TDCALL's outputs, and the host's TDH.VP.ENTER resumes L1 after it.
            case l1CrossTDTrap = 5
        }
        public var kind: Kind
        /// The VM the vCPU was in (CURR_VM).
        public var vm: Int
        /// What the host was told.
        public var exit: TDExit
    }

    /// L2_EXIT_HOST_ROUTING: what a RESUME_L1 entry reports to L1 (module `src/td_transitions/tdh_vp_enter.c`).
    public enum HostRouting: UInt8, Hashable, Sendable, Codable {
        case none = 0
        case async = 1
        case tdvmcall = 2
    }

    public internal(set) var location = Location.l1 {
        didSet { if location != .host, case .some = pendingExit { pendingExit = nil } }
    }
    /// The TD exit the host must answer, while `location` is `.host`.
    public internal(set) var pendingExit: PendingTDExit?
    /// CURR_VM: 0 while L1 runs.
    public internal(set) var currentVM = 0
    /// The TDVPS GPR image: L1's registers while L1 runs, L2's while an L2 VM runs (the RSP slot is unused
    /// while L2 runs: L2's RSP lives in its VMCS).
    public internal(set) var gprs = RegisterFile() {
        didSet { bufferClean = false }
    }
    /// L1's RSP, kept in the L1 VMCS while L2 runs (module `src/td_transitions/tdg_vp_enter.c`).
    var l1RSP: UInt64 = 0
    /// VM_LAUNCHED, one bit per VM.
    public internal(set) var vmLaunched: UInt8 = 0
    /// L2_CTLS[vm]: bit 0 ENABLE_SHARED_EPTP, bit 1 ENABLE_TDVMCALL, bit 2 ENABLE_EXTENDED_VE.
    public internal(set) var l2Ctls = PerVM()
    /// TSC_DEADLINE[vm]; all ones = disabled. TDH.VP.INIT sets all ones for VM 0…NUM_L2_VMS and 0 above.
    public internal(set) var tscDeadline = PerVM(all: ~0)
    /// CPUID_SUPERVISOR_VE (bits 7:0) and CPUID_USER_VE (bits 15:8), 8-bit fields with guest mask 0xFF.
    public internal(set) var cpuidVE: UInt16 = 0
    /// VE_INFO: what L1's last #VE reported, until TDG.VP.VEINFO.GET reads it (`VEInfo`).
    public internal(set) var veInfo = VEInfo()
    /// The fields of L1's TD VMCS the host writes with TDH.VP.WR (`L1TDVMCS`).
    public internal(set) var l1VMCS = L1TDVMCS()
    /// The last event delivered to each L2 VM, for delivery counts (`DeliveryTrack`).
    public internal(set) var deliveryTracks = DeliveryTracks()
    /// L2_EXIT_HOST_ROUTING.
    public internal(set) var hostRouting = HostRouting.none
    /// L2_ENTER_GUEST_STATE_GPA[vm] (NULL_PA until the first TDG.VP.ENTER of the VM).
    public internal(set) var guestStateGPA = PerVM(all: ~0)
    /// Per VM (bit vm): the guest-state buffer's and the virtual-APIC page's GPA→HPA translation is cached.
    /// Dropped when the GPA changes (module `src/td_transitions/tdg_vp_enter.c`) and when TDH.VP.ENTER finds
    /// the TD epoch moved (`src/td_transitions/tdh_vp_enter.c`).
    var translationsCached: UInt8 = 0
    /// The TD epoch the vCPU's last TDH.VP.ENTER sampled (0: not sampled yet; its first TDG.VP.ENTER does).
    var translationEpoch: UInt64 = 0
    /// L1's copies of the CR0/CR4 guest/host masks and read shadows, per VM (reset: masks all ones, shadows 0;
    /// module `src/td_transitions/tdg_vp_enter.c`).
    public internal(set) var l1CR0Mask = PerVM(all: ~0)
    public internal(set) var l1CR4Mask = PerVM(all: ~0)
    public internal(set) var l1CR0Shadow = PerVM()
    public internal(set) var l1CR4Shadow = PerVM()
    /// Number of INVVPID flushes TDG.VP.ENTER's INVD_TRANSLATIONS asked for, per VM.
    public internal(set) var vpidFlushes = PerVM()
    /// L1's virtual APIC, the host's posted-interrupt descriptor and PEND_NMI (`L1Interrupts`). RVI and PPR
    /// decide TDG.VP.ENTER's PENDING_INTERRUPT check (its fourth entry check, module
    /// `src/td_transitions/tdg_vp_enter.c`).
    public internal(set) var l1Interrupts = L1Interrupts()
    /// L1's RVI (guest interrupt status bits 7:0).
    public var l1RVI: UInt8 { l1Interrupts.apic.rvi }
    /// L1's virtual PPR.
    public var l1PPR: UInt8 { l1Interrupts.apic.ppr }
    /// Per VM (bit vm): the guest state passed the VM-entry checks and no guest-state field but RIP has been
    /// written since, so the next entry need not run them all again.
    var guestStateChecked: UInt8 = 0
    /// Per VM (bit vm): RIP changed since the last full check (the next entry runs the RIP checks).
    var ripChanged: UInt8 = 0
    /// Per VM (bit vm): the model itself changed RFLAGS.IF or the interruptibility state since the checks
    /// passed (a delivery completing, STI, IRET). Only the checks that read them together with an injected
    /// event can fail because of that, so the next entry runs all checks only when it injects one: a
    /// deliver–EOI–IRET round trip otherwise ran every check on every entry (inject_deliver_eoi, callgrind).
    var eventStateChanged: UInt8 = 0
    /// The guest-state buffer as this vCPU last read or wrote it, at `bufferGPA`, valid while the GPA space's
    /// `contentVersion` is still `bufferVersion` (no page changed since). A memo, not state: entry and exit
    /// then skip reading and rewriting a buffer nobody touched.
    var bufferWords = GuestStateWords()
    var bufferGPA: UInt64 = ~0
    var bufferVersion: UInt64 = ~0
    /// Neither the GPRs nor the VMCS fields the buffer holds changed since `bufferWords` was taken.
    var bufferClean = false

    /// The L2 VMCS fields of VMs 1…3, in `L2VMCSLayout` order, one VM after another.
    var vmcs: [UInt64]
    /// L1's view of the L2 MSR bitmaps, VMs 1…3, 512 words each (reset: all ones).
    var msrBitmaps: [UInt64]
    /// Wrapping sum of the hash records of every VMCS field and MSR-bitmap word not at its reset value.
    public internal(set) var digest: UInt64 = 0
    /// Each VMCS field's reset value, by row (shared storage; kept here so `setVMCS` reads it without the
    /// table's lazy-initialisation check).
    let resets: [UInt64]
    /// This vCPU's index, part of each record key.
    public let index: Int

    static let msrBitmapWords = 512

    init(index: Int, numL2VMs: Int) {
        self.index = index
        resets = L2VMCSLayout.fields.map(\.reset)
        for vm in (numL2VMs + 1)..<4 { tscDeadline[vm] = 0 }
        vmcs = resets + resets + resets
        msrBitmaps = [UInt64](repeating: ~0, count: 3 * VCPU.msrBitmapWords)
    }

    // MARK: L2 VMCS

    /// The value of field `index` (an `L2VMCSLayout` row) in VM `vm`'s VMCS.
    @inline(__always)
    public func vmcs(_ vm: Int, _ row: Int) -> UInt64 { vmcs[(vm - 1) * L2VMCSLayout.count + row] }

    /// The value of `field` in VM `vm`'s VMCS, or nil for an encoding the table does not list.
    public func vmcs(_ vm: Int, _ field: VMCSField) -> UInt64? {
        L2VMCSLayout.index(of: field).map { vmcs(vm, $0) }
    }

    /// Writes a VMCS field, keeping `digest`; writing the value it holds costs one compare. Returns whether
    /// the value changed.
    @discardableResult @inline(__always)
    mutating func setVMCS(_ vm: Int, _ row: Int, _ value: UInt64) -> Bool {
        let slot = (vm - 1) * L2VMCSLayout.count + row
        let old = vmcs[slot]
        guard old != value else { return false }
        let reset = resets[row]
        let key = StateHash.vcpuKey(kind: 5, vcpu: index, vm: vm, item: row)
        if old != reset { digest &-= StateHash.vcpuRecordHash(key, old) }
        if value != reset { digest &+= StateHash.vcpuRecordHash(key, value) }
        vmcs[slot] = value
        switch row {
        case L2VMCSLayout.guestRSP, L2VMCSLayout.guestRFLAGS, L2VMCSLayout.guestRIP, L2VMCSLayout.guestSSP,
            L2VMCSLayout.guestInterruptStatus:
            bufferClean = false
        default: break
        }
        return true
    }

    /// Writes a guest-state field: if it changes, the next entry re-runs the VM-entry checks (only the RIP
    /// ones when the field is RIP).
    @inline(__always)
    mutating func setGuestState(_ vm: Int, _ row: Int, _ value: UInt64) {
        guard setVMCS(vm, row, value) else { return }
        if row == L2VMCSLayout.guestRIP {
            ripChanged |= 1 << UInt8(vm)
        } else {
            guestStateChecked &= ~(1 << UInt8(vm))
        }
    }

    /// Writes RFLAGS or the interruptibility state as the CPU does while L2 runs (a delivery, STI, IRET):
    /// noted in `eventStateChanged` rather than dropping the passed VM-entry checks.
    @inline(__always)
    mutating func setEventState(_ vm: Int, _ row: Int, _ value: UInt64) {
        guard setVMCS(vm, row, value) else { return }
        eventStateChanged |= 1 << UInt8(vm)
    }

    // MARK: MSR bitmaps

    /// Word `word` (0…511) of L1's MSR bitmap for VM `vm`.
    @inline(__always)
    public func msrBitmap(_ vm: Int, word: Int) -> UInt64 { msrBitmaps[(vm - 1) * VCPU.msrBitmapWords + word] }

    mutating func setMSRBitmap(_ vm: Int, word: Int, _ value: UInt64) {
        let slot = (vm - 1) * VCPU.msrBitmapWords + word
        let old = msrBitmaps[slot]
        guard old != value else { return }
        let key = StateHash.vcpuKey(kind: 6, vcpu: index, vm: vm, item: word)
        if old != ~0 { digest &-= StateHash.vcpuRecordHash(key, old) }
        if value != ~0 { digest &+= StateHash.vcpuRecordHash(key, value) }
        msrBitmaps[slot] = value
    }

    /// Whether L1's bitmap for `vm` intercepts a read (or write) of `msr`. The bitmap page holds read-low
    /// (MSRs 0…0x1FFF), read-high (0xC0000000…0xC0001FFF), write-low and write-high quarters of 1 KiB each;
    /// an MSR outside both ranges is always intercepted (module `src/td_dispatcher/tdx_td_l2_dispatcher.c`, `src/td_dispatcher/vm_exits/td_msr_access.c`).
    /// Inlined: L2's WRMSR (msrAccess) called it on `vcpus[i]` out of line, which copied the whole 1 KiB vCPU
    /// first (inject_deliver_eoi, callgrind).
    @inline(__always)
    public func msrIntercepted(_ vm: Int, msr: UInt32, write: Bool) -> Bool {
        let base: Int
        switch msr {
        case 0...0x1FFF: base = 0
        case 0xC000_0000...0xC000_1FFF: base = 0x2000
        default: return true
        }
        let bit = base + Int(msr & 0x1FFF) + (write ? 0x4000 : 0)
        return msrBitmap(vm, word: bit >> 6) >> UInt64(bit & 63) & 1 != 0
    }

    /// The digest recomputed from every field and word; equal to `digest` unless there is a bug.
    func recomputedDigest() -> UInt64 {
        var d: UInt64 = 0
        for vm in 1...3 {
            for (i, f) in L2VMCSLayout.fields.enumerated() where vmcs(vm, i) != f.reset {
                d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 5, vcpu: index, vm: vm, item: i), vmcs(vm, i))
            }
            for w in 0..<VCPU.msrBitmapWords where msrBitmap(vm, word: w) != ~0 {
                d &+= StateHash.vcpuRecordHash(
                    StateHash.vcpuKey(kind: 6, vcpu: index, vm: vm, item: w), msrBitmap(vm, word: w))
            }
        }
        return d
    }

    /// Number of words `fillHashWords` writes.
    static let hashWordCount = 63

    /// Writes the TDVPS words of the state hash into `w` from `at`, in a fixed order ending with `digest`:
    /// index, location, CURR_VM, the 16 GPRs, the pending exit's five registers, L1's RSP, VM_LAUNCHED,
    /// routing, L1 RVI/PPR and CPUID #VE bits, eight per-VM arrays of four, the translation cache and epoch;
    /// the last word adds VE_INFO's records (`VEInfo.hashRecords`), the host-written TD VMCS fields'
    /// (`L1TDVMCS.hashRecords`) and the delivery tracks' (`DeliveryTracks.hashRecords`) to `digest`.
    /// Reads the TDVPS through a pointer, field by field, inlined into its one caller (`Machine.vcpusHash`):
    /// as a method on `vcpus[i]` it was handed a copy of the whole TDVPS (1,048 bytes, its arrays retained and
    /// released), about 500 instructions a vCPU (fuzz_execs, callgrind).
    @inline(__always)
    static func fillHashWords(
        _ v: UnsafePointer<VCPU>, _ w: UnsafeMutableBufferPointer<UInt64>, at start: Int, digest: UInt64
    ) {
        var n = start
        func put(_ v: UInt64) {
            w[n] = v
            n += 1
        }
        put(UInt64(v.pointee.index))
        switch v.pointee.location {
        case .l1: put(0)
        case .l2(let vm): put(1 | UInt64(vm) << 8)
        case .host:
            put(
                2 | UInt64(v.pointee.pendingExit?.vm ?? 0) << 8 | UInt64(v.pointee.pendingExit?.kind.rawValue ?? 0)
                    << 16)
        }
        put(UInt64(v.pointee.currentVM))
        put(v.pointee.gprs.rax)
        put(v.pointee.gprs.rcx)
        put(v.pointee.gprs.rdx)
        put(v.pointee.gprs.rbx)
        put(v.pointee.gprs.rsp)
        put(v.pointee.gprs.rbp)
        put(v.pointee.gprs.rsi)
        put(v.pointee.gprs.rdi)
        put(v.pointee.gprs.r8)
        put(v.pointee.gprs.r9)
        put(v.pointee.gprs.r10)
        put(v.pointee.gprs.r11)
        put(v.pointee.gprs.r12)
        put(v.pointee.gprs.r13)
        put(v.pointee.gprs.r14)
        put(v.pointee.gprs.r15)
        if let p = v.pointee.pendingExit {
            put(p.exit.rax)
            put(p.exit.rcx)
            put(p.exit.rdx)
            put(p.exit.r8)
            put(p.exit.r9)
        } else {
            for _ in 0..<5 { put(0) }
        }
        put(v.pointee.l1RSP)
        put(UInt64(v.pointee.vmLaunched))
        put(UInt64(v.pointee.hostRouting.rawValue))
        put(UInt64(v.pointee.l1RVI) | UInt64(v.pointee.l1PPR) << 8 | UInt64(v.pointee.cpuidVE) << 16)
        func put(_ v: PerVM) {
            put(v.vm0)
            put(v.vm1)
            put(v.vm2)
            put(v.vm3)
        }
        put(v.pointee.l2Ctls)
        put(v.pointee.tscDeadline)
        put(v.pointee.guestStateGPA)
        put(v.pointee.l1CR0Mask)
        put(v.pointee.l1CR4Mask)
        put(v.pointee.l1CR0Shadow)
        put(v.pointee.l1CR4Shadow)
        put(v.pointee.vpidFlushes)
        put(UInt64(v.pointee.translationsCached))  // guestStateChecked is a memo of a pure function: not state
        put(v.pointee.translationEpoch)
        // VE_INFO and L1's TD VMCS fields: records, none while they are at reset.
        put(
            digest &+ v.pointee.veInfo.hashRecords(vcpu: v.pointee.index)
                &+ v.pointee.l1VMCS.hashRecords(vcpu: v.pointee.index)
                &+ v.pointee.deliveryTracks.hashRecords(vcpu: v.pointee.index)
                &+ v.pointee.l1Interrupts.hashRecords(vcpu: v.pointee.index))
        precondition(n - start == VCPU.hashWordCount)
    }
}
