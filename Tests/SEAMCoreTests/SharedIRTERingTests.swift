import SEAMCore
import SEAMTypes
import Testing

// The TD-partitioning SVSM's shared-IRTE ring. Expected values worked out from the SVSM's
// kernel/src/tdx/sirte.rs (the page: u8 vector at 0, 15 reserved; u32 num_elem 16, elem_size 20, head 24, tail
// 28, size 32; 16-byte entries from 48, 253 of them; entry u32 irq_type 1 IOAPIC / 2 MSI, then MSI {u8 mode, u8
// vector, u8 dest_id} or IOAPIC {u32 pin, u32 level, u32 source_id}; L1 reads at head and advances it, empty
// when head == tail, so the host writes at tail and advances it, full when (tail + 1) mod num_elem == head; the
// handler finds the VM by the interrupt's vector, the ring's byte 0) and SDM Vol. 3C §30.6 (posting while L1
// runs: VIRR |= PIR, RVI = max(RVI, top)).
@Suite struct SharedIRTERingTests {
    /// The ring page as the SVSM registers it (R12: SHARED clear) and its shared alias (GPAW 48: bit 47).
    static let ring: UInt64 = 0x3000
    static let shared: UInt64 = 0x8000_0000_3000

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }

    /// A finalized machine with posted interrupts enabled and the ring page mapped shared, holding a header:
    /// vector, num_elem, elem_size, head, tail, size.
    static func machine(
        vector: UInt8 = 0xE0, n: UInt32 = 253, elemSize: UInt32 = 16, head: UInt32 = 0, tail: UInt32 = 0,
        size: UInt32? = nil
    ) throws -> Machine {
        var m = standardMachine()
        L1InterruptTests.enablePostedInterrupts(&m)
        try m.mapShared(gpa: shared, size: 0x1000)
        let header =
            [vector] + [UInt8](repeating: 0, count: 15) + le32(n) + le32(elemSize) + le32(head) + le32(tail)
            + le32(size ?? n &* elemSize)
        try m.writeShared(gpa: shared, header)
        return m
    }

    static func page(_ m: Machine) throws -> [UInt8] { try m.readShared(gpa: shared, count: 4096) }

    static func u32(_ p: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(p[at + $1]) << (8 * UInt32($1)) }
    }

    /// A refused push: the given problem, the page byte for byte as before, nothing posted.
    static func expectRefused(
        _ m: inout Machine, gpa: UInt64 = ring, _ problem: IRTERingProblem,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try? page(m)
        let l1 = m.vcpus[0].l1Interrupts
        let r = try m.pushIRTE(vcpu: 0, gpa: gpa, .msi(mode: 0, vector: 0x31, destID: 0))
        #expect(r == .failure(problem), sourceLocation: sourceLocation)
        #expect((try? page(m)) == before, "nothing written", sourceLocation: sourceLocation)
        #expect(m.vcpus[0].l1Interrupts == l1, "nothing posted", sourceLocation: sourceLocation)
    }

    // MARK: A push

    @Test func pushWritesTheEntryAtTailAdvancesTailAndPostsTheRingVector() throws {
        var m = try Self.machine(head: 2, tail: 5)
        // mode 3 (logical, level), vector 0x31, dest 7: entry 5 at 48 + 5 × 16 = 128.
        let r = try m.pushIRTE(vcpu: 0, gpa: Self.ring, .msi(mode: 3, vector: 0x31, destID: 7))
        #expect(r == .success(nil))
        let p = try Self.page(m)
        #expect(Array(p[128..<144]) == [2, 0, 0, 0, 3, 0x31, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Self.u32(p, 28) == 6)
        #expect(Self.u32(p, 24) == 2, "head is L1's")
        #expect(p[112..<128].allSatisfy { $0 == 0 } && p[144..<160].allSatisfy { $0 == 0 })
        // The ring's vector 0xE0 (byte 0) posted while L1 runs: VIRR {0xE0}, RVI 0xE0, ON clear.
        let l = m.vcpus[0].l1Interrupts
        #expect(l.apic.irr == VectorBits([0xE0]))
        #expect(l.apic.rvi == 0xE0)
        #expect(!l.pid.on)
    }

    @Test func anIOAPICEntryAndTheWrapAtNumElem() throws {
        var m = try Self.machine(head: 1, tail: 252)
        // Entry 252 at 48 + 252 × 16 = 4080, the page's last 16 bytes; tail wraps to 0.
        let r = try m.pushIRTE(vcpu: 0, gpa: Self.ring, .ioapic(pin: 10, level: 1, sourceID: 0x1234))
        #expect(r == .success(nil))
        let p = try Self.page(m)
        #expect(Array(p[4080..<4096]) == [1, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0x34, 0x12, 0, 0])
        #expect(Self.u32(p, 28) == 0)
    }

    @Test func aSmallerRingWrapsAtItsOwnNumElem() throws {
        // num_elem 4, size 64: tail 3 → entry at 48 + 48 = 96, tail 0.
        var m = try Self.machine(n: 4, head: 2, tail: 3)
        #expect(try m.pushIRTE(vcpu: 0, gpa: Self.ring, .msi(mode: 0, vector: 0x40, destID: 0)) == .success(nil))
        let p = try Self.page(m)
        #expect(Array(p[96..<100]) == [2, 0, 0, 0])
        #expect(p[101] == 0x40)
        #expect(Self.u32(p, 28) == 0)
    }

    @Test func vector32IsTheLowestAccepted() throws {
        var m = try Self.machine(vector: 0x20)
        #expect(try m.pushIRTE(vcpu: 0, gpa: Self.ring, .msi(mode: 0, vector: 1, destID: 0)) == .success(nil))
        #expect(m.vcpus[0].l1Interrupts.apic.irr == VectorBits([0x20]))
    }

    // MARK: Rings L1 got wrong: refused, nothing written or posted

    @Test func fullWhenTailPlusOneIsHead() throws {
        var m = try Self.machine(head: 6, tail: 5)
        try Self.expectRefused(&m, .full)
        var w = try Self.machine(head: 0, tail: 252)  // (252 + 1) mod 253 = 0
        try Self.expectRefused(&w, .full)
        var one = try Self.machine(n: 1, head: 0, tail: 0)  // (0 + 1) mod 1 = 0: a one-entry ring is always full
        try Self.expectRefused(&one, .full)
    }

    @Test func badGPA() throws {
        var m = try Self.machine()
        try Self.expectRefused(&m, gpa: Self.shared, .badGPA)  // SHARED bit set
        try Self.expectRefused(&m, gpa: Self.ring + 8, .badGPA)  // not 4K-aligned
        try Self.expectRefused(&m, gpa: 1 << 48, .badGPA)  // past GPAW 48
    }

    @Test func notSharedWhenTheAliasIsNotMapped() throws {
        var m = try Self.machine()
        try Self.expectRefused(&m, gpa: 0x4000, .notShared)  // a private page L1 never converted
        try m.unmapShared(gpa: Self.shared, size: 0x1000)
        try Self.expectRefused(&m, .notShared)
    }

    @Test func badHeader() throws {
        var a = try Self.machine(elemSize: 12)
        try Self.expectRefused(&a, .badHeader)
        var b = try Self.machine(n: 0)
        try Self.expectRefused(&b, .badHeader)
        var c = try Self.machine(n: 254)  // 48 + 254 × 16 > 4096
        try Self.expectRefused(&c, .badHeader)
        var d = try Self.machine(size: 0xFC0)  // ≠ 253 × 16 = 0xFD0
        try Self.expectRefused(&d, .badHeader)
    }

    @Test func badIndex() throws {
        var a = try Self.machine(head: 253)
        try Self.expectRefused(&a, .badIndex)
        var b = try Self.machine(tail: 253)
        try Self.expectRefused(&b, .badIndex)
    }

    @Test func badVectorBelow32() throws {
        var m = try Self.machine(vector: 0x1F)
        try Self.expectRefused(&m, .badVector)
    }

    @Test func checksInOrder() throws {
        // Header before index before vector before full.
        var a = try Self.machine(vector: 0, elemSize: 12, head: 300)
        try Self.expectRefused(&a, .badHeader)
        var b = try Self.machine(vector: 0, head: 300)
        try Self.expectRefused(&b, .badIndex)
        var c = try Self.machine(vector: 0, head: 1, tail: 0)
        try Self.expectRefused(&c, .badVector)
        // GPA before mapping: the SHARED-bit form of an unmapped page is bad_gpa, not not_shared.
        try Self.expectRefused(&c, gpa: 0x8000_0000_4000, .badGPA)
    }

    // MARK: The host's own set-up: input errors

    @Test func withoutPostedInterruptsThePushIsAnErrorAndWritesNothing() throws {
        var m = standardMachine()
        try m.mapShared(gpa: Self.shared, size: 0x1000)
        try m.writeShared(gpa: Self.shared, [0xE0] + [UInt8](repeating: 0, count: 15) + Self.le32(253) + Self.le32(16))
        let before = try Self.page(m)
        #expect(throws: MachineError.self) {
            try m.pushIRTE(vcpu: 0, gpa: Self.ring, .msi(mode: 0, vector: 0x31, destID: 0))
        }
        #expect(try Self.page(m) == before)
        #expect(throws: MachineError.noSuchVCPU(1, count: 1)) {
            try m.pushIRTE(vcpu: 1, gpa: Self.ring, .msi(mode: 0, vector: 0x31, destID: 0))
        }
    }

    // MARK: While L2 runs, the module's path

    @Test func aPushWhileL2RunsExitsToL1WithPendingInterrupt() throws {
        var m = try L1InterruptTests.machineInL2()
        try m.mapShared(gpa: Self.shared, size: 0x1000)
        try m.writeShared(
            gpa: Self.shared,
            [0xE0] + [UInt8](repeating: 0, count: 15) + Self.le32(253) + Self.le32(16) + Self.le32(0) + Self.le32(0)
                + Self.le32(0xFD0))
        let r = try m.pushIRTE(vcpu: 0, gpa: Self.ring, .msi(mode: 0, vector: 0x31, destID: 0))
        // RVI 0xE0 class 14 > PPR 0: TDX_L2_EXIT_PENDING_INTERRUPT | 1, R9 = 0x800000F2 (the notification).
        guard case .success(.exitToL1(let regs)?) = r else {
            Issue.record("expected an exit to L1, got \(r)")
            return
        }
        #expect(regs.rax == L1InterruptTests.l2ExitPendingInterrupt)
        #expect(regs.r9 == L1InterruptTests.nvInfo)
    }

    // MARK: The built-in host's registrations

    @Test func theBuiltInHostPushesIntoTheRingL1Registered() throws {
        var engine = Engine(machine: try Self.machine())
        var host = BuiltInTDVMCallHost()
        let exit = TDVMCallHostTests.exit(0x20001, r12: Self.ring, r13: 0, r14: 1)
        let answer = host.entry(after: exit, vcpu: 0, in: engine.machine)
        #expect(answer.r10 == 0)
        // VM 1 (index 0) has the ring; VM 2 none: no step.
        #expect(try host.pushIRTE(vm: 2, .msi(mode: 0, vector: 0x31, destID: 0), engine: &engine) == nil)
        let o = try host.pushIRTE(vm: 1, .msi(mode: 0, vector: 0x31, destID: 0), engine: &engine)
        #expect(o?.result == .completed)
        #expect(Self.u32(try Self.page(engine.machine), 28) == 1)
    }

    /// `Engine.host` of an `irtePush` reports the refusal, not `completed`.
    @Test func engineHostRecordsARefusal() throws {
        struct Last: StepObserver {
            var outcome: StepOutcome?
            var isObserving: Bool { true }
            mutating func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine) { self.outcome = outcome }
        }
        var engine = Engine(machine: try Self.machine(head: 1, tail: 0), observer: Last())
        _ = try engine.host(.irtePush(vcpu: 0, gpa: Self.ring, event: .msi(mode: 0, vector: 0x31, destID: 0)))
        #expect(engine.observer.outcome?.result == .refused(.full))
    }
}
