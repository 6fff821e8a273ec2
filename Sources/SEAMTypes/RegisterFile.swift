/// The sixteen general-purpose registers in architectural order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
/// R8…R15), as VMX and TDX lay them out and as `softseam_regs_t` is declared.
///
/// Named stored fields rather than an array: a register file is passed on every TDCALL and an Array would
/// cost an allocation per call.
public struct RegisterFile: Hashable, Sendable, Codable, CustomStringConvertible {
    public var rax: UInt64 = 0, rcx: UInt64 = 0, rdx: UInt64 = 0, rbx: UInt64 = 0
    public var rsp: UInt64 = 0, rbp: UInt64 = 0, rsi: UInt64 = 0, rdi: UInt64 = 0
    public var r8: UInt64 = 0, r9: UInt64 = 0, r10: UInt64 = 0, r11: UInt64 = 0
    public var r12: UInt64 = 0, r13: UInt64 = 0, r14: UInt64 = 0, r15: UInt64 = 0

    public init() {}
    public init(
        rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0,
        r10: UInt64 = 0, r11: UInt64 = 0
    ) {
        self.rax = rax; self.rcx = rcx; self.rdx = rdx; self.r8 = r8; self.r9 = r9
        self.r10 = r10; self.r11 = r11
    }

    /// All sixteen registers, in architectural order.
    @inlinable
    public init(
        rax: UInt64, rcx: UInt64, rdx: UInt64, rbx: UInt64, rsp: UInt64, rbp: UInt64, rsi: UInt64, rdi: UInt64,
        r8: UInt64, r9: UInt64, r10: UInt64, r11: UInt64, r12: UInt64, r13: UInt64, r14: UInt64, r15: UInt64
    ) {
        self.rax = rax; self.rcx = rcx; self.rdx = rdx; self.rbx = rbx; self.rsp = rsp; self.rbp = rbp
        self.rsi = rsi; self.rdi = rdi; self.r8 = r8; self.r9 = r9; self.r10 = r10; self.r11 = r11
        self.r12 = r12; self.r13 = r13; self.r14 = r14; self.r15 = r15
    }

    /// Register names in architectural order.
    public static let names = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    ]

    /// Register `i` (0 = RAX … 15 = R15).
    @inlinable
    public subscript(i: Int) -> UInt64 {
        get {
            switch i {
            case 0: rax
            case 1: rcx
            case 2: rdx
            case 3: rbx
            case 4: rsp
            case 5: rbp
            case 6: rsi
            case 7: rdi
            case 8: r8
            case 9: r9
            case 10: r10
            case 11: r11
            case 12: r12
            case 13: r13
            case 14: r14
            case 15: r15
            default: preconditionFailure("register index \(i)")
            }
        }
        set {
            switch i {
            case 0: rax = newValue
            case 1: rcx = newValue
            case 2: rdx = newValue
            case 3: rbx = newValue
            case 4: rsp = newValue
            case 5: rbp = newValue
            case 6: rsi = newValue
            case 7: rdi = newValue
            case 8: r8 = newValue
            case 9: r9 = newValue
            case 10: r10 = newValue
            case 11: r11 = newValue
            case 12: r12 = newValue
            case 13: r13 = newValue
            case 14: r14 = newValue
            case 15: r15 = newValue
            default: preconditionFailure("register index \(i)")
            }
        }
    }

    public var description: String {
        (0..<16).filter { self[$0] != 0 }.map { "\(RegisterFile.names[$0])=\(hexShort(self[$0]))" }
            .joined(separator: " ").ifEmpty("all zero")
    }
}
