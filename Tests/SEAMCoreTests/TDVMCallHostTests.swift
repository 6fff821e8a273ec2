import SEAMCore
import SEAMTypes
import Testing

/// The built-in host's answers to the TDVMCALLs real L1s issue, with values from the GHCI ("TDG.VP.VMCALL"
/// sub-functions and completion statuses) and, for 0x20001, from what the TD-partitioning SVSM sends
/// (kernel/src/tdx/tdcall: R12 ring address, R13 VM id − 1, R14 pages; kernel/src/tdx/sirte.rs: two pages).
///
/// Each test hands the host a TDCALL TD exit of L1 (exit reason 77) of the standard TD (GPAW 48, three L2
/// VMs, SHARED bit 47) and reads the TDH.VP.ENTER registers it answers with.
@Suite struct TDVMCallHostTests {
    static let success: UInt64 = 0
    static let invalidOperand: UInt64 = 0x8000_0000_0000_0000
    static let alignError: UInt64 = 0x8000_0000_0000_0002
    static let subFunctionUnsupported: UInt64 = 0x8000_0000_0000_0003
    static let shared: UInt64 = 1 << 47

    /// L1's TDG.VP.VMCALL of `r11` with R12–R15 as given; R10 = 0 (a GHCI call) and every other register
    /// 0x5A5A so that a register the host should not touch shows.
    static func exit(_ r11: UInt64, r12: UInt64 = 0, r13: UInt64 = 0, r14: UInt64 = 0, r15: UInt64 = 0) -> TDExit {
        var e = TDExit(rax: 77, rcx: 0xFC00)
        e.registers.rbx = 0x5A5A
        e.registers.rdx = 0x5A5A
        (e.registers.r10, e.registers.r11, e.registers.r12) = (0, r11, r12)
        (e.registers.r13, e.registers.r14, e.registers.r15) = (r13, r14, r15)
        return e
    }

    static let machine = standardMachine()

