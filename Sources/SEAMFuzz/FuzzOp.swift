import SEAMCore
import SEAMTypes

/// One operation of a fuzz input: what the decoder makes of a few bytes.
///
/// An operation names what an actor wants to do; `FuzzExecutor` turns it into the engine's steps (first the
/// steps that bring vCPU 0 where the operation needs it: L1 for a TDCALL, the named L2 VM for an access).
public enum FuzzOp: Hashable, Sendable, CustomStringConvertible {
    /// L1's TDCALL on vCPU 0 with these registers (ATTR.WR, ATTR.RD, ACCEPT, TDG.VP.INVEPT, TDG.VP.ENTER or
    /// any leaf with random registers).
    case tdcall(RegisterFile)
    /// The host's SEAMCALL (AUG, ADD, SEPT.ADD, BLOCK, UNBLOCK, TRACK, REMOVE, or any leaf).
    case seamcall(RegisterFile)
    /// An L2 memory access by VM `vm` on vCPU 0 (read, write, supervisor or user fetch).
    case access(vm: Int, MemoryAccess)

    public var description: String {
        switch self {
        case .tdcall(let r): "tdcall \(FuzzOp.leafName(tdcall: r.rax)) \(FuzzOp.short(r))"
        case .seamcall(let r): "seamcall \(FuzzOp.leafName(seamcall: r.rax)) \(FuzzOp.short(r))"
        case .access(let vm, let a):
            "VM\(vm) \(a.kind == .fetch ? (a.isUser ? "user fetch" : "supervisor fetch") : a.kind.name) "
                + "0x\(String(a.gpa, radix: 16))"
        }
    }

    static func leafName(tdcall rax: UInt64) -> String {
        Leaf(UInt16(truncatingIfNeeded: rax)).description
    }

    static func leafName(seamcall rax: UInt64) -> String {
        SEAMCallLeaf(UInt16(truncatingIfNeeded: rax)).description
    }

    /// The registers that are not zero, as `rcx=0x…`.
    static func short(_ r: RegisterFile) -> String {
        (1..<16).compactMap { r[$0] == 0 ? nil : "\(RegisterFile.names[$0])=0x\(String(r[$0], radix: 16))" }
            .joined(separator: " ")
    }
}
