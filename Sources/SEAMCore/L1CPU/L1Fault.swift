/// The exception an L1 RDMSR, WRMSR or CPUID raises in the TD instead of completing: its vector, 0 for none.
///
/// An open struct over the vector, as the C ABI reports it in `*fault` (`softseam_rdmsr`, `softseam_wrmsr`,
/// `softseam_cpuid`): the module either completes the instruction for L1, injects #GP(0) where the
/// architecture faults, or injects a virtualization exception (#VE) where the TD's OS is expected to ask
/// the host (TDG.VP.VMCALL) or to give up.
public struct L1Fault: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The exception vector (0 = none).
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The instruction completed; its results are valid.
    public static let none = L1Fault(rawValue: 0)
    /// General protection fault with error code 0 (vector 13).
    public static let gp = L1Fault(rawValue: 13)
    /// Virtualization exception (vector 20), injected by the module.
    public static let ve = L1Fault(rawValue: 20)

    /// `none`, `#GP(0)`, `#VE` or, for any other value, `vector N`.
    public var description: String {
        switch self {
        case .none: "none"
        case .gp: "#GP(0)"
        case .ve: "#VE"
        default: "vector \(rawValue)"
        }
    }
}
