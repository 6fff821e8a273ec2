import Foundation
import SEAMCore
import SEAMTypes
import Testing

/// Guards `Machine.stateHash()` against state it leaves out, now and after fields are added.
///
///     Mirror(Machine), Mirror(VCPU), Mirror(GPASpace) ──labels──▶ == listed fields ∪ listed memos
///     each listed field ──two machines that differ in it (and in the fields listed with it)──▶ hashes differ
///     each listed memo  ──filled or dropped──▶ hash, and every later hash, unchanged
///
/// A stored property nobody lists fails the suite, so whoever adds one must say how to change it; the suite
/// then checks that the hash sees the change (and that `recomputedStateHash()` agrees), or, for a memo, that
/// it does not. Each pair of machines is compared field by field through `Mirror` (memos left out), so a
/// change that also touches fields it does not list fails too: the hash difference is the field's own.
@Suite struct HashCoverageTests {
    // MARK: What is not state

    /// Machine fields that are not state, each with why.
    static let machineNotState: Set<String> = [
        // Memo of `vcpusHash`, a pure function of `vcpus`, kept by `cachedStateHash()` (Machine.swift).
        "vcpusHashMemo",
        // The last step's delivery: a report the engine moves into that step's outcome (Machine.swift).
        "lastDelivery",
        // While one during_delivery event runs, the IDT-vectoring information its exit records; nil before
        // and after the event, so no machine between steps holds it (Machine.swift).
        "vectoringOverride",
    ]

    /// VCPU fields that are not state, each with why.
    static let vcpuNotState: Set<String> = [
        // Memo: the guest-state buffer as last read or written; valid only while `bufferGPA` and
        // `bufferVersion` still match (VCPU.swift; dropped by `dropMemos()`).
        "bufferWords",
        // Memo: where `bufferWords` was read from or written to (dropped by `dropMemos()`).
        "bufferGPA",
        // Memo: the GPA space's `contentVersion` when `bufferWords` was taken (dropped by `dropMemos()`).
        "bufferVersion",
        // Memo: nothing the buffer holds changed since `bufferWords` was taken (dropped by `dropMemos()`).
        "bufferClean",
        // Memo: the VM-entry checks passed and no guest-state field but RIP changed since; a pure function of
        // the VMCS, documented as not state in `fillHashWords` (dropped by `dropMemos()`).
        "guestStateChecked",
        // Memo: RIP changed since the last full check (dropped by `dropMemos()`).
        "ripChanged",
        // Memo: the model changed IF or the interruptibility state since the checks passed (dropped by
        // `dropMemos()`).
        "eventStateChanged",
        // Cache of the constant table `L2VMCSLayout.fields.map(\.reset)` (VCPU.swift: kept so `setVMCS` skips
        // the table's lazy-initialisation check); the same in every vCPU, checked by `validateDecoded`.
        "resets",
    ]

    /// GPASpace fields that are not state, each with why.
    static let gpaSpaceNotState: Set<String> = [
        // Counter bumped whenever any page's bytes change, so a vCPU knows its buffer memo is still good;
        // documented as not state and not hashed (GPASpace.swift).
        "contentVersion",
        // Counter bumped whenever any leaf record changes, so a checker knows no leaf changed since it last
        // compared them; documented as not state and not hashed (GPASpace.swift).
        "leafVersion",
        // Pages whose chunk hashes wait until the digest is asked for; `digest` is the same settled or not
        // (GPASpace+DeferredHashes.swift; DeferredHashTests).
        "deferred",
    ]

    // MARK: What is state, and how to change it

