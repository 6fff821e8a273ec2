import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

@Suite struct SnapshotTests {
    @Test func restoredMachineHasTheSameStateHashAndNoDifferences() throws {
        let m = try machineInL2()
        let r = try m.restored()
        #expect(r.vcpus[0].location == .l2(vm: 1))
        #expect(r.stateHash() == m.stateHash())
        #expect(r.recomputedStateHash() == m.stateHash())
        #expect(r.differences(from: m).isEmpty)
        #expect(m.differences(from: r).isEmpty)
    }

    @Test func snapshotBytesAreDeterministic() throws {
        let m = try machineInL2()
        let a = Snapshot(machine: m, step: 7, comment: "after \"step\" 7").fileBytes()
        #expect(a == Snapshot(machine: m, step: 7, comment: "after \"step\" 7").fileBytes())
        // A restored machine has its memos dropped; from then on the bytes are stable.
        let once = try m.restored()
        let twice = try once.restored()
        #expect(Snapshot(machine: once).fileBytes() == Snapshot(machine: twice).fileBytes())
        let back = try Snapshot(fileBytes: a, file: "s")
        #expect(back.step == 7)
        #expect(back.comment == "after \"step\" 7")
    }

    @Test func headerIsTheFirstLineWithTheDocumentedKeys() throws {
        let m = try machineInL2()
        let bytes = Snapshot(machine: m, step: 3).fileBytes()
        let newline = try #require(bytes.firstIndex(of: 0x0A))
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        #expect(header.hasPrefix("{\"softseam\":\"snapshot\",\"version\":1,\"state_hash\":\"\(hex64(m.stateHash()))\""))
        #expect(header.hasSuffix(",\"step\":3,\"comment\":null}"))
        #expect(bytes.last == 0x0A)
        #expect(bytes.filter { $0 == 0x0A }.count == 2)
    }

    /// The operations run on both machines after the restore: L2 events, TDCALLs from L1, host calls.
    static let operations: [(String, @Sendable (inout Machine) throws -> Output)] = [
        ("L2 sets RCX", { "\(try $0.l2Event(vcpu: 0, .setRegister(1, 0xC0DE)))" }),
        (
            "L2 reads aliased page 0x3000",
            { "\(try $0.l2Event(vcpu: 0, .memory(.init(kind: .read, gpa: 0x3008, size: 8))))" }
        ),
        ("L2 CPUID exits to L1", { "\(try $0.l2Event(vcpu: 0, .cpuid))" }),
        ("L1 reads VM1 GUEST_RIP", { try $0.call(Leaf1.vpRd, rdx: vmcsFieldID(1, guestRIP)) }),
        ("L1 advances VM1 RIP", { try $0.vpWrite(vmcsFieldID(1, guestRIP), 0x3002) }),
        ("L1 re-enters VM1 with the buffer as L2 left it", { try $0.call(Leaf1.vpEnter, rcx: 1 << 52, rdx: 0x1000) }),
        (
            "L2 writes page 0x4000 (RWX alias)",
            { "\(try $0.l2Event(vcpu: 0, .memory(.init(kind: .write, gpa: 0x4010, size: 8, value: 0x55))))" }
        ),
        (
            "L2 writes 0x3000 (RWXs alias)",
            { "\(try $0.l2Event(vcpu: 0, .memory(.init(kind: .write, gpa: 0x3000, size: 8, value: 1))))" }
        ),
        ("L2 HLT", { "\(try $0.l2Event(vcpu: 0, .hlt))" }),
        ("L1 reads the buffer", { "\(try $0.readMemory(gpa: 0x1000, count: 0x9A))" }),
        (
            "L1 ATTR.WR VM2 on 0x3000",
            { try $0.call(Leaf1.attrWr, rcx: 0x3000, rdx: vmSlot(2, 0x8003), r8: vmSlot(2, 3)) }
        ),
        ("L1 ATTR.RD 0x3000", { try $0.call(Leaf1.attrRd, rcx: 0x3000) }),
        ("L1 enters VM2", { try $0.enter(vm: 2, rip: 0x5000) }),
        ("L2 NMI: TD exit", { "\(try $0.l2Event(vcpu: 0, .nmi))" }),
        ("host resumes L1", { "\($0.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()))" }),
        ("L1 re-enters VM1", { try $0.call(Leaf1.vpEnter, rcx: 1 << 52, rdx: 0x1000) }),
        ("L2 VMCALL", { "\(try $0.l2Event(vcpu: 0, .vmcall))" }),
    ]

