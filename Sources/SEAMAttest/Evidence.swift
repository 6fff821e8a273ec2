import SEAMFormats

/// What the vTPM example's L1 hands a verifier (JSON, `softseam attest vtpm --evidence FILE`):
///
///     {"format": "softseam-vtpm-evidence-1",
///      "ek_certificate": "-----BEGIN CERTIFICATE-----…",      the EK certificate with the TD quote (`EKCertificate`)
///      "rtmr_events": [{"index": 0, "type": 2147483659, "digest": "…", "data": "…"}, …],   L1's RTMR event log
///      "pcr_events": [{"index": 0, "type": 2147483658, "digest": "…", "data": "…"}, …],    the vTPM's event log
///      "pcr_quote": {"pcrs": [0], "values": ["…"], "signature": "…"}}                      signed by the EK
///
/// Digests, data, values and signatures are lowercase hex (either case is read). Every event is one extend of
/// `digest` into RTMR or PCR `index`, in order.
public struct Evidence: Sendable, Equatable {
    public static let format = "softseam-vtpm-evidence-1"

    public var ekCertificate: String
    public var rtmrEvents: [VTPM.Event]
    public var pcrEvents: [VTPM.Event]
    public var pcrQuote: PCRQuote

    public init(ekCertificate: String, rtmrEvents: [VTPM.Event], pcrEvents: [VTPM.Event], pcrQuote: PCRQuote) {
        self.ekCertificate = ekCertificate
        self.rtmrEvents = rtmrEvents
        self.pcrEvents = pcrEvents
        self.pcrQuote = pcrQuote
    }

    /// The JSON text, one member a line.
    public var json: String {
        func events(_ list: [VTPM.Event]) -> String {
            "["
                + list.map { e in
                    "{\"index\": \(e.index), \"type\": \(e.type), \"digest\": \"\(Scenario.hexBytes(e.digest))\", "
                        + "\"data\": \"\(Scenario.hexBytes(e.data))\"}"
                }.joined(separator: ", ") + "]"
        }
        let q = pcrQuote
        return """
            {"format": "\(Evidence.format)",
             "ek_certificate": "\(jsonEscaped(ekCertificate))",
             "rtmr_events": \(events(rtmrEvents)),
             "pcr_events": \(events(pcrEvents)),
             "pcr_quote": {"pcrs": [\(q.selection.map(String.init).joined(separator: ", "))], \
            "values": [\(q.values.map { "\"\(Scenario.hexBytes($0))\"" }.joined(separator: ", "))], \
            "signature": "\(Scenario.hexBytes(q.signature))"}}

            """
    }

    /// Parses evidence JSON; errors name `file`, the line and the field.
    public static func parse(_ text: String, file: String) throws(InputError) -> Evidence {
        let root = try JSONParser.parse(text, file: file)
        try root.rejectUnknownKeys(["format", "ek_certificate", "rtmr_events", "pcr_events", "pcr_quote"], file: file)
        try AttestJSON.checkFormat(root, format, file)
        let certificate = try ConfigDecoder.string(
            try AttestJSON.member(root, "ek_certificate", file), file, "ek_certificate")
        let rtmr = try AttestJSON.events(
            try AttestJSON.member(root, "rtmr_events", file), file, "rtmr_events", count: 4)
        let pcr = try AttestJSON.events(
            try AttestJSON.member(root, "pcr_events", file), file, "pcr_events", count: VTPM.pcrCount)
        let q = try AttestJSON.member(root, "pcr_quote", file)
        try q.rejectUnknownKeys(["pcrs", "values", "signature"], file: file, prefix: "pcr_quote")
        let selection = try AttestJSON.array(
            try AttestJSON.member(q, "pcrs", file, "pcr_quote."), file, "pcr_quote.pcrs"
        )
        .enumerated().map { (i, n) throws(InputError) in
            try AttestJSON.index(n, file, "pcr_quote.pcrs[\(i)]", count: VTPM.pcrCount)
        }
        let values = try AttestJSON.array(
            try AttestJSON.member(q, "values", file, "pcr_quote."), file, "pcr_quote.values"
        ).enumerated().map { (i, n) throws(InputError) in
            try AttestJSON.digest(n, file, "pcr_quote.values[\(i)]")
        }
        guard values.count == selection.count else {
            throw InputError(
                file: file, line: q.line, field: "pcr_quote.values", "expected one value for each PCR in pcrs")
        }
        let signature = try Scenario.parseHexBytes(
            try AttestJSON.member(q, "signature", file, "pcr_quote."), file, field: "pcr_quote.signature")
        return Evidence(
            ekCertificate: certificate, rtmrEvents: rtmr, pcrEvents: pcr,
            pcrQuote: PCRQuote(selection: selection, values: values, signature: signature))
    }
}