    /// Every stored Machine field that is state. For `space` and `vcpus`, `also` lists the inner paths.
    fileprivate static var machineFields: [FieldChange] {
        [
            FieldChange("profile") {
                // One module profile exists so far: no machine can differ in it (an unknown version does not
                // decode). Until a second one comes, check that the hash words name it.
                guard ModuleProfile.all.count > 1 else {
                    #expect(Machine(numL2VMs: 1).hashWords().contains(ModuleProfile.default.hashID))
                    return nil
                }
                return (
                    Machine(numL2VMs: 1, profile: ModuleProfile.all[0]),
                    Machine(numL2VMs: 1, profile: ModuleProfile.all[1])
                )
            },
            // NUM_L2_VMS is fixed at TDH.MNG.INIT: two TDs. TDH.VP.INIT gives VM 3's TSC_DEADLINE all ones only
            // when the TD has VM 3, so alone it differs only in a snapshot.
            FieldChange(
                "numL2VMs", also: ["vcpus[0].tscDeadline"],
                alone: { try snapshotPair(Machine(numL2VMs: 3)) { $0["numL2VMs"] = .uint(2) } }
            ) {
                (Machine(numL2VMs: 2), Machine(numL2VMs: 3))
            },
            // GPAW is fixed at TDH.MNG.INIT: two TDs; the GPA space has the TD's width.
            FieldChange("width", also: ["space.width"]) {
                (Machine(numL2VMs: 1, width: .gpaw48), Machine(numL2VMs: 1, width: .gpaw52))
            },
            // NUM_VCPUS is the length of `vcpus` (`validateDecoded` rejects anything else): never alone.
            FieldChange("vcpuCount", also: ["vcpus[1]"]) {
                (Machine(numL2VMs: 1, vcpus: 1), Machine(numL2VMs: 1, vcpus: 2))
            },
            // The TD-scope fields TDH.MNG.INIT would set (not modelled): their public setters are the API.
            FieldChange("attributes") { changed(standardMachine()) { $0.attributes = 1 } },  // DEBUG
            FieldChange("xfam") { changed(standardMachine()) { $0.xfam = 0x7 } },  // + AVX
            FieldChange("tscFrequency") { changed(standardMachine()) { $0.tscFrequency = 80 } },  // 2 GHz
            // The platform profile of Specs/global-metadata.tsv: only what TDG.SYS.RD reports depends on it.
            FieldChange("platform") {
                changed(standardMachine()) { $0.platform = GlobalPlatform.all[1] }
            },
            FieldChange("tdCtls") { changed(standardMachine()) { $0.tdCtls = 1 } },  // PENDING_VE_DISABLE
            FieldChange("notifyEnables") { changed(standardMachine()) { $0.notifyEnables = 1 } },
            FieldChange("extraConfigFlags") {
                changed(standardMachine()) { $0.extraConfigFlags = Machine.flexiblePendingVE }
            },
            FieldChange("vmCtls") {
                try changed(standardMachine()) { m in
                    // TDH.MNG.WR of VM_CTLS[2] bit 0 (tdh_mng_rd_wr.c).
                    let r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0014, r8: 1, r9: 1)
                    try #require(r.rax == St.success, "TDH.MNG.WR: \(hex64(r.rax))")
                }
            },
            FieldChange("l2SEPTFlushes") {
                try changed(standardMachine()) { m in
                    try #require(try m.td(TDG.invept, rcx: 0b10).regs.rax == St.success)  // VM 1
                }
            },
            FieldChange("opState") {
                try changed(Machine(numL2VMs: 1)) { m in
                    try #require(m.host(TDH.finalize).rax == St.success)
                }
            },
            // A machine check in L2 is a fatal TD exit: the vCPU waits for a host that can no longer enter it.
            // Alone (so the exit's own words cannot hide a missing one), in a snapshot.
            FieldChange(
                "isFatal", also: ["vcpus[0].location", "vcpus[0].pendingExit"],
                alone: { try snapshotPair(standardMachine()) { $0["isFatal"] = .bool(true) } }
            ) {
                try changed(try inVM1()) { m in
                    let o = try m.l2Event(vcpu: 0, .exception(vector: 18, errorCode: nil))
                    guard case .tdExit = o else { throw Failure("#MC in L2: \(o)") }
                }
            },
            // An L2 `time` event with no deadline armed: only the TD's virtual TSC moves.
            FieldChange("virtualTSC") {
                try changed(try inVM1()) { m in
                    let o = try m.l2Event(vcpu: 0, .time(ticks: 0x10))
                    guard o == .continued else { throw Failure("time in L2: \(o)") }
                }
            },
            // TDG.MR.RTMR.EXTEND of RTMR[1] with the 48 bytes at 0x3040.
            FieldChange("rtmr") {
                try changed(standardMachine()) { m in
                    try #require(try m.td(2, rcx: 0x3040, rdx: 1).regs.rax == St.success)
                }
            },
            // TDH.MR.EXTEND of the chunk at 0x0 in a TD not yet finalized: a step of the MRTD log.
            FieldChange("mrtdLog") {
                var config = MachineConfig(numL2VMs: 1, memory: [.init(gpa: 0x0, size: 0x2000, state: .mapped)])
                config.finalize = false
                return try changed(Machine(config: config)) { m in
                    try #require(m.host(16, rcx: 0x1000).rax == St.success)
                }
            },
            // A config's MROWNER (TD_PARAMS at TDH.MNG.INIT).
            FieldChange("tdParams") {
                var config = standardConfig()
                config.measurements.mrOwner = Array(repeating: 0x42, count: 48)
                return (standardMachine(), Machine(config: config))
            },
            // TDH.MEM.TRACK with nothing blocked: only TD_EPOCH moves.
            FieldChange("tdEpoch") {
                try changed(standardMachine()) { m in
                    try #require(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
                }
            },
            FieldChange("space", also: ["space.contents", "space.settledDigest"]) {
                try changed(standardMachine()) { try $0.writeMemory(gpa: 0x3010, [1, 2, 3]) }
            },
            FieldChange("vcpus", also: ["vcpus[0].l1Interrupts"]) {
                try changed(standardMachine()) { try $0.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0) }
            },
        ]
    }

    /// Every stored VCPU field that is state, changed on vCPU 0.
    fileprivate static var vcpuFields: [FieldChange] {
        [
            // The host resumes L2 after an external interrupt TD-exited it: in L2 again, nothing pending. Where the
            // vCPU is follows from CURR_VM and the pending exit (`validateDecoded`), so it never changes alone.
            FieldChange("location", also: ["vcpus[0].pendingExit"]) {
                var base = try inVM1()
                let o = try base.l2Event(vcpu: 0, .externalInterrupt(vector: 0x30))
                guard case .tdExit = o else { throw Failure("external interrupt in L2: \(o)") }
                return try changed(base) { m in
                    let e = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                    try #require(e == .resumedL2(vm: 1))
                }
            },
            // Two fault-like ACCEPT TD exits (FREE entries, tdg_mem_page_accept.c): both leave the vCPU waiting for the
            // host, with a different EPT violation pending; L1's registers are untouched.
            FieldChange("pendingExit") {
                var base = standardMachine()
                try acceptExit(&base, gpa: 0x9000)
                return try changed(base) { m in
                    try #require(
                        m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                            == .resumedL1(registers: nil))
                    try acceptExit(&m, gpa: 0xA000)
                }
            },
            // CURR_VM goes with where the vCPU is (never alone: `validateDecoded`): an L2→L1 exit (CPUID) also
            // gives L1 its registers and records the exit in the VMCS.
            FieldChange(
                "currentVM", also: ["vcpus[0].location", "vcpus[0].gprs", "vcpus[0].vmcs", "vcpus[0].digest"]
            ) {
                try changed(try inVM1()) { m in
                    let o = try m.l2Event(vcpu: 0, .cpuid)
                    guard case .exitToL1 = o else { throw Failure("CPUID in L2: \(o)") }
                }
            },
            FieldChange("gprs") {
                try changed(try inVM1()) { m in
                    try #require(try m.l2Event(vcpu: 0, .setRegister(3, 0x1234)) == .continued)  // RBX
                }
            },
            // TDG.VP.ENTER keeps L1's RSP while L2 runs: the same entry with another RSP.
            FieldChange("l1RSP") {
                (try inVM1(l1RSP: 0x5000), try inVM1(l1RSP: 0x6000))
            },
            // A VM-entry failure (RFLAGS bit 1 clear) leaves VM_LAUNCHED alone (tdg_vp_enter.c): the same failed entry,
            // once after a launch and once without.
            FieldChange("vmLaunched") {
                var launched = try backFromVM1()
                try failedEntry(&launched)
                var never = standardMachine()
                try failedEntry(&never)
                return (never, launched)
            },
            FieldChange("l2Ctls") {
                try changed(standardMachine()) { try $0.mustWrite(FID.l2Ctls(1), 0x2) }  // ENABLE_TDVMCALL
            },
            FieldChange("tscDeadline") {
                try changed(standardMachine()) { try $0.mustWrite(FID.tscDeadline(1), 0x1_0000) }
            },
            FieldChange("cpuidVE") {
                try changed(standardMachine()) { try $0.mustWrite(FID.cpuidSupervisorVE, 1) }
            },
            // An L1 CPUID the TD's table lacks is a #VE: VE_INFO filled, VALID = 0xFFFFFFFF.
            // TDH.VP.WR of the posted-interrupt notification vector: a record in the vCPU digest.
            FieldChange("l1VMCS") {
                try changed(standardMachine()) { m in
                    var r = RegisterFile(rax: 43, rcx: 0x20_0000_0000, rdx: 0x0024_0001_0000_0002, r8: 0xF2, r9: 0xFFFF)
                    m.seamcall(&r)
                    try #require(r.rax == 0, "TDH.VP.WR: \(hex64(r.rax))")
                }
            },
            // A delivery track: what one VM's last event is and how many times it was delivered (edited in a
            // snapshot so that nothing else changes; InjectionTests reach it through injections).
            FieldChange("deliveryTracks") {
                try snapshotPair(try backFromVM1()) { $0["vcpus"][0]["deliveryTracks"]["vm1"]["deliveries"] = .uint(1) }
            },
            FieldChange("veInfo") {
                try changed(standardMachine()) { m in
                    let r = try m.executeL1CPUID(vcpu: 0, leaf: 0x4000_0000, subleaf: 0)
                    try #require(r.fault == .ve)
                }
            },
            // No operation leaves L2_EXIT_HOST_ROUTING set: a RESUME_L1 entry sets it and ends L1's
            // TDG.VP.ENTER, which clears it, in one call. A snapshot can still hold it, and
            // `validateDecoded` accepts that: two snapshots that differ in it must hash differently.
            FieldChange("hostRouting") {
                let pair = try snapshotPair(try backFromVM1()) { $0["vcpus"][0]["hostRouting"] = .uint(1) }  // ASYNC
                var check = pair.after
                #expect(check.validateDecoded()?.field == nil, "a valid snapshot")
                return pair
            },
            // TDG.VP.ENTER records the buffer GPA before translating it: two entries with buffers on FREE pages,
            // both TD-exiting (fault-like) and re-entered by the host.
            FieldChange("guestStateGPA") {
                var base = standardMachine()
                try base.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), 0x2000)
                try untranslatableEntry(&base, buffer: 0x9000)
                return try changed(base) { try untranslatableEntry(&$0, buffer: 0xA000) }
            },
            // Writing the virtual-APIC GPA, even with the value it holds, drops its cached translation (tdg_vp_enter.c).
            FieldChange("translationsCached") {
                try changed(try backFromVM1()) { try $0.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), 0x2000) }
            },
            // After a TDH.MEM.TRACK (epoch 1 → 2), a host TDH.VP.ENTER of the L1 vCPU or none: the entry samples
            // epoch 2 and drops the translations cached in epoch 1 (tdh_vp_enter.c, adjust_tlb_tracking_state).
            FieldChange("translationEpoch", also: ["vcpus[0].translationsCached"]) {
                var before = try backFromVM1()
                try #require(before.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
                var after = before
                let entry = after.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                try #require(entry == .resumedL1(registers: nil))
                return (before, after)
            },
            // L1's copies of the CR guest/host masks and read shadows. A mask bit the base mask owns too (CR0.CD,
            // CR4 bit 63) and a shadow bit under a cleared L1 mask bit leave the VMCS's combined mask and shadow
            // as they were (tdg_vp_rd_wr.c): only L1's copy changes.
            FieldChange("l1CR0Mask") {
                var base = standardMachine()
                try base.mustWrite(FID.vmcs(1, Enc.cr0GuestHostMask), ~0)  // combines the VMCS mask once
                return try changed(base) { try $0.mustWrite(FID.vmcs(1, Enc.cr0GuestHostMask), ~(1 << 30)) }
            },
            FieldChange("l1CR4Mask") {
                var base = standardMachine()
                try base.mustWrite(FID.vmcs(1, Enc.cr4GuestHostMask), ~0)
                return try changed(base) { try $0.mustWrite(FID.vmcs(1, Enc.cr4GuestHostMask), ~(1 << 63)) }
            },
            FieldChange("l1CR0Shadow") {
                var base = standardMachine()
                try base.mustWrite(FID.vmcs(1, Enc.cr0GuestHostMask), ~(1 << 30))
                return try changed(base) { try $0.mustWrite(FID.vmcs(1, Enc.cr0ReadShadow), 1 << 30) }
            },
            FieldChange("l1CR4Shadow") {
                var base = standardMachine()
                try base.mustWrite(FID.vmcs(1, Enc.cr4GuestHostMask), ~(1 << 63))
                return try changed(base) { try $0.mustWrite(FID.vmcs(1, Enc.cr4ReadShadow), 1 << 63) }
            },
            // The same re-entry with and without INVD_TRANSLATIONS = 2 (INVVPID single-context).
            FieldChange("vpidFlushes") {
                var plain = try backFromVM1()
                try reenterVM1(&plain)
                var flushed = try backFromVM1()
                try reenterVM1(&flushed, invd: 2)
                return (plain, flushed)
            },
            // RVI (the hash word it always had); each record of L1Interrupts: L1InterruptTests.hashSeesEachRecord.
            FieldChange("l1Interrupts") {
                try changed(standardMachine()) { try $0.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0) }
            },
            // A VMCS field (the digest is the sum of the records of the fields not at reset).
            FieldChange("vmcs", also: ["vcpus[0].digest"]) {
                try changed(standardMachine()) { try $0.mustWrite(FID.vmcs(1, Enc.csSelector), 0x10) }
            },
            FieldChange("msrBitmaps", also: ["vcpus[0].digest"]) {
                try changed(standardMachine()) { try $0.mustWrite(FID.msrBitmap(2, word: 0), 0) }
            },
            // Derived: the sum of the VMCS and MSR-bitmap records, so it never changes alone.
            FieldChange("digest", also: ["vcpus[0].vmcs"]) {
                try changed(standardMachine()) { try $0.mustWrite(FID.vmcs(3, Enc.guestPAT), 0x0606) }
            },
            // A `let` equal to the vCPU's position; only a snapshot with its vCPUs swapped differs in it alone
            // (`validateDecoded` rejects that file, but the hash must still tell the two apart).
            FieldChange("index", also: ["vcpus[1].index"]) {
                let pair = try snapshotPair(standardMachine(vcpus: 2)) { json in
                    let v = json["vcpus"]
                    json["vcpus"] = .array([v[1], v[0]])
                }
                var check = pair.after
                #expect(check.validateDecoded()?.field == "vcpus.0.index")
                return pair
            },
        ]
    }

    /// Every stored GPASpace field that is state.
    fileprivate static var gpaSpaceFields: [FieldChange] {
        [
            // The GPA space has the TD's GPAW (`validateDecoded`), which the TD-scope words hash.
            FieldChange("width", also: ["width"]) {
                (Machine(numL2VMs: 1, width: .gpaw48), Machine(numL2VMs: 1, width: .gpaw52))
            },
            // ATTR.WR creating a VM1 alias of 0x5000 (R|W|X): the L1 leaf record holds the alias.
            FieldChange("leaves", also: ["space.settledDigest"]) {
                try changed(standardMachine()) { m in
                    try #require(try m.attrWr(0x5000, slot(1, 0x8007), slot(1, 0xF)).regs.rax == St.success)
                }
            },
            // TDH.MEM.SEPT.ADD version 1 with only an L2 page (VM1, level 3): an L2 SEPT paging page appears.
            FieldChange("tables", also: ["space.settledDigest"]) {
                try changed(standardMachine(l2SEPT: .onDemand)) { m in
                    let r = m.host(
                        TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: 0x5000_3000, r10: TDH.nullPA,
                        r11: TDH.nullPA)
                    try #require(r.rax == St.success, "TDH.MEM.SEPT.ADD: \(hex64(r.rax))")
                }
            },
            FieldChange("contents", also: ["space.settledDigest"]) {
                try changed(standardMachine()) { try $0.writeMemory(gpa: 0x4FF8, [0xAA]) }
            },
            // The host maps a shared page (GPAW 48: SHARED bit 47) in its shared EPT; nothing is written to it.
            FieldChange("shared", also: ["space.settledDigest"]) {
                try changed(standardMachine()) { try $0.mapShared(gpa: 1 << 47 | 0x8000, size: 0x1000) }
            },
            // A 2M ACCEPT of 0x400000 interrupted after its first 4K chunk (an interrupt pending for L1: RVI class 4
            // over PPR class 0): the leaf stays PENDING, only its accept counter (1) is new.
            FieldChange("acceptCounters", also: ["space.settledDigest"]) {
                var m = standardMachine()
                try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0)
                return try changed(m) { try #require(try $0.accept(0x40_0001).outcome == .interrupted) }
            },
            // TDH.MEM.RANGE.BLOCK of 0x3000 before or after a TDH.MEM.TRACK: the same blocked leaf, tracked or not.
            FieldChange("blocks", also: ["space.settledDigest"]) {
                var tracked = standardMachine()
                tracked.blockAndTrack(0x3000)
                var untracked = standardMachine()
                try #require(untracked.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
                try #require(untracked.host(TDH.block, rcx: 0x3000).rax == St.success)
                return (untracked, tracked)
            },
            // Derived: the sum of the record hashes, so it never changes alone. TDG.MEM.PAGE.ACCEPT maps 0x10000.
            FieldChange("settledDigest", also: ["space.leaves"]) {
                try changed(standardMachine()) { try #require(try $0.accept(0x1_0000).regs.rax == St.success) }
            },
            // Derived: the number of NL_BLOCKED L1 entries. TDH.MEM.RANGE.BLOCK of the PDE over 0–2M.
            FieldChange("blockedTables", also: ["space.tables", "space.blocks", "space.settledDigest"]) {
                try changed(standardMachine()) { try #require($0.host(TDH.block, rcx: 0x1).rax == St.success) }
            },
        ]
    }

    // MARK: Tests

    @Test func everyStoredMachineFieldIsHashed() throws {
        let m = standardMachine()
        expectListed(
            storedLabels(m), state: HashCoverageTests.machineFields, notState: HashCoverageTests.machineNotState,
            type: "Machine")
        for change in HashCoverageTests.machineFields {
            let own = ["space", "vcpus"].contains(change.field) ? nil : change.field
            try expectHashed(change, path: own, prefix: change.field)
        }
    }

    @Test func everyStoredVCPUFieldIsHashed() throws {
        let m = standardMachine()
        expectListed(
            storedLabels(m.vcpus[0]), state: HashCoverageTests.vcpuFields, notState: HashCoverageTests.vcpuNotState,
            type: "VCPU")
        for change in HashCoverageTests.vcpuFields {
            try expectHashed(change, path: "vcpus[0].\(change.field)", prefix: "vcpus[")
        }
    }

    @Test func everyStoredGPASpaceFieldIsHashed() throws {
        let m = standardMachine()
        expectListed(
            storedLabels(m.space), state: HashCoverageTests.gpaSpaceFields,
            notState: HashCoverageTests.gpaSpaceNotState, type: "GPASpace")
        for change in HashCoverageTests.gpaSpaceFields {
            try expectHashed(change, path: "space.\(change.field)", prefix: "space.")
        }
    }

    @Test func memosAreNotState() throws {
        // The vCPU memos, filled by running L2: just entered (buffer copy, entry checks passed), after a
        // branch (RIP changed since the checks), back in L1 (buffer written back). Dropping them changes no
        // state and no hash, and the same steps then reach the same states and hashes as with the memos.
        var filled: [Machine] = []
        var m = try inVM1()
        filled.append(m)
        #expect(try m.l2Event(vcpu: 0, .jump(rip: 0x10_0040)) == .continued)
        filled.append(m)
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw Failure("CPUID in L2") }
        filled.append(m)
        var reached = Set<String>()
        for (n, state) in filled.enumerated() {
            var kept = state
            var dropped = state.droppingMemos()
            reached.formUnion(memoDifferences(kept, dropped))
            #expect(differences(kept, dropped).isEmpty, "state \(n): dropping the memos changed state")
            #expect(kept.stateHash() == dropped.stateHash(), "state \(n)")
            #expect(dropped.recomputedStateHash() == dropped.stateHash(), "state \(n)")
            for step in 0..<6 {
                try continueRunning(&kept, step)
                try continueRunning(&dropped, step)
                let touched = differences(kept, dropped)
                #expect(
                    touched.isEmpty, "state \(n), step \(step): with and without memos differ in \(touched.sorted())")
                #expect(kept.stateHash() == dropped.stateHash(), "state \(n), step \(step)")
                #expect(dropped.recomputedStateHash() == dropped.stateHash(), "state \(n), step \(step)")
            }
        }

        // The vCPUs' hash memo: filled by `cachedStateHash()`, dropped by `droppingMemos()`, forgotten when a
        // vCPU changes.
        var cached = filled[2]
        let hash = cached.stateHash()
        #expect(cached.cachedStateHash() == hash)
        reached.formUnion(memoDifferences(filled[2], cached))
        #expect(cached.stateHash() == hash)
        #expect(cached.droppingMemos().stateHash() == hash)
        try cached.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0)
        #expect(cached.stateHash() != hash)
        #expect(cached.cachedStateHash() == cached.recomputedStateHash(), "a stale vCPUs' hash memo")

        // The content version: a byte written and written back leaves the state, and the hash, as they were.
        let fresh = standardMachine()
        var rewritten = fresh
        try rewritten.writeMemory(gpa: 0x3010, [1])
        try rewritten.writeMemory(gpa: 0x3010, [0])
        reached.formUnion(memoDifferences(fresh, rewritten))
        #expect(differences(fresh, rewritten).isEmpty)
        #expect(rewritten.stateHash() == fresh.stateHash())
        #expect(rewritten.recomputedStateHash() == fresh.stateHash())

        // The leaf version: a VM1 alias of 0x5000 created (R|W|X) and removed again (VALID alone, mask all)
        // leaves the state, and the hash, as they were.
        var realiased = fresh
        #expect(try realiased.attrWr(0x5000, slot(1, 0x8007), slot(1, 0xF)).regs.rax == St.success)
        #expect(try realiased.attrWr(0x5000, slot(1, 0x8000), slot(1, 0xF)).regs.rax == St.success)
        reached.formUnion(memoDifferences(fresh, realiased))
        #expect(differences(fresh, realiased).isEmpty)
        #expect(realiased.stateHash() == fresh.stateHash())

        // The last delivery: a TDG.VP.ENTER that injects an event reports it; dropping the report is no change.
        var injected = standardMachine()
        try injected.mustWrite(FID.vmcs(1, 0x4016), 0x8000_0030)
        #expect(try injected.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
        reached.formUnion(memoDifferences(injected, injected.droppingMemos()))
        // The delivery completes as L2 runs on: IF cleared by the model (`eventStateChanged`).
        #expect(try injected.l2Event(vcpu: 0, .jump(rip: 0x10_0040)) == .continued)
        reached.formUnion(memoDifferences(injected, injected.droppingMemos()))
        #expect(differences(injected, injected.droppingMemos()).isEmpty)
        #expect(injected.droppingMemos().stateHash() == injected.stateHash())

        // Every memo was reached (but `vectoringOverride`, nil between events); `resets` cannot change (a `let` copy of one table): it is the same everywhere.
        let all = Set(
            HashCoverageTests.machineNotState.map { "Machine.\($0)" }
                + HashCoverageTests.vcpuNotState.map { "VCPU.\($0)" }
                + HashCoverageTests.gpaSpaceNotState.map { "GPASpace.\($0)" })
        #expect(
            reached == all.subtracting(["VCPU.resets", "Machine.vectoringOverride"]),
            "memos never filled: \(all.subtracting(reached).sorted())")
        let resets = Set(
            (filled + [fresh, Machine(numL2VMs: 0, vcpus: 2)]).flatMap { $0.vcpus }.map { v in
                fingerprint(Mirror(reflecting: v).children.first { $0.label == "resets" }!.value)
            })
        #expect(resets.count == 1)
    }
}

