import Foundation
import SEAMCore
import SEAMTypes
import Testing

/// The host's shared EPT and memory (Machine+SharedMemory.swift): what the host maps at shared GPAs, L1's
/// and L2's accesses to it, MapGPA through the built-in host (GHCI "TDG.VP.VMCALL<MapGPA>"), the state hash
/// and the isolation invariant. The standard TD has GPAW 48: the SHARED bit is bit 47.
@Suite struct SharedMemoryTests {
    static let shared: UInt64 = 1 << 47

    // MARK: Host map, unmap, write, read

    /// Two mapped pages read as zeros; a host write across their boundary reads back, in the host's view and in
    /// L1's (`readMemory`); an L1 store lands in the same bytes.
    @Test func hostAndL1SeeTheSameSharedBytes() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x2000)
        #expect(try m.readShared(gpa: Self.shared | 0x8FFE, count: 4) == [0, 0, 0, 0])
        try m.writeShared(gpa: Self.shared | 0x8FFE, [1, 2, 3, 4])
        #expect(try m.readMemory(gpa: Self.shared | 0x8FFE, count: 4) == [1, 2, 3, 4])
        try m.store(vcpu: 0, gpa: Self.shared | 0x9001, [0xAA])
        #expect(try m.readShared(gpa: Self.shared | 0x8FFE, count: 4) == [1, 2, 3, 0xAA])
    }

    /// Unmapping drops the bytes: L1 can no longer reach the page, and mapped again it reads as zeros. A page
    /// already mapped keeps its bytes when mapped again.
    @Test func unmapDropsTheBytesAndRemapKeepsMappedOnes() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x2000)
        try m.writeShared(gpa: Self.shared | 0x8000, [7])
        try m.writeShared(gpa: Self.shared | 0x9000, [9])
        try m.mapShared(gpa: Self.shared | 0x9000, size: 0x1000)
        #expect(try m.readShared(gpa: Self.shared | 0x9000, count: 1) == [9])
        try m.unmapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        #expect(throws: MachineError.notL1Accessible(gpa: Self.shared | 0x8000)) {
            try m.readMemory(gpa: Self.shared | 0x8000, count: 1)
        }
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        #expect(try m.readShared(gpa: Self.shared | 0x8000, count: 1) == [0])
    }

    /// Map and unmap take whole shared 4K pages within GPAW 48: a private GPA, a start or size not 4K-aligned,
    /// size 0 and a range past bit 47 are refused, and nothing is mapped.
    @Test func mapRefusesWhatIsNotWholeSharedPages() {
        var m = standardMachine()
        for (gpa, size) in [
            (0x8000, 0x1000), (Self.shared | 0x8800, 0x1000), (Self.shared | 0x8000, 0x800),
            (Self.shared | 0x8000, 0), (Self.shared | 0x7FFF_FFFF_F000, 0x2000),
        ] as [(UInt64, UInt64)] {
            #expect(throws: MachineError.self, "\(hexShort(gpa)) \(hexShort(size))") {
                try m.mapShared(gpa: gpa, size: size)
            }
        }
        #expect(m.space.sharedPageCount == 0)
    }

    /// A host write or read touching an unmapped page is refused whole: nothing is written.
    @Test func hostWriteNeedsEveryPageMapped() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        let before = m.stateHash()
        #expect(throws: MachineError.notSharedMemory(gpa: Self.shared | 0x9000, "not a shared page the host mapped")) {
            try m.writeShared(gpa: Self.shared | 0x8FFF, [1, 2])
        }
        #expect(m.stateHash() == before)
        #expect(throws: MachineError.self) { try m.readShared(gpa: 0x8000, count: 1) }  // private
    }

    // MARK: State hash

    /// A machine with no shared mapping hashes as before shared memory existed: the same words, the same
    /// hash. Mapping a page changes the hash, writing it changes it again, unmapping it restores the original;
    /// the incremental hash always equals the recomputed one.
    @Test func theHashCoversMappingsAndBytesAndIsUnchangedWithoutThem() throws {
        var m = standardMachine()
        let original = m.stateHash()
        #expect(m.space.digest == m.space.recomputedDigest())
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        let mapped = m.stateHash()
        #expect(mapped != original && m.recomputedStateHash() == mapped)
        try m.writeShared(gpa: Self.shared | 0x8010, [0x5A])
        let written = m.stateHash()
        #expect(written != mapped && m.recomputedStateHash() == written)
        try m.writeShared(gpa: Self.shared | 0x8010, [0])
        #expect(m.stateHash() == mapped)
        try m.unmapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        #expect(m.stateHash() == original)
    }

    // MARK: Snapshots and the isolation invariant

    /// A snapshot keeps the mappings and bytes; a decoded one without the `shared` key (written before shared
    /// memory) maps nothing and validates.
    @Test func snapshotsKeepSharedMemoryAndOldOnesDecode() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        try m.writeShared(gpa: Self.shared | 0x8000, [3])
        var back = try JSONDecoder().decode(Machine.self, from: JSONEncoder().encode(m))
        #expect(back.validateDecoded() == nil)
        #expect(back.stateHash() == m.stateHash())
        #expect(try back.readShared(gpa: Self.shared | 0x8000, count: 1) == [3])

        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(standardMachine())) as! [String: Any]
        var space = json["space"] as! [String: Any]
        space["shared"] = nil
        json["space"] = space
        var old = try JSONDecoder().decode(Machine.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.validateDecoded() == nil && old.space.sharedPageCount == 0)
        #expect(old.stateHash() == standardMachine().stateHash())
    }

    /// Validation refuses shared bytes at a page the host did not map: a snapshot of a machine with a written
    /// shared page, its `shared` map left out.
    @Test func validationRefusesSharedBytesWithoutAMapping() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        try m.writeShared(gpa: Self.shared | 0x8000, [3])
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(m)) as! [String: Any]
        var space = json["space"] as! [String: Any]
        space["shared"] = nil
        json["space"] = space
        var bad = try JSONDecoder().decode(Machine.self, from: JSONSerialization.data(withJSONObject: json))
        let problem = bad.validateDecoded()
        #expect(problem?.field == "space.contents")
        #expect(problem?.message == "page 0x800000008000 is a shared page the host did not map")
    }

    // MARK: MapGPA through the built-in host

    /// L1's MapGPA of 2 pages at 0x8000 to shared (R12 = SHARED | 0x8000): SUCCESS, the shared pages are
    /// mapped and L1 can store to them; a recorder sees the host's map step before the TDH.VP.ENTER. Back to
    /// private (R12 = 0x8000): SUCCESS, unmapped.
    @Test func mapGPAConvertsThroughTheHostsSharedEPT() throws {
        var engine = Engine(machine: standardMachine(), observer: StepRecorder())
        var host = BuiltInTDVMCallHost()
        var l2 = ScriptedL2([:])
        var regs = RegisterFile(rax: 0, rcx: 0xFC00)
        (regs.r11, regs.r12, regs.r13) = (0x10001, Self.shared | 0x8000, 0x2000)
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.rax == 0 && regs.r10 == 0)
        #expect(
            engine.machine.isSharedMapped(Self.shared | 0x8000) && engine.machine.isSharedMapped(Self.shared | 0x9000))
        #expect(!engine.machine.isSharedMapped(Self.shared | 0xA000))
        let kinds = engine.observer.steps.map { $0.shared }
        #expect(kinds == [nil, .map(gpa: Self.shared | 0x8000, size: 0x2000), nil])  // VMCALL, map, TDH.VP.ENTER
        try engine.store(vcpu: 0, gpa: Self.shared | 0x9FF8, [1])

        regs = RegisterFile(rax: 0, rcx: 0xFC00)
        (regs.r11, regs.r12, regs.r13) = (0x10001, 0x8000, 0x2000)
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.r10 == 0 && engine.machine.space.sharedPageCount == 0)

        // Replaying the recorded steps reaches the same state.
        var again = Engine(machine: standardMachine())
        for step in engine.observer.steps { _ = try again.perform(step) }
        #expect(again.machine.stateHash() == engine.machine.stateHash())
    }

    /// With a limit of 1 page per call, a 3-page MapGPA maps the first page and answers RETRY (1) with R11 =
    /// the next GPA, SHARED | 0x9000 (GHCI: the GPA to resume from); R13 stays as L1 passed it.
    @Test func mapGPABeyondTheHostsLimitAnswersRetry() throws {
        var engine = Engine(machine: standardMachine())
        var host = BuiltInTDVMCallHost()
        host.mapGPAPageLimit = 1
        var l2 = ScriptedL2([:])
        var regs = RegisterFile(rax: 0, rcx: 0xFC00)
        (regs.r11, regs.r12, regs.r13) = (0x10001, Self.shared | 0x8000, 0x3000)
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.r10 == 1 && regs.r11 == Self.shared | 0x9000 && regs.r13 == 0x3000)
        #expect(engine.machine.space.sharedPageCount == 1 && engine.machine.isSharedMapped(Self.shared | 0x8000))
    }

    // MARK: L2

    /// L2 VM 1 writes 8 bytes to a mapped shared page and reads them back into RAX without an exit when
    /// L2_CTLS[1].ENABLE_SHARED_EPTP (bit 0) is set; an unmapped shared page is an EPT-violation TD exit.
    @Test func l2ReachesMappedSharedPagesWithEnableSharedEPTP() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        try m.mustWrite(FID.l2Ctls(1), 0x1)
        let c = try m.enterL2(vm: 1)
        try #require(c.outcome == .enteredL2(vm: 1))
        let w = MemoryAccess(kind: .write, gpa: Self.shared | 0x8008, size: 8, value: 0x1122_3344_5566_7788)
        #expect(try m.l2Event(vcpu: 0, .memory(w)) == .continued)
        #expect(try m.readShared(gpa: Self.shared | 0x8008, count: 2) == [0x88, 0x77])
        let r = MemoryAccess(kind: .read, gpa: Self.shared | 0x8008, size: 4)
        #expect(try m.l2Event(vcpu: 0, .memory(r)) == .continued)
        #expect(m.vcpus[0].gprs.rax == 0x5566_7788)
        guard
            case .tdExit(let e) = try m.l2Event(vcpu: 0, .memory(MemoryAccess(kind: .read, gpa: Self.shared | 0x9000)))
        else {
            Issue.record("an unmapped shared page is a TD exit")
            return
        }
        #expect(e.exitReason == .eptViolation && e.r8 == Self.shared | 0x9000)
    }

    /// Without ENABLE_SHARED_EPTP L2's shared EPTP is the TDCS zero page (metadata_vp.c, the L2_CTLS write):
    /// even a mapped shared page is an EPT-violation TD exit, and nothing is written.
    @Test func withoutEnableSharedEPTPL2SharedAccessesExitToTheHost() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared | 0x8000, size: 0x1000)
        let c = try m.enterL2(vm: 1)
        try #require(c.outcome == .enteredL2(vm: 1))
        let w = MemoryAccess(kind: .write, gpa: Self.shared | 0x8008, size: 1, value: 0x42)
        guard case .tdExit(let e) = try m.l2Event(vcpu: 0, .memory(w)) else {
            Issue.record("expected the EPT-violation TD exit")
            return
        }
        #expect(e.exitReason == .eptViolation)
        #expect(try m.readShared(gpa: Self.shared | 0x8008, count: 1) == [0])
    }
}