/// The values a verifier expects of one L1 and one L2 firmware (JSON, `softseam attest reference`):
///
///     {"format": "softseam-vtpm-reference-1",
///      "mrtd": "…",                      MRTD of the TD whose L1 image is the trusted one
///      "launch_parameter_digest": "…",   SHA-384 of the launch parameter L1 extends into RTMR[0]
///      "l2_firmware_digest": "…"}        SHA-384 of the L2 firmware image L1 extends into PCR[0]
public struct ReferenceValues: Sendable, Equatable {
    public static let format = "softseam-vtpm-reference-1"

    public var mrtd: [UInt8]
    public var launchParameterDigest: [UInt8]
    public var l2FirmwareDigest: [UInt8]

    public init(mrtd: [UInt8], launchParameterDigest: [UInt8], l2FirmwareDigest: [UInt8]) {
        self.mrtd = mrtd
        self.launchParameterDigest = launchParameterDigest
        self.l2FirmwareDigest = l2FirmwareDigest
    }

    public var json: String {
        """
        {"format": "\(ReferenceValues.format)",
         "mrtd": "\(Scenario.hexBytes(mrtd))",
         "launch_parameter_digest": "\(Scenario.hexBytes(launchParameterDigest))",
         "l2_firmware_digest": "\(Scenario.hexBytes(l2FirmwareDigest))"}

        """
    }

    public static func parse(_ text: String, file: String) throws(InputError) -> ReferenceValues {
        let root = try JSONParser.parse(text, file: file)
        try root.rejectUnknownKeys(["format", "mrtd", "launch_parameter_digest", "l2_firmware_digest"], file: file)
        try AttestJSON.checkFormat(root, format, file)
        func digest(_ key: String) throws(InputError) -> [UInt8] {
            try AttestJSON.digest(try AttestJSON.member(root, key, file), file, key)
        }
        return ReferenceValues(
            mrtd: try digest("mrtd"), launchParameterDigest: try digest("launch_parameter_digest"),
            l2FirmwareDigest: try digest("l2_firmware_digest"))
    }
}

/// Reading the two files' members, each error naming the file, line and field.
enum AttestJSON {
    static func member(_ n: JSONNode, _ key: String, _ file: String, _ prefix: String = "") throws(InputError)
        -> JSONNode
    {
        guard case .object = n.value else {
            let field = prefix.isEmpty ? nil : String(prefix.dropLast())
            throw InputError(file: file, line: n.line, field: field, "expected an object, found \(n.typeName)")
        }
        guard let m = n[key] else { throw InputError(file: file, line: n.line, field: prefix + key, "missing") }
        return m
    }

    static func checkFormat(_ root: JSONNode, _ format: String, _ file: String) throws(InputError) {
        let n = try member(root, "format", file)
        guard try ConfigDecoder.string(n, file, "format") == format else {
            throw InputError(file: file, line: n.line, field: "format", "expected \"\(format)\"")
        }
    }

    static func array(_ n: JSONNode, _ file: String, _ field: String) throws(InputError) -> [JSONNode] {
        guard case .array(let items) = n.value else {
            throw InputError(file: file, line: n.line, field: field, "expected an array, found \(n.typeName)")
        }
        return items
    }

    static func integer(_ n: JSONNode, _ file: String, _ field: String, below limit: UInt64) throws(InputError)
        -> UInt64
    {
        guard case .number(let text) = n.value, let v = UInt64(text), v < limit else {
            throw InputError(file: file, line: n.line, field: field, "expected an integer from 0 to \(limit - 1)")
        }
        return v
    }

    static func index(_ n: JSONNode, _ file: String, _ field: String, count: Int) throws(InputError) -> Int {
        Int(try integer(n, file, field, below: UInt64(count)))
    }

    static func digest(_ n: JSONNode, _ file: String, _ field: String) throws(InputError) -> [UInt8] {
        let b = try Scenario.parseHexBytes(n, file, field: field)
        guard b.count == VTPM.digestSize else {
            throw InputError(file: file, line: n.line, field: field, "expected 48 bytes (SHA-384), found \(b.count)")
        }
        return b
    }

    static func events(_ n: JSONNode, _ file: String, _ field: String, count: Int) throws(InputError)
        -> [VTPM.Event]
    {
        var out: [VTPM.Event] = []
        for (i, e) in try array(n, file, field).enumerated() {
            let f = "\(field)[\(i)]"
            try e.rejectUnknownKeys(["index", "type", "digest", "data"], file: file, prefix: f)
            out.append(
                VTPM.Event(
                    index: try index(try member(e, "index", file, f + "."), file, f + ".index", count: count),
                    type: UInt32(try integer(try member(e, "type", file, f + "."), file, f + ".type", below: 1 << 32)),
                    digest: try digest(try member(e, "digest", file, f + "."), file, f + ".digest"),
                    data: try Scenario.parseHexBytes(try member(e, "data", file, f + "."), file, field: f + ".data")))
        }
        return out
    }
}