// MARK: - Field changes

/// How the suite changes one stored field: two machines, built through the public API, that differ in the
/// field and in `also` (full paths: `tdEpoch`, `space.leaves`, `vcpus[0].gprs`) and in nothing else that is
/// state; nil when no second value of the field can exist yet. When `also` could hide a field left out of the
/// hash, `alone` gives two snapshots (a valid file each, `validateDecoded`) that differ in the field only.
private struct FieldChange: Sendable {
    typealias Pair = (before: Machine, after: Machine)
    let field: String
    let also: Set<String>
    let make: @Sendable () throws -> Pair?
    let alone: (@Sendable () throws -> Pair)?
    let sourceLocation: SourceLocation

    init(
        _ field: String, also: Set<String> = [], alone: (@Sendable () throws -> Pair)? = nil,
        sourceLocation: SourceLocation = #_sourceLocation, make: @escaping @Sendable () throws -> Pair?
    ) {
        self.field = field
        self.also = also
        self.make = make
        self.alone = alone
        self.sourceLocation = sourceLocation
    }
}

/// A failed set-up step.
private struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// `base`, and `base` after `change`.
private func changed(_ base: Machine, _ change: (inout Machine) throws -> Void) rethrows -> (Machine, Machine) {
    var after = base
    try change(&after)
    return (base, after)
}

