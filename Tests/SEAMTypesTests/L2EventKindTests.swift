import SEAMTypes
import Testing

/// The one definition of L2 events: tags as Traces/FORMAT.md's event table gives them, scenario names, and
/// the operand rules every reader and the machine share.
@Suite struct L2EventKindTests {
    /// Traces/FORMAT.md, "An event is a u8 kind and its operands", row by row.
    @Test func tagsAndNamesAreFormatMDsTable() {
        let table: [(UInt8, String)] = [
            (0, "set"), (1, "jump"), (2, "cpuid"), (3, "hlt"), (4, "rdmsr"), (5, "wrmsr"), (6, "tdcall"),
            (7, "vmcall"), (8, "clts"), (9, "nmi"), (10, "io"), (11, "mov_to_cr"), (12, "mov_from_cr"), (13, "lmsw"),
            (14, "read, write, fetch"), (15, "exception"), (16, "interrupt"), (17, "exit"), (18, "sti"), (19, "eoi"),
            (20, "during_delivery"), (21, "time"), (22, "iret"),
        ]
        #expect(L2Event.Kind.allCases.map { ($0.rawValue, $0.name) }.elementsEqual(table) { $0 == $1 })
        #expect(L2Event.Kind.bareKinds.map(\.rawValue) == Array(2...9) + [18, 19, 22])
    }

    /// The model's timer owns no exit reason: `{"exit":{"reason":52}}` stays a plain VM exit, so traces written
    /// before the `time` event still read (Traces/FORMAT.md, "Virtual time").
    @Test func exitReason52IsStillAPlainExitEvent() {
        #expect(L2Event.exit(ExitReason(52), qualification: 0, instructionLength: 0).problem == nil)
        #expect(!L2Event.dedicatedExitReasons.contains { $0.reason == ExitReason(52) })
    }

    @Test func everyEventReportsItsKind() {
        let one: [L2Event] = [
            .setRegister(0, 1), .jump(rip: 2), .cpuid, .hlt, .rdmsr, .wrmsr, .tdcall, .vmcall, .clts, .nmi,
            .io(IOAccess(port: 0x3F8, size: 1, isIn: false)), .movToCR(cr: 0, gpr: 0), .movFromCR(cr: 3, gpr: 1),
            .lmsw(1), .memory(MemoryAccess(kind: .read, gpa: 0x1000)), .exception(vector: 6, errorCode: nil),
            .externalInterrupt(vector: 0x30), .exit(.rdtsc, qualification: 0, instructionLength: 2), .sti, .eoi,
            .duringDelivery(.memory(MemoryAccess(kind: .write, gpa: 0x2000))), .time(ticks: ~0), .iret,
        ]
        #expect(one.map(\.kind) == L2Event.Kind.allCases)
        for e in one { #expect(e.problem == nil, "\(e) is well formed") }
    }

    @Test(arguments: [
        (L2Event.setRegister(16, 0), "register"),
        (.io(IOAccess(port: 0, size: 3, isIn: true)), "size"),
        (.movToCR(cr: 2, gpr: 0), "cr"),
        (.movFromCR(cr: 8, gpr: 16), "gpr"),
        (.memory(MemoryAccess(kind: .read, gpa: 0x1000, size: 0)), "size"),
        (.memory(MemoryAccess(kind: .write, gpa: 0x1FFC, size: 8)), "gpa"),  // bytes 0x1FFC…0x2003: two pages
        (.exception(vector: 2, errorCode: nil), "vector"),
        (.exception(vector: 32, errorCode: nil), "vector"),
        (.exit(.rdtsc, qualification: 0, instructionLength: 16), "length"),
        (.exit(.cpuid, qualification: 0, instructionLength: 2), "reason"),
        (.exit(ExitReason(48 | 0x8000_0000), qualification: 0, instructionLength: 0), "reason"),
    ])
    func malformedEventsNameTheOperand(_ event: L2Event, _ operand: String) {
        #expect(event.problem?.operand == operand)
    }

    @Test func aMemoryAccessMayEndAtThePageBoundary() {
        #expect(L2Event.memory(MemoryAccess(kind: .read, gpa: 0x1FF8, size: 8)).problem == nil)
    }
}
