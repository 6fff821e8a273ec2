import SEAMCore
import SEAMTypes

extension Benchmarks {
    /// `roundTripBase` with L2 ready to take interrupts: RFLAGS 0x202 (IF) in the guest-state buffer, L1's MSR
    /// bitmap letting L2's x2APIC EOI write through (write-low quarter bit 0x4000 + 0x80B: word 0x120, bit 11)
    /// so the CPU virtualizes it, and the virtual-APIC page's version register (offset 0x30) set as L1
    /// initialises it (x2APIC version 0x50014), so the page is never all zeros.
    static let injectBase: Machine = {
        var m = roundTripBase
        var r = RegisterFile(rax: 10, rdx: 0x2520_0003_0000_0120, r8: ~(UInt64(1) << 11), r9: ~0)
        _ = try? m.tdcall(vcpu: 0, &r)
        precondition(r.rax == 0, "MSR bitmap: \(TDXStatus(r.rax))")
        try? m.writeMemory(gpa: 0x10_1080, [0x02, 0x02, 0, 0, 0, 0, 0, 0])  // RFLAGS = 0x202
        try? m.writeMemory(gpa: 0x10_0030, [0x14, 0, 0x05, 0])  // x2APIC version
        return m
    }()

    /// L1 sets RVI to 0x30 in the guest-state buffer (a 2-byte store at 0x98) → TDG.VP.ENTER: virtual-interrupt
    /// delivery of 0x30 at entry → L2's EOI (virtualized: VISR, SVI, VPPR updated) → IRET → HLT, an L2→L1
    /// exit with reason 12. Fails loudly unless every round trip delivers 0x30 once and exits on HLT.
    static func injectDeliverEOI(_ n: Int) -> UInt64 {
        var m = injectBase
        var acc: UInt64 = 0
        // Plain do/catch and pattern matches: `(try? …) == .continued` compared optionals through a dynamic cast,
        // about 700 instructions per round trip of the harness's own (callgrind).
        do throws(MachineError) {
            let rvi: UInt16 = 0x30
            for _ in 0..<n {
                withUnsafeBytes(of: rvi.littleEndian) { try? m.writeMemory(gpa: 0x10_1098, from: $0) }
                var regs = RegisterFile(rax: 25, rcx: 1 << 52, rdx: 0x10_1000)
                guard case .enteredL2 = try m.tdcall(vcpu: 0, &regs), m.takeDelivery()?.vector == 0x30 else {
                    preconditionFailure("entry did not deliver 0x30: \(regs)")
                }
                guard case .continued = try m.l2Event(vcpu: 0, .eoi), case .continued = try m.l2Event(vcpu: 0, .iret),
                    case .exitToL1(let out) = try m.l2Event(vcpu: 0, .hlt)
                else { preconditionFailure("EOI, IRET, HLT") }
                acc &+= out.rax
            }
        } catch {
            preconditionFailure("\(error)")
        }
        precondition(acc == UInt64(n) * 12, "every exit is HLT")
        return acc &+ m.stateHash()
    }
}
