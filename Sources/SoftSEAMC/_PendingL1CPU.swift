// TEMPORARY until the l1cpu branch lands.
import SEAMCore

struct L1FaultTmp { var rawValue: UInt32 }
extension Machine {
    func l1RDMSR(vcpu: Int, msr: UInt32) throws(MachineError) -> (value: UInt64, fault: L1FaultTmp) {
        (0, L1FaultTmp(rawValue: 20))
    }
    func l1WRMSR(vcpu: Int, msr: UInt32, value: UInt64) throws(MachineError) -> L1FaultTmp { L1FaultTmp(rawValue: 20) }
    func l1CPUID(vcpu: Int, leaf: UInt32, subleaf: UInt32) throws(MachineError) -> (
        eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32, fault: L1FaultTmp
    ) { (0, 0, 0, 0, L1FaultTmp(rawValue: 20)) }
}