/// The labels `Mirror` shows for `value`: its stored properties.
private func storedLabels(_ value: Any) -> Set<String> {
    Set(Mirror(reflecting: value).children.compactMap(\.label))
}

/// Every stored field is listed exactly once, as state or as not state, and every listed one still exists.
private func expectListed(_ stored: Set<String>, state: [FieldChange], notState: Set<String>, type: String) {
    let listed = state.map(\.field)
    #expect(Set(listed).count == listed.count, "\(type): a field is listed twice: \(listed.sorted())")
    #expect(Set(listed).isDisjoint(with: notState), "\(type): listed both as state and as not state")
    let unlisted = stored.subtracting(listed).subtracting(notState)
    #expect(
        unlisted.isEmpty,
        "\(type) has stored fields this suite does not know: \(unlisted.sorted()). Add each to \(type)'s list with a change that reaches it (and hash it), or to its not-state list with the reason."
    )
    let gone = Set(listed).union(notState).subtracting(stored)
    #expect(gone.isEmpty, "\(type) no longer has these listed fields: \(gone.sorted())")
}

/// The change touches exactly `path` (nil: nothing at the top) and `also`, the hash sees it, and the kept hash
/// equals the recomputed one on both sides.
private func expectHashed(_ change: FieldChange, path: String?, prefix: String) throws {
    let loc = change.sourceLocation
    if let (before, after) = try change.make() {
        let expected = change.also.union(path.map { [$0] } ?? [])
        let touched = differences(before, after)
        #expect(
            touched == expected,
            "\(change.field): the change touched \(touched.sorted()), expected \(expected.sorted())",
            sourceLocation: loc)
        #expect(
            touched.contains { $0.hasPrefix(prefix) }, "\(change.field): the change does not reach it",
            sourceLocation: loc)
        expectHashesDiffer(before, after, change.field, loc)
    }
    if let alone = change.alone {
        let (before, after) = try alone()
        let touched = differences(before, after)
        #expect(
            touched == Set(path.map { [$0] } ?? []), "\(change.field) alone: touched \(touched.sorted())",
            sourceLocation: loc)
        var check = after
        if let (field, message) = check.validateDecoded() {
            Issue.record("\(change.field) alone: not a valid snapshot: \(field): \(message)", sourceLocation: loc)
        }
        expectHashesDiffer(before, after, "\(change.field) alone", loc)
    }
}

