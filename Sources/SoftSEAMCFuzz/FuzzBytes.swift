/// The bytes of one fuzz input, read front to back. Past the end every read is 0 and `isEmpty` is true, so any
/// input — empty, truncated, or cut in the middle of a value — decodes to something.
public struct FuzzBytes {
    let bytes: [UInt8]
    var next = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isEmpty: Bool { next >= bytes.count }

    mutating func byte() -> UInt8 {
        guard next < bytes.count else { return 0 }
        defer { next += 1 }
        return bytes[next]
    }

    /// `count` bytes, little-endian (so a builder writes a value the way `Builder.word` does).
    mutating func word(_ count: Int = 8) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(byte()) << (8 * i) }
        return v
    }
}

/// Writes inputs in the form `CABIHarness` decodes: the seed corpus and the tests' crafted inputs. Each method
/// uses the explicit ("raw") encoding of its operands, so a built input runs exactly the calls it names.
public struct FuzzInputBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []

    /// `config` indexes `CABIHarness.configs`; `builtInHost` keeps the library's deterministic host instead of
    /// the harness's decoded one.
    public init(config: Int, builtInHost: Bool = false) {
        bytes = [UInt8(config) | (builtInHost ? 0x80 : 0)]
    }

    mutating func word(_ v: UInt64, _ count: Int = 8) {
        for i in 0..<count { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    /// A register value in its raw form.
    mutating func value(_ v: UInt64) {
        bytes.append(CABIHarness.rawValueKind)
        word(v)
    }

    /// One TDCALL on `vcpu`: RAX as given, then RCX, RDX, R8, R9, … in `CABIHarness.operandOrder` (the rest 0).
    public mutating func tdcall(vcpu: UInt8 = 0, rax: UInt64, _ operands: [UInt64] = []) {
        bytes += [CABIHarness.Op.tdcall.rawValue, vcpu, CABIHarness.rawLeaf]
        word(rax)
        registers(operands)
    }

    /// One host SEAMCALL.
    public mutating func seamcall(rax: UInt64, _ operands: [UInt64] = []) {
        bytes += [CABIHarness.Op.seamcall.rawValue, CABIHarness.rawLeaf]
        word(rax)
        registers(operands)
    }

    mutating func registers(_ operands: [UInt64]) {
        precondition(operands.count <= CABIHarness.operandOrder.count)
        bytes.append(UInt8(operands.count))
        for v in operands { value(v) }
    }

    /// An L1 store of `size` (1…8) bytes of `value` at `gpa`.
    public mutating func store(vcpu: UInt8 = 0, gpa: UInt64, size: UInt8, value v: UInt64) {
        bytes += [CABIHarness.Op.store.rawValue, vcpu]
        value(gpa)
        precondition((1...8).contains(size))
        bytes.append(size - 1)
        word(v, Int(size))
    }

    /// The host's PEND_NMI for `vcpu` (softseam_pend_nmi).
    public mutating func pendNMI(vcpu: UInt8 = 0) { bytes += [CABIHarness.Op.pendNMI.rawValue, vcpu] }

    /// L1's RVI and PPR (softseam_set_l1_interrupt_state).
    public mutating func l1InterruptState(vcpu: UInt8 = 0, rvi: UInt8, ppr: UInt8) {
        bytes += [CABIHarness.Op.interruptState.rawValue, vcpu, rvi, ppr]
    }

    /// The next answer of the L2 source (the L2 callback reads these bytes when L2 wants events): 1…4 events,
    /// each with the 64 bits of operands `CABIHarness.l2Menu` makes it from.
    public mutating func l2Events(_ events: [(CABIHarness.L2Event, argument: UInt64)]) {
        precondition((1...4).contains(events.count))
        bytes.append(UInt8(events.count - 1))
        for (event, argument) in events {
            bytes.append(event.rawValue)
            word(argument)
        }
    }

    /// L2 has nothing more to do: the L2 source answers 1 (the TDCALL fails with SOFTSEAM_EL2).
    public mutating func l2Stop() { bytes.append(CABIHarness.l2StopByte) }

    /// The host's answer to the next TD exit: this SEAMCALL, then the re-entry (`.seamcallThenReenter`).
    public mutating func hostSEAMCALL(rax: UInt64, _ operands: [UInt64] = []) {
        bytes += [CABIHarness.HostAnswer.seamcallThenReenter.rawValue, CABIHarness.rawLeaf]
        word(rax)
        registers(operands)
    }

    /// The host's answer to the next TD exit (`CABIHarness.HostAnswer`); `.enter` re-enters with R10 and R11.
    public mutating func host(_ answer: CABIHarness.HostAnswer, r10: UInt64 = 0, r11: UInt64 = 0) {
        bytes.append(answer.rawValue)
        if answer == .enter {
            value(r10)
            value(r11)
        }
    }
}
