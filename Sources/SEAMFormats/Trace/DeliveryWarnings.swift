import SEAMCore
import SEAMTypes

/// What a replay notices about interrupt delivery that is legal for the machine but almost always a bug in
/// the L1 under test:
///
///     double delivery   a step delivered an event whose `Delivery.count` is 2 or more — e.g. the module
///                       re-injected it from IDT-vectoring information and L1 injected it again through the
///                       VM-entry interruption information (openvmm issue #1139's hazard)
///     stranded vector   after a step, L2 runs with a vector in its virtual IRR above RVI: virtual-interrupt
///                       delivery never picks it (e.g. L1 entered with RVI cleared while it was pending), so
///                       the interrupt is lost until L1 raises RVI again (`Machine.strandedVector`)
///
/// Each stranded vector is reported once per VM until it is delivered or leaves the IRR.
public struct DeliveryWarnings: Sendable {
    public struct Warning: Hashable, Sendable {
        public var step: Int
        public var line: Int
        public var message: String
    }

    public private(set) var warnings: [Warning] = []
    /// (vCPU, VM, vector) reported stranded and still stranded, in the order reported.
    var stranded: [[Int]] = []

    public init() {}

    /// Looks at step `number` (at `line`) after it ran: its delivery, and the vCPU it ran on (`vcpu`; nil for
    /// a host step: then the first vCPU in L2, if any).
    mutating func observe(_ number: Int, line: Int, vcpu stepVCPU: Int?, delivery: Delivery?, machine: Machine) {
        if let d = delivery, d.count >= 2 {
            let target = d.vm == 0 ? "L1" : "VM \(d.vm)"
            let times = d.count == 2 ? "twice" : "\(d.count) times"
            warnings.append(
                Warning(
                    step: number, line: line,
                    message:
                        "vector \(hexShort(UInt64(d.vector))) delivered \(times) to \(target) (the same \(d.info.type.name) "
                        + "event, this time via \(d.via.name))"))
        }
        guard
            let vcpu = stepVCPU
                ?? machine.vcpus.firstIndex(where: { if case .l2 = $0.location { true } else { false } })
        else { return }
        guard vcpu < machine.vcpus.count, case .l2(let vm) = machine.vcpus[vcpu].location else { return }
        stranded = stranded.filter { key in
            key[0] != vcpu || key[1] != vm || machine.strandedVector(vcpu: vcpu, vm: vm) == UInt8(key[2])
        }
        guard let v = machine.strandedVector(vcpu: vcpu, vm: vm), !stranded.contains([vcpu, vm, Int(v)]) else {
            return
        }
        stranded.append([vcpu, vm, Int(v)])
        warnings.append(
            Warning(
                step: number, line: line,
                message:
                    "vector \(hexShort(UInt64(v))) is stranded in VM \(vm)'s virtual IRR on vCPU \(vcpu): RVI is below "
                    + "it, so virtual-interrupt delivery never picks it (the interrupt is lost until L1 raises RVI)"))
    }
}

extension Step {
    /// The vCPU an L1 or L2 step runs on; nil for a host step.
    var vcpu: Int? {
        switch actor {
        case .l1(let v), .l2(_, let v): v
        case .host: nil
        }
    }
}