/// The state hash tells `before` and `after` apart, and the kept hash equals the recomputed one on both sides.
private func expectHashesDiffer(_ before: Machine, _ after: Machine, _ what: String, _ loc: SourceLocation) {
    #expect(before.stateHash() != after.stateHash(), "\(what) changed but the state hash did not", sourceLocation: loc)
    #expect(before.recomputedStateHash() == before.stateHash(), "\(what): before", sourceLocation: loc)
    #expect(after.recomputedStateHash() == after.stateHash(), "\(what): after", sourceLocation: loc)
}

// MARK: - Comparing states field by field

/// The not-state fields (`Machine.x`, `VCPU.x` of any vCPU, `GPASpace.x`) whose raw values differ.
private func memoDifferences(_ a: Machine, _ b: Machine) -> Set<String> {
    func raw(_ value: Any, _ labels: Set<String>, _ type: String) -> [String: String] {
        var out: [String: String] = [:]
        for c in Mirror(reflecting: value).children where labels.contains(c.label ?? "") {
            out["\(type).\(c.label!)"] = String(describing: c.value)
        }
        return out
    }
    func memos(_ m: Machine) -> [[String: String]] {
        [
            raw(m, HashCoverageTests.machineNotState, "Machine"),
            raw(m.space, HashCoverageTests.gpaSpaceNotState, "GPASpace"),
        ]
            + m.vcpus.map { raw($0, HashCoverageTests.vcpuNotState, "VCPU") }
    }
    var out = Set<String>()
    for (x, y) in zip(memos(a), memos(b)) {
        for (label, value) in x where y[label] != value { out.insert(label) }
    }
    return out
}

