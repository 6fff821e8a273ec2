import SEAMCore
import SEAMTypes

extension Scenario {
    /// A host `irte_push`: `{"vcpu" (default 0), "gpa" (the ring page as L1 registered it), and one of
    /// "msi": {"vector", "dest_id" (default 0), "mode" (default 0)} or "ioapic": {"pin", "level",
    /// "source_id" (default 0)}}` (`Machine.pushIRTE`).
    static func irtePush(_ n: JSONNode, _ file: String, vcpus: Int) throws(InputError) -> Step.SharedMemoryOp {
        let key = "irte_push"
        try n.rejectUnknownKeys(["vcpu", "gpa", "msi", "ioapic"], file: file, prefix: key)
        let vcpu = try stepVCPU(n, file: file, line: n.line, vcpus: vcpus, prefix: key)
        guard let g = n["gpa"] else { throw InputError(file: file, line: n.line, field: "\(key).gpa", "missing") }
        let gpa = try ConfigDecoder.integer(g, file, "\(key).gpa", max: .max)
        let event: IRTEEvent
        switch (n["msi"], n["ioapic"]) {
        case (let m?, nil):
            let f = "\(key).msi"
            try m.rejectUnknownKeys(["vector", "dest_id", "mode"], file: file, prefix: f)
            guard let v = m["vector"] else {
                throw InputError(file: file, line: m.line, field: "\(f).vector", "missing")
            }
            func byte(_ name: String) throws(InputError) -> UInt8 {
                guard let x = m[name] else { return 0 }
                return UInt8(try ConfigDecoder.integer(x, file, "\(f).\(name)", max: 255))
            }
            event = .msi(
                mode: try byte("mode"), vector: UInt8(try ConfigDecoder.integer(v, file, "\(f).vector", max: 255)),
                destID: try byte("dest_id"))
        case (nil, let a?):
            let f = "\(key).ioapic"
            try a.rejectUnknownKeys(["pin", "level", "source_id"], file: file, prefix: f)
            func word(_ name: String, required: Bool) throws(InputError) -> UInt32 {
                guard let x = a[name] else {
                    if required { throw InputError(file: file, line: a.line, field: "\(f).\(name)", "missing") }
                    return 0
                }
                return UInt32(try ConfigDecoder.integer(x, file, "\(f).\(name)", max: 0xFFFF_FFFF))
            }
            event = .ioapic(
                pin: try word("pin", required: true), level: try word("level", required: true),
                sourceID: try word("source_id", required: false))
        case (_?, _?):
            throw InputError(file: file, line: n.line, field: "\(key).ioapic", "an entry is either msi or ioapic")
        case (nil, nil):
            throw InputError(file: file, line: n.line, field: "\(key).msi", "missing (or ioapic)")
        }
        return .irtePush(vcpu: vcpu, gpa: gpa, event: event)
    }

    /// The `irte_push` object `irtePush` reads.
    static func renderIRTEPush(_ vcpu: Int, _ gpa: UInt64, _ event: IRTEEvent) -> String {
        let entry: String
        switch event {
        case .msi(let mode, let vector, let dest):
            entry = "\"msi\":{\"vector\":\(vector),\"dest_id\":\(dest),\"mode\":\(mode)}"
        case .ioapic(let pin, let level, let source):
            entry = "\"ioapic\":{\"pin\":\(pin),\"level\":\(level),\"source_id\":\(source)}"
        }
        return "{\"vcpu\":\(vcpu),\"gpa\":\"\(hexShort(gpa))\",\(entry)}"
    }
}