    /// The host's answer, with the registers the host does not write checked against the call.
    static func answer(
        _ host: inout BuiltInTDVMCallHost, _ e: TDExit, vcpu: Int = 0, machine: Machine = machine,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> RegisterFile {
        let out = host.entry(after: e, vcpu: vcpu, in: machine)
        #expect(out.rax == 0 && out.rcx == 0x20_0000_0000 + UInt64(vcpu) << 12, sourceLocation: sourceLocation)
        #expect(out.rbx == 0x5A5A && out.rdx == 0x5A5A, sourceLocation: sourceLocation)
        return out
    }

    // MARK: MMIO (48)

    /// A 4-byte read of a shared GPA: SUCCESS and R11 = 0xFFFF_FFFF (no device: all ones); R12–R15 as passed.
    @Test func mmioReadAnswersAllOnesOfItsSize() {
        var host = BuiltInTDVMCallHost()
        for (size, value) in [(1, 0xFF), (2, 0xFFFF), (4, 0xFFFF_FFFF), (8, UInt64.max)] as [(UInt64, UInt64)] {
            let out = Self.answer(&host, Self.exit(48, r12: size, r13: 0, r14: Self.shared | 0xFEC0_0000))
            #expect(out.r10 == Self.success && out.r11 == value, "size \(size)")
            #expect(out.r12 == size && out.r13 == 0 && out.r14 == Self.shared | 0xFEC0_0000)
        }
    }

    /// A write is accepted: SUCCESS, R11 keeps the sub-function number.
    @Test func mmioWriteIsAccepted() {
        var host = BuiltInTDVMCallHost(keepsLog: true)
        let out = Self.answer(&host, Self.exit(48, r12: 4, r13: 1, r14: Self.shared | 0xFEE0_00B0, r15: 0))
        #expect(out.r10 == Self.success && out.r11 == 48)
        #expect(host.log == ["vcpu 0 vm 0 TDVMCALL MMIO write 0x8000fee000b0 size 4 data 0x0"])
    }

    /// INVALID_OPERAND for a size other than 1/2/4/8, a direction other than 0/1, a GPA not aligned to the
    /// size, a private GPA, and a GPA beyond GPAW 48; R11 is left as passed.
    @Test func mmioRefusesBadOperands() {
        var host = BuiltInTDVMCallHost()
        for (size, dir, gpa) in [
            (3, 0, Self.shared | 0x1000), (0, 0, Self.shared | 0x1000), (4, 2, Self.shared | 0x1000),
            (4, 0, Self.shared | 0x1002), (8, 1, Self.shared | 0x1004), (4, 0, 0x1000), (4, 0, 1 << 48 | Self.shared),
        ] as [(UInt64, UInt64, UInt64)] {
            let out = Self.answer(&host, Self.exit(48, r12: size, r13: dir, r14: gpa))
            #expect(out.r10 == Self.invalidOperand && out.r11 == 48, "size \(size) dir \(dir) gpa \(hexShort(gpa))")
        }
    }

    // MARK: GetTdVmCallInfo (0x10000)

    /// Leaf 0: SUCCESS and R11 = R12 = R13 = R14 = 0 (GHCI: the host enumerates nothing beyond the base set);
    /// R15 is not an output and keeps the TD's value.
    @Test func getTdVmCallInfoLeafZeroAnswersZeros() {
        var host = BuiltInTDVMCallHost()
        let out = Self.answer(&host, Self.exit(0x10000, r12: 0, r13: 7, r14: 8, r15: 9))
        #expect(out.r10 == Self.success)
        #expect(out.r11 == 0 && out.r12 == 0 && out.r13 == 0 && out.r14 == 0 && out.r15 == 9)
    }

    /// Any other leaf: INVALID_OPERAND, R11–R14 untouched.
    @Test func getTdVmCallInfoOtherLeavesAreInvalid() {
        var host = BuiltInTDVMCallHost()
        let out = Self.answer(&host, Self.exit(0x10000, r12: 1, r13: 7))
        #expect(out.r10 == Self.invalidOperand && out.r11 == 0x10000 && out.r12 == 1 && out.r13 == 7)
    }

    // MARK: MapGPA (0x10001)

    /// Private → shared of 2 pages at 0x10000, and back: SUCCESS.
    @Test func mapGPAAcceptsAlignedRanges() {
        var host = BuiltInTDVMCallHost()
        #expect(Self.answer(&host, Self.exit(0x10001, r12: Self.shared | 0x1_0000, r13: 0x2000)).r10 == Self.success)
        #expect(Self.answer(&host, Self.exit(0x10001, r12: 0x1_0000, r13: 0x2000)).r10 == Self.success)
    }

    /// INVALID_OPERAND first (size 0; a range that wraps; one that ends past GPAW 48; one from below the
    /// SHARED bit to above it), then ALIGN_ERROR (start 0x10800, size 0x1800); a range both misaligned and
    /// across the SHARED bit is INVALID_OPERAND.
    @Test func mapGPARefusesBadRangesInTheGHCIOrder() {
        var host = BuiltInTDVMCallHost()
        let cases: [(UInt64, UInt64, UInt64)] = [
            (0x1_0000, 0, Self.invalidOperand),
            (UInt64.max - 0xFFF, 0x2000, Self.invalidOperand),
            (Self.shared | 0x7FFF_FFFF_F000, 0x2000, Self.invalidOperand),  // ends at 2^48 + 0x1000
            (Self.shared - 0x1000, 0x2000, Self.invalidOperand),
            (Self.shared - 0x800, 0x1000, Self.invalidOperand),
            (0x1_0800, 0x1000, Self.alignError),
            (0x1_0000, 0x1800, Self.alignError),
        ]
        for (start, size, status) in cases {
            let out = Self.answer(&host, Self.exit(0x10001, r12: start, r13: size))
            #expect(out.r10 == status, "start \(hexShort(start)) size \(hexShort(size))")
            #expect(out.r11 == 0x10001)
        }
    }

    // MARK: GetQuote (0x10002)

    /// A buffer the host has not mapped as shared memory: INVALID_OPERAND (0x8000000000000000), registers
    /// untouched, nothing written (GetQuoteTests has the quotes).
    @Test func getQuoteOfAnUnmappedBufferIsInvalidOperand() {
        var host = BuiltInTDVMCallHost()
        let out = Self.answer(&host, Self.exit(0x10002, r12: Self.shared | 0x8000, r13: 0x1000))
        #expect(out.r10 == Self.invalidOperand)
        #expect(out.r11 == 0x10002 && out.r12 == Self.shared | 0x8000 && out.r13 == 0x1000)
        #expect(host.sharedOperation == nil)
    }

    // MARK: SetupEventNotifyInterrupt (0x10004)

    /// Vectors 32 and 255 are accepted and remembered with the calling vCPU; the later call wins.
    @Test func setupEventNotifyInterruptRemembersTheVector() {
        var host = BuiltInTDVMCallHost()
        #expect(host.eventNotify == nil)
        let m = standardMachine(vcpus: 2)
        #expect(Self.answer(&host, Self.exit(0x10004, r12: 32), vcpu: 1, machine: m).r10 == Self.success)
        #expect(host.eventNotify == .init(vector: 32, vcpu: 1))
        #expect(Self.answer(&host, Self.exit(0x10004, r12: 255), machine: m).r10 == Self.success)
        #expect(host.eventNotify == .init(vector: 255, vcpu: 0))
    }

    /// Vectors 0, 31 and 256 are INVALID_OPERAND and leave the remembered vector alone.
    @Test func setupEventNotifyInterruptRefusesVectorsOutside32To255() {
        var host = BuiltInTDVMCallHost()
        _ = Self.answer(&host, Self.exit(0x10004, r12: 0xF0))
        for vector: UInt64 in [0, 31, 256] {
            #expect(Self.answer(&host, Self.exit(0x10004, r12: vector)).r10 == Self.invalidOperand, "\(vector)")
        }
        #expect(host.eventNotify == .init(vector: 0xF0, vcpu: 0))
    }

    // MARK: TD-partitioning SVSM SHARED_IRTE_HDR (0x20001)

    /// The SVSM registers VM 2's two-page ring at 0x3000 (R13 = 1, its VM id − 1): SUCCESS, kept at index 1.
    @Test func sharedIRTEHeaderIsRememberedPerVM() {
        var host = BuiltInTDVMCallHost()
        let out = Self.answer(&host, Self.exit(0x20001, r12: 0x3000, r13: 1, r14: 2))
        #expect(out.r10 == Self.success && out.r11 == 0x20001)
        #expect(host.sharedIRTEHeaders == [nil, .init(gpa: 0x3000, pages: 2), nil])
    }

    /// INVALID_OPERAND for a ring not 4K-aligned, one with the SHARED bit or beyond GPAW, a VM index the TD does
    /// not have (3 of three VMs; 1 of a TD with one VM), and zero pages; nothing is kept.
    @Test func sharedIRTEHeaderRefusesBadOperands() {
        var host = BuiltInTDVMCallHost()
        let one = standardMachine(numL2VMs: 1)
        for (gpa, index, pages, m) in [
            (0x3800, 0, 2, Self.machine), (Self.shared | 0x3000, 0, 2, Self.machine),
            (1 << 48 | 0x3000, 0, 2, Self.machine),
            (0x3000, 3, 2, Self.machine), (0x3000, 1, 2, one), (0x3000, 0, 0, Self.machine),
        ] as [(UInt64, UInt64, UInt64, Machine)] {
            let out = Self.answer(&host, Self.exit(0x20001, r12: gpa, r13: index, r14: pages), machine: m)
            #expect(out.r10 == Self.invalidOperand, "gpa \(hexShort(gpa)) index \(index) pages \(pages)")
        }
        #expect(host.sharedIRTEHeaders == [nil, nil, nil])
    }

    // MARK: Through the engine

    /// L1's GetTdVmCallInfo through `Engine.runTDCall`: the call completes in L1 with RAX = 0 (TDCALL
    /// success), R10 = 0 and R11–R14 = 0 (the host's outputs, exposed by RCX = 0xFC00).
    @Test func l1SeesTheHostsAnswer() throws {
        var engine = Engine(machine: standardMachine())
        var host = BuiltInTDVMCallHost()
        var l2 = ScriptedL2([:])
        var regs = RegisterFile(rax: 0, rcx: 0xFC00)
        (regs.r11, regs.r12, regs.r13, regs.r14) = (0x10000, 0, 5, 6)
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.rax == 0 && regs.r10 == 0 && regs.r11 == 0 && regs.r12 == 0 && regs.r13 == 0 && regs.r14 == 0)
    }
}