/// Every piece of state of `m` as path → fingerprint: the Machine's fields, each vCPU's (`vcpus[i].label`) and
/// the GPA space's (`space.label`), memos left out.
/// Page hashes are compared settled (as `cachedStateHash()` leaves them): a deferred page's stored hash is the
/// one it had before its last writes (GPASpace+DeferredHashes.swift), so equal states may store different ones.
private func statePaths(_ machine: Machine) -> [String: String] {
    var m = machine
    _ = m.cachedStateHash()
    var out: [String: String] = [:]
    for child in Mirror(reflecting: m).children {
        guard let label = child.label, !HashCoverageTests.machineNotState.contains(label) else { continue }
        guard label != "space" && label != "vcpus" else { continue }
        out[label] = fingerprint(child.value)
    }
    for child in Mirror(reflecting: m.space).children {
        guard let label = child.label, !HashCoverageTests.gpaSpaceNotState.contains(label) else { continue }
        out["space.\(label)"] = fingerprint(child.value)
    }
    for (i, v) in m.vcpus.enumerated() {
        for child in Mirror(reflecting: v).children {
            guard let label = child.label, !HashCoverageTests.vcpuNotState.contains(label) else { continue }
            out["vcpus[\(i)].\(label)"] = fingerprint(child.value)
        }
    }
    return out
}

