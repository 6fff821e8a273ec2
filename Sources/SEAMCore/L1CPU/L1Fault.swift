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
    /// Virtualization exception (vector 20), injected by the module; the vCPU's VE_INFO holds its details
    /// (`VCPU.veInfo`, read by TDG.VP.VEINFO.GET).
    public static let ve = L1Fault(rawValue: 20)
    /// Double fault (vector 8): what the module injects instead of a #VE while VE_INFO still holds a #VE L1
    /// has not read (module `src/td_dispatcher/vm_exits/td_other_exits.c` `tdx_inject_ve`).
    public static let df = L1Fault(rawValue: 8)

    /// `none`, `#GP(0)`, `#VE`, `#DF` or, for any other value, `vector N`.
    public var description: String {
        switch self {
        case .none: "none"
        case .gp: "#GP(0)"
        case .ve: "#VE"
        case .df: "#DF"
        default: "vector \(rawValue)"
        }
    }
}
