/// One 64-bit value per VM index 0…3 (0 = L1), stored inline: these counters and controls are touched on
/// every ATTR.WR, and an Array would add a uniqueness check and a heap indirection per access.
public struct PerVM: Hashable, Sendable, Codable {
    public var vm0: UInt64 = 0, vm1: UInt64 = 0, vm2: UInt64 = 0, vm3: UInt64 = 0

    public init() {}

    /// The value of VM `vm` (0…3).
    public subscript(vm: Int) -> UInt64 {
        @inline(__always) get {
            switch vm {
            case 0: vm0
            case 1: vm1
            case 2: vm2
            case 3: vm3
            default: preconditionFailure("VM index \(vm)")
            }
        }
        @inline(__always) set {
            switch vm {
            case 0: vm0 = newValue
            case 1: vm1 = newValue
            case 2: vm2 = newValue
            case 3: vm3 = newValue
            default: preconditionFailure("VM index \(vm)")
            }
        }
    }
}

extension PerVM {
    /// The same value for every VM index.
    public init(all value: UInt64) {
        self.init()
        vm0 = value
        vm1 = value
        vm2 = value
        vm3 = value
    }
}
