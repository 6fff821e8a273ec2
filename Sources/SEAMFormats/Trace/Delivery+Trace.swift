import SEAMCore
import SEAMTypes

/// A step's delivery (`StepOutcome.delivery`) in both trace forms (Traces/FORMAT.md, `delivered`):
///
///     JSON Lines  "delivered":{"vm":1,"vector":"0x30","type":"external","via":"entry","count":1}
///                 (+ "error_code" when the event pushes one)
///     binary      u8 vm  u32 interruption information  u32 error code  u8 via  u32 count
enum DeliveryTrace {
    static let keys = ["vm", "vector", "type", "error_code", "via", "count"]
    /// Bytes of the binary form.
    static let binarySize = 14

    static func json(_ d: Delivery) -> String {
        var s = "{\"vm\":\(d.vm),\"vector\":\"\(hexShort(UInt64(d.vector)))\",\"type\":\"\(d.info.type.name)\""
        if d.info.hasErrorCode {
            s += ",\"error_code\":\"\(hexShort(UInt64(d.errorCode)))\""
        }
        return s + ",\"via\":\"\(d.via.name)\",\"count\":\(d.count)}"
    }

    static func parse(_ node: JSONNode, file: String, numL2VMs: Int) throws(InputError) -> Delivery {
        let field = "delivered"
        guard case .object = node.value else {
            throw InputError(file: file, line: node.line, field: field, "expected an object {\"vm\",\"vector\",…}")
        }
        try node.rejectUnknownKeys(keys, file: file, prefix: field)
        func need(_ key: String) throws(InputError) -> JSONNode {
            guard let v = node[key] else {
                throw InputError(file: file, line: node.line, field: "\(field).\(key)", "missing")
            }
            return v
        }
        let vm = Int(try ConfigDecoder.integer(need("vm"), file, "\(field).vm", max: UInt64(numL2VMs)))
        let vector = UInt8(try ConfigDecoder.integer(need("vector"), file, "\(field).vector", max: 255))
        let typeNode = try need("type")
        let typeName = try ConfigDecoder.string(typeNode, file, "\(field).type")
        guard let type = InterruptionInfo.InterruptionType(name: typeName) else {
            let names = (0..<8).map { InterruptionInfo.InterruptionType(rawValue: UInt32($0)).name }
                .filter { $0 != "reserved" }
            throw InputError(
                file: file, line: typeNode.line, field: "\(field).type",
                "unknown type \"\(typeName)\" (known: \(names.joined(separator: ", ")))")
        }
        let viaNode = try need("via")
        let viaName = try ConfigDecoder.string(viaNode, file, "\(field).via")
        guard let via = Delivery.Via(name: viaName) else {
            throw InputError(
                file: file, line: viaNode.line, field: "\(field).via",
                "unknown \"\(viaName)\" (known: \(Delivery.Via.allCases.map(\.name).joined(separator: ", ")))")
        }
        let count = UInt32(
            try ConfigDecoder.integer(need("count"), file, "\(field).count", min: 1, max: UInt64(UInt32.max)))
        var errorCode: UInt32 = 0
        if let e = node["error_code"] {
            errorCode = UInt32(try ConfigDecoder.integer(e, file, "\(field).error_code", max: UInt64(UInt32.max)))
        }
        let info = InterruptionInfo(vector: vector, type: type, errorCode: node["error_code"] != nil)
        return Delivery(vm: vm, info: info, errorCode: errorCode, via: via, count: count)
    }

    static func write(_ w: inout ByteWriter, _ d: Delivery) {
        w.u8(UInt8(d.vm))
        w.u32(d.info.rawValue)
        w.u32(d.errorCode)
        w.u8(d.via.rawValue)
        w.u32(d.count)
    }

    static func read(_ r: inout ByteReader, numL2VMs: Int) throws(InputError) -> Delivery {
        let at = r.offset
        let vm = Int(try r.u8("delivered.vm"))
        guard vm <= numL2VMs else { throw r.error("delivered.vm", at: at, "VM \(vm) does not exist") }
        let info = InterruptionInfo(try r.u32("delivered.info"))
        guard info.isValid, info.rawValue & ~(InterruptionInfo.validBit | 0xFFF) == 0, info.type.name != "reserved"
        else {
            throw r.error("delivered.info", at: at + 1, "not a delivered event (\(hexShort(UInt64(info.rawValue))))")
        }
        let errorCode = try r.u32("delivered.error_code")
        guard info.hasErrorCode || errorCode == 0 else {
            throw r.error("delivered.error_code", at: at + 5, "an error code for an event that pushes none")
        }
        let viaCode = try r.u8("delivered.via")
        guard let via = Delivery.Via(rawValue: viaCode) else {
            throw r.error("delivered.via", at: r.offset - 1, "unknown delivery path \(viaCode)")
        }
        let count = try r.u32("delivered.count")
        guard count >= 1 else { throw r.error("delivered.count", at: r.offset - 4, "must be 1 or more") }
        return Delivery(vm: vm, info: info, errorCode: errorCode, via: via, count: count)
    }
}