/// The state paths in which `a` and `b` differ; a vCPU only one of them has is `vcpus[i]`.
private func differences(_ a: Machine, _ b: Machine) -> Set<String> {
    let x = statePaths(a)
    let y = statePaths(b)
    var out = Set<String>()
    for path in Set(x.keys).union(y.keys) where x[path] != y[path] {
        out.insert(x[path] == nil || y[path] == nil ? String(path.prefix { $0 != "." }) : path)
    }
    return out
}

/// A string that is equal for two values exactly when their stored contents are: `Mirror` all the way down,
/// except that a `U64Map` is its entries sorted by key (its slot layout depends on history, not on state).
private func fingerprint(_ value: Any) -> String {
    if let words = value as? [UInt64] { return words.description }
    if let bytes = value as? [UInt8] { return bytes.description }
    if let p = value as? ModuleProfile { return p.version }  // holds a Set, whose order is not stable
    let mirror = Mirror(reflecting: value)
    if String(describing: mirror.subjectType).hasPrefix("U64Map<") {
        let fields = Dictionary(uniqueKeysWithValues: mirror.children.map { ($0.label ?? "", $0.value) })
        let keys = fields["keys"] as! [UInt64]
        let values = Array(Mirror(reflecting: fields["values"]!).children.map(\.value))
        return keys.indices.filter { keys[$0] != ~0 }.sorted { keys[$0] < keys[$1] }
            .map { "\(keys[$0]):\(fingerprint(values[$0]))" }.joined(separator: ",")
    }
    if mirror.children.isEmpty { return String(describing: value) }
    return "(" + mirror.children.map { "\($0.label ?? "_"):\(fingerprint($0.value))" }.joined(separator: ",") + ")"
}

// MARK: - Snapshots

/// `m` after a JSON round trip through its `Codable` conformance (what a snapshot file holds), with `edit` applied
/// to the JSON in between.
private func snapshot(of m: Machine, _ edit: (inout JSONValue) -> Void = { _ in }) throws -> Machine {
    var json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(m))
    edit(&json)
    return try JSONDecoder().decode(Machine.self, from: JSONEncoder().encode(json))
}

