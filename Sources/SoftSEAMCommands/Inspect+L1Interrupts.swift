import SEAMCore
import SEAMTypes

extension MachineReport {
    /// L1's virtual APIC beyond RVI and PPR, the posted-interrupt descriptor and PEND_NMI, one line each that is
    /// not at reset.
    static func l1InterruptLines(_ l: L1Interrupts) -> [String] {
        var out: [String] = []
        let list = { (b: VectorBits) in b.vectors.map { hexShort(UInt64($0)) }.joined(separator: " ") }
        let a = l.apic
        if !a.irr.isEmpty || !a.isr.isEmpty || a.tpr != 0 || a.svi != 0 {
            out.append(
                "    VIRR [\(list(a.irr))], VISR [\(list(a.isr))], VTPR \(hexShort(UInt64(a.tpr))), "
                    + "SVI \(hexShort(UInt64(a.svi)))")
        }
        if l.pid.on || !l.pid.pir.isEmpty {
            out.append("    posted-interrupt descriptor: PIR [\(list(l.pid.pir))], ON \(l.pid.on ? 1 : 0)")
        }
        if l.pendNMI != 0 { out.append("    PEND_NMI \(l.pendNMI): the module injects an NMI at its next L1 entry") }
        return out
    }

    /// The same as JSON members (after "ppr"): vector lists and numbers.
    static func l1InterruptJSON(_ l: L1Interrupts) -> String {
        let list = { (b: VectorBits) in "[" + b.vectors.map { "\($0)" }.joined(separator: ",") + "]" }
        let a = l.apic
        return ",\"irr\":\(list(a.irr)),\"isr\":\(list(a.isr)),\"tpr\":\(a.tpr),\"svi\":\(a.svi)"
            + ",\"pir\":\(list(l.pid.pir)),\"on\":\(l.pid.on),\"pend_nmi\":\(l.pendNMI)"
    }
}