    @Test func restoredMachineBehavesIdentically() throws {
        var original = try machineInL2()
        var restored = try original.restored()
        for (name, op) in SnapshotTests.operations {
            let a = try op(&original)
            let b = try op(&restored)
            #expect(a == b, "\(name): outputs")
            #expect(original.stateHash() == restored.stateHash(), "\(name): state hash")
            #expect(restored.recomputedStateHash() == restored.stateHash(), "\(name): incremental hash")
            #expect(restored.differences(from: original).isEmpty, "\(name): \(restored.differences(from: original))")
        }
        // The run did something: the state moved on from where the snapshot was taken.
        #expect(try !original.differences(from: machineInL2()).isEmpty)
    }

    @Test func machineRestoredAtEveryStepBehavesIdentically() throws {
        // A snapshot after each operation, restored and run through the rest, ends in the same state.
        var reference = try machineInL2()
        for (_, op) in SnapshotTests.operations { _ = try op(&reference) }
        for k in 0...SnapshotTests.operations.count {
            var m = try machineInL2()
            for (_, op) in SnapshotTests.operations[..<k] { _ = try op(&m) }
            m = try m.restored()
            for (_, op) in SnapshotTests.operations[k...] { _ = try op(&m) }
            #expect(m.stateHash() == reference.stateHash(), "restored after \(k) operations")
            #expect(m.differences(from: reference).isEmpty, "restored after \(k) operations")
        }
    }

    @Test func valueCopyIsUnchangedWhenTheOriginalMoves() throws {
        var m = try machineInL2()
        let copy = m
        let hash = m.stateHash()
        _ = try m.l2Event(vcpu: 0, .cpuid)
        try m.call(Leaf1.attrWr, rcx: 0x5000, rdx: vmSlot(3, 0x8001), r8: vmSlot(3, 1))
        try m.writeMemory(gpa: 0x7000, [9])
        #expect(copy.stateHash() == hash)
        #expect(copy.recomputedStateHash() == hash)
        #expect(copy.vcpus[0].location == .l2(vm: 1))
        #expect(m.stateHash() != hash)
        let fresh = try machineInL2()
        #expect(copy.differences(from: fresh).isEmpty)
        #expect(!m.differences(from: copy).isEmpty)
    }

    @Test func writeAndReadAFile() throws {
        let directory = "/tmp/softseam-snapshot-test-\(#line)"
        _ = try? FileHelpers.removeTree(directory)
        try FileHelpers.makeDirectory(directory)
        defer { _ = try? FileHelpers.removeTree(directory) }
        let m = try machineInL2()
        let path = directory + "/state.snapshot"
        try Snapshot(machine: m, step: 12, comment: "x").write(to: path)
        #expect(try FileHelpers.list(directory) == ["state.snapshot"])  // no temporary file left
        let s = try Snapshot.read(path: path)
        #expect(s.step == 12)
        #expect(s.machine.differences(from: m).isEmpty)
        // Overwriting replaces the file whole.
        try Snapshot(machine: snapshotTestMachine()).write(to: path)
        #expect(try Snapshot.read(path: path).machine.stateHash() == snapshotTestMachine().stateHash())
        #expect(try FileHelpers.list(directory) == ["state.snapshot"])
    }

    @Test func writeIntoAMissingDirectoryFailsAndWritesNothing() throws {
        let directory = "/tmp/softseam-snapshot-test-\(#line)"
        _ = try? FileHelpers.removeTree(directory)
        try FileHelpers.makeDirectory(directory)
        defer { _ = try? FileHelpers.removeTree(directory) }
        let path = directory + "/missing/state.snapshot"
        #expect {
            try Snapshot(machine: snapshotTestMachine()).write(to: path)
        } throws: { e in
            guard let e = e as? InputError else { return false }
            return e.file == path
        }
        #expect(try FileHelpers.list(directory).isEmpty)
    }

    @Test func readingAMissingFileNamesIt() throws {
        let path = "/tmp/softseam-no-such-snapshot-\(#line)"
        #expect {
            _ = try Snapshot.read(path: path)
        } throws: { e in
            (e as? InputError)?.file == path
        }
    }
}