/// `m` and `m` with `edit` applied, both through a snapshot round trip.
private func snapshotPair(_ m: Machine, _ edit: (inout JSONValue) -> Void) throws -> FieldChange.Pair {
    (try snapshot(of: m), try snapshot(of: m, edit))
}

/// A JSON document with exact 64-bit integers, to edit one field of a snapshot.
private enum JSONValue: Codable {
    case null
    case bool(Bool)
    case uint(UInt64)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Numbers first, then containers: they are most of a snapshot, and each failed attempt throws (slow).
        if let v = try? c.decode(UInt64.self) {
            self = .uint(v)
        } else if c.decodeNil() {
            self = .null
        } else if let v = try? c.decode([String: JSONValue].self) {
            self = .object(v)
        } else if let v = try? c.decode([JSONValue].self) {
            self = .array(v)
        } else if let v = try? c.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? c.decode(Int64.self) {
            self = .int(v)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .uint(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }

    subscript(key: String) -> JSONValue {
        get {
            guard case .object(let o) = self, let v = o[key] else { return .null }
            return v
        }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    subscript(index: Int) -> JSONValue {
        get {
            guard case .array(let a) = self, a.indices.contains(index) else { return .null }
            return a[index]
        }
        set {
            guard case .array(var a) = self, a.indices.contains(index) else { return }
            a[index] = newValue
            self = .array(a)
        }
    }
}

// MARK: - Scenarios

/// vCPU 0 of `standardMachine()` running L2 VM 1, entered with `enterL2` (patterned guest state, buffer 0x1000,
/// virtual-APIC page 0x2000).
private func inVM1(l1RSP: UInt64 = 0x5000) throws -> Machine {
    var m = standardMachine()
    let c = try m.enterL2(vm: 1, l1RSP: l1RSP)
    guard c.outcome == .enteredL2(vm: 1) else {
        throw Failure("TDG.VP.ENTER VM1: \(c.outcome), RAX \(hex64(c.regs.rax))")
    }
    return m
}

/// `inVM1()` after L2's CPUID exited to L1.
private func backFromVM1() throws -> Machine {
    var m = try inVM1()
    let o = try m.l2Event(vcpu: 0, .cpuid)
    guard case .exitToL1 = o else { throw Failure("CPUID in L2: \(o)") }
    return m
}

/// Step `step` of a run that goes on from `m` on VM 1: leave L2 by CPUID if it is there, enter again, branch,
/// write a register, exit, enter again.
private func continueRunning(_ m: inout Machine, _ step: Int) throws {
    if case .l2 = m.vcpus[0].location, step == 0 {
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw Failure("CPUID in L2") }
    }
    switch step {
    case 0, 4: try reenterVM1(&m)
    case 1: #expect(try m.l2Event(vcpu: 0, .jump(rip: 0x10_0080)) == .continued)
    case 2: #expect(try m.l2Event(vcpu: 0, .setRegister(5, 0xBEEF)) == .continued)
    case 3, 5:
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw Failure("CPUID in L2") }
    default: break
    }
}

/// TDG.VP.ENTER of VM 1 again, with the buffer at 0x1000 as it is and INVD_TRANSLATIONS `invd`.
private func reenterVM1(_ m: inout Machine, invd: UInt64 = 0) throws {
    var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1, invd: invd), rdx: 0x1000)
    r.rsp = 0x5000
    let o = try m.tdcall(vcpu: 0, &r)
    guard o == .enteredL2(vm: 1) else { throw Failure("TDG.VP.ENTER VM1 again: \(o), RAX \(hex64(r.rax))") }
}

/// TDG.VP.ENTER of VM 1 with a guest state whose RFLAGS bit 1 is clear: a VM-entry failure, an L2→L1 exit.
private func failedEntry(_ m: inout Machine) throws {
    var state = GuestState.patterned()
    state.rflags = 0
    let c = try m.enterL2(vm: 1, state: state)
    guard c.completed, c.regs.rax & 0xFFFF_FFFF == 0x8000_0021 else {
        throw Failure("TDG.VP.ENTER with bad RFLAGS: \(c.outcome), RAX \(hex64(c.regs.rax))")
    }
}

/// TDG.VP.ENTER of VM 1 with the buffer at `buffer`, a page L1 cannot access: a fault-like TD exit, after which
/// the host re-enters L1.
private func untranslatableEntry(_ m: inout Machine, buffer: UInt64) throws {
    var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: buffer)
    guard case .tdExit = try m.tdcall(vcpu: 0, &r) else { throw Failure("TDG.VP.ENTER at \(hex64(buffer))") }
    guard m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL1(registers: nil) else {
        throw Failure("TDH.VP.ENTER after the entry's TD exit")
    }
}

/// TDG.MEM.PAGE.ACCEPT of the FREE 4K entry at `gpa`: a fault-like TD exit that leaves the vCPU with the host.
private func acceptExit(_ m: inout Machine, gpa: UInt64) throws {
    var r = RegisterFile(rax: TDG.accept, rcx: gpa)
    guard case .tdExit = try m.tdcall(vcpu: 0, &r), m.vcpus[0].location == .host else {
        throw Failure("ACCEPT of \(hex64(gpa)) should TD-exit")
    }
}
