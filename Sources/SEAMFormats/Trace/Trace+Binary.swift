import SEAMCore
import SEAMTypes

/// The compact binary form of a trace (Traces/FORMAT.md, "Binary form"): the same header JSON, then one
/// record per step with registers as a presence mask and little-endian words, then an XXH3-64 checksum of
/// everything before it. Converting JSON ⇄ binary loses nothing.
///
///     "SSEAMTRC" u32 version  u32 n  header JSON (n bytes)  u64 steps  record…  "SSEAMEND" u64 xxh3
extension Trace {
    public static let binaryMagic: [UInt8] = Array("SSEAMTRC".utf8)
    static let endMagic: [UInt8] = Array("SSEAMEND".utf8)
    /// Bytes after the records: end magic and checksum.
    static let trailerSize = 16

    /// Record flag bits (FORMAT.md): actor in bits 1:0, then write, comment, hash, out.
    enum Flag {
        static let actorMask: UInt8 = 3
        static let write: UInt8 = 1 << 2
        static let comment: UInt8 = 1 << 3
        static let hash: UInt8 = 1 << 4
        static let out: UInt8 = 1 << 5
        /// A delivery record follows the result (full traces).
        static let delivery: UInt8 = 1 << 6
        static let reserved: UInt8 = 0x80
    }

    /// Record actor codes (flags bits 1:0, FORMAT.md): 3 is an L1 instruction other than a TDCALL.
    enum ActorCode {
        static let host: UInt8 = 0
        static let l1: UInt8 = 1
        static let l2: UInt8 = 2
        static let l1Instruction: UInt8 = 3
    }

    /// Which instruction an L1-instruction record holds (FORMAT.md).
    enum InstructionCode {
        static let read: UInt8 = 0
        static let cpuid: UInt8 = 1
        static let rdmsr: UInt8 = 2
        static let wrmsr: UInt8 = 3
        static let interruptible: UInt8 = 4
    }

    /// What a host record with the write flag does to the host's shared memory (FORMAT.md).
    enum SharedCode {
        static let map: UInt8 = 0
        static let unmap: UInt8 = 1
        static let write: UInt8 = 2
        /// L1's virtual-interrupt state: u16 vCPU, u8 RVI, u8 PPR (no GPA).
        static let l1InterruptState: UInt8 = 3
        /// A posted interrupt: vCPU u16, notify u8 (0/1), count u16, the vectors (u8 each).
        static let post: UInt8 = 4
        /// A shared-IRTE push: vCPU u16, ring GPA u64, irq_type u8 (1 IOAPIC: u32 pin, u32 level, u32
        /// source_id; 2 MSI: u8 mode, u8 vector, u8 dest_id).
        static let irtePush: UInt8 = 5
    }

    /// Record result kinds (FORMAT.md): which `StepResult` a record holds.
    enum ResultKind {
        static let completed: UInt8 = 0
        static let tdExit: UInt8 = 1
        static let l2: UInt8 = 2
        static let moduleHandled: UInt8 = 3
        static let l1: UInt8 = 4
        static let fault: UInt8 = 5
        /// An interruptible TDCALL stopped for a pending interrupt (no payload).
        static let interrupted: UInt8 = 6
        /// A refused shared-IRTE push: u8 the problem (`IRTERingProblem`).
        static let refused: UInt8 = 7
        /// The highest kind there is.
        static let last = refused
    }

    /// Whether `bytes` are (or were meant to be) a binary trace: they start with the magic, or are cut short
    /// inside it (`SSEA`: a JSON Lines file starts with `{`), which the binary reader then reports as a
    /// truncated binary trace rather than as malformed JSON.
    public static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: binaryMagic) || (!bytes.isEmpty && binaryMagic.starts(with: bytes))
    }

    /// The trace in its binary form.
    public func binary() -> [UInt8] {
        var w = ByteWriter()
        w.bytes += Trace.binaryMagic
        w.u32(UInt32(Trace.formatVersion))
        let header = Array(
            scenario.headerFields(
                kind: "trace", version: Trace.formatVersion, extra: ",\"variant\":\"\(variant.rawValue)\""
            )
            .utf8)
        w.u32(UInt32(header.count + 2))
        w.bytes += [UInt8(ascii: "{")] + header + [UInt8(ascii: "}")]
        w.u64(UInt64(count))
        for (i, step) in steps.enumerated() { Trace.writeRecord(&w, step, outcomes[i], number: i + 1, variant) }
        w.bytes += Trace.endMagic
        w.u64(XXH3.hash(w.bytes))
        return w.bytes
    }

    static func writeRecord(_ w: inout ByteWriter, _ s: Step, _ o: StepOutcome, number: Int, _ v: Variant) {
        w.u32(UInt32(number))
        var flags: UInt8
        switch s.actor {
        case .host: flags = ActorCode.host
        case .l1: flags = s.instruction == nil ? ActorCode.l1 : ActorCode.l1Instruction
        case .l2: flags = ActorCode.l2
        }
        if s.write != nil || s.shared != nil { flags |= Flag.write }
        if s.comment != nil { flags |= Flag.comment }
        if o.hash != nil { flags |= Flag.hash }
        if o.registers != nil { flags |= Flag.out }
        if o.delivery != nil { flags |= Flag.delivery }
        w.u8(flags)
        switch o.result {
        case .completed: w.u8(ResultKind.completed)
        case .tdExit: w.u8(ResultKind.tdExit)
        case .l2: w.u8(ResultKind.l2)
        case .moduleHandled: w.u8(ResultKind.moduleHandled)
        case .l1: w.u8(ResultKind.l1)
        case .fault: w.u8(ResultKind.fault)
        case .interrupted: w.u8(ResultKind.interrupted)
        case .refused: w.u8(ResultKind.refused)
        }
        switch s.actor {
        case .host:
            switch s.shared {
            case .map(let gpa, let size)?:
                w.u8(SharedCode.map)
                w.u64(gpa)
                w.u64(size)
            case .unmap(let gpa, let size)?:
                w.u8(SharedCode.unmap)
                w.u64(gpa)
                w.u64(size)
            case .write(let write)?:
                w.u8(SharedCode.write)
                w.u64(write.gpa)
                w.u32(UInt32(write.bytes.count))
                w.bytes += write.bytes
            case .l1InterruptState(let vcpu, let rvi, let ppr)?:
                w.u8(SharedCode.l1InterruptState)
                w.u16(UInt16(vcpu))
                w.u8(rvi)
                w.u8(ppr)
            case .postInterrupt(let vcpu, let vectors, let notify)?:
                w.u8(SharedCode.post)
                w.u16(UInt16(vcpu))
                w.u8(notify ? 1 : 0)
                w.u16(UInt16(vectors.count))
                w.bytes += vectors
            case .irtePush(let vcpu, let gpa, let event)?:
                w.u8(SharedCode.irtePush)
                w.u16(UInt16(vcpu))
                w.u64(gpa)
                switch event {
                case .msi(let mode, let vector, let dest): w.bytes += [2, mode, vector, dest]
                case .ioapic(let pin, let level, let source):
                    w.u8(1)
                    w.u32(pin)
                    w.u32(level)
                    w.u32(source)
                }
            case nil:
                w.registers(s.registers)
            }
        case .l1(let vcpu):
            w.u16(UInt16(vcpu))
            if let op = s.instruction {
                w.instruction(op)
            } else if let write = s.write {
                w.u64(write.gpa)
                w.u32(UInt32(write.bytes.count))
                w.bytes += write.bytes
            } else {
                w.registers(s.registers)
                if v == .l1Observed {
                    w.u32(UInt32(s.events.count))
                    for e in s.events { w.event(e) }
                }
            }
        case .l2(let vm, let vcpu):
            w.u16(UInt16(vcpu))
            w.u8(UInt8(vm))
            w.event(s.events[0])
        }
        if let r = o.registers { w.registers(r) }
        switch o.result {
        case .completed, .interrupted: break
        case .tdExit(let r), .l1(let r): w.registers(r)
        case .l2(let vm): w.u8(UInt8(vm))
        case .moduleHandled(let reason), .fault(let reason): w.u32(reason)
        case .refused(let why): w.u8(why.rawValue)
        }
        if case .read? = s.instruction, let b = o.bytes { w.bytes += b }
        if let d = o.delivery { DeliveryTrace.write(&w, d) }
        if let h = o.hash { w.u64(h) }
        if let c = s.comment {
            let utf8 = Array(c.utf8)
            w.u32(UInt32(utf8.count))
            w.bytes += utf8
        }
    }

    /// Reads a binary trace; errors name `file`, the byte offset and the field.
    public init(binary bytes: [UInt8], file: String) throws(InputError) {
        var reader = try BinaryTraceReader(bytes, file: file)
        var steps: [Step] = []
        var outcomes: [StepOutcome] = []
        steps.reserveCapacity(reader.stepCount)
        outcomes.reserveCapacity(reader.stepCount)
        while let (s, o) = try reader.next() {
            steps.append(s)
            outcomes.append(o)
        }
        var scenario = reader.scenario
        scenario.steps = steps
        self.init(variant: reader.variant, scenario: scenario, outcomes: outcomes)
    }

    /// Reads a trace in either form (binary when it starts with the magic, else JSON Lines).
    public static func load(_ bytes: [UInt8], file: String) throws(InputError) -> Trace {
        if isBinary(bytes) { return try Trace(binary: bytes, file: file) }
        return try parse(FileIO.text(bytes, file: file, notText: "neither a binary trace nor UTF-8 text"), file: file)
    }
}

/// Reads the records of a binary trace one at a time (replay streams them). The checksum and the header are
/// checked when it is made, so a garbled file is refused before any step runs.
public struct BinaryTraceReader {
    typealias Flag = Trace.Flag
    typealias ActorCode = Trace.ActorCode
    typealias ResultKind = Trace.ResultKind
    typealias SharedCode = Trace.SharedCode
    let bytes: [UInt8]
    let file: String
    var offset: Int
    /// Offset of the first record, and of the trailer (end magic).
    var firstRecord = 0
    let end: Int
    public let variant: Trace.Variant
    /// Config, labels and header comment (no steps).
    public let scenario: Scenario
    public let stepCount: Int
    /// Steps read so far.
    public internal(set) var stepsRead = 0
    let vcpus: Int
    let numL2VMs: Int

    public init(_ bytes: [UInt8], file: String) throws(InputError) {
        self.bytes = bytes
        self.file = file
        let minimum = 8 + 4 + 4 + 8 + Trace.trailerSize
        guard bytes.count >= minimum else {
            throw InputError(
                file: file, byteOffset: bytes.count, field: "header",
                "truncated binary trace: \(bytes.count) bytes, fewer than the \(minimum) its fixed parts take")
        }
        guard bytes.starts(with: Trace.binaryMagic) else {
            throw InputError(file: file, byteOffset: 0, field: "magic", "not a binary trace (expected \"SSEAMTRC\")")
        }
        let trailer = bytes.count - Trace.trailerSize
        guard Array(bytes[trailer..<(trailer + 8)]) == Trace.endMagic else {
            throw InputError(
                file: file, byteOffset: trailer, field: "end",
                "truncated binary trace: no end marker \"SSEAMEND\" where the file ends")
        }
        let stored = ByteReader.u64(bytes, trailer + 8)
        let actual = bytes.withUnsafeBytes { XXH3.hash(UnsafeRawBufferPointer(rebasing: $0[0..<(trailer + 8)])) }
        guard stored == actual else {
            throw InputError(
                file: file, byteOffset: trailer + 8, field: "checksum",
                "the file's XXH3 checksum \(hash16(stored)) does not match its contents (\(hash16(actual))): it was changed or damaged"
            )
        }
        end = trailer
        offset = 8
        let version = ByteReader.u32(bytes, offset)
        guard version == UInt32(Trace.formatVersion) else {
            throw InputError(
                file: file, byteOffset: offset, field: "version",
                "unsupported version \(version) (this SoftSEAM reads trace version \(Trace.formatVersion))")
        }
        offset += 4
        let length = Int(ByteReader.u32(bytes, offset))
        offset += 4
        guard length <= end - offset - 8 else {
            throw InputError(
                file: file, byteOffset: offset - 4, field: "header", "header length \(length) runs past the records")
        }
        guard let text = String(validating: bytes[offset..<(offset + length)], as: UTF8.self) else {
            throw InputError(file: file, byteOffset: offset, field: "header", "the header is not UTF-8")
        }
        let headerOffset = offset
        let node: JSONNode
        let scenario: Scenario
        let variantName: String
        do throws(InputError) {
            node = try JSONParser.parse(text, file: file)
            scenario = try Scenario.parseHeader(
                node, file: file, kind: "trace", version: Trace.formatVersion, extraKeys: ["variant"])
            guard let v = node["variant"] else {
                throw InputError(file: file, field: "variant", "missing")
            }
            variantName = try ConfigDecoder.string(v, file, "variant")
        } catch {
            throw InputError(
                file: file, byteOffset: headerOffset, field: error.field ?? "header", "header: \(error.message)")
        }
        guard let variant = Trace.Variant(rawValue: variantName) else {
            throw InputError(
                file: file, byteOffset: headerOffset, field: "variant", "unknown variant \"\(variantName)\"")
        }
        self.variant = variant
        self.scenario = scenario
        vcpus = scenario.config.vcpus
        numL2VMs = scenario.config.numL2VMs
        offset += length
        let count = ByteReader.u64(bytes, offset)
        // Every record is at least 6 bytes.
        guard count <= UInt64((end - offset - 8) / 6) else {
            throw InputError(
                file: file, byteOffset: offset, field: "steps", "step count \(count) does not fit in the file")
        }
        stepCount = Int(count)
        offset += 8
        firstRecord = offset
    }

    /// The next step and its recorded outcome, or nil after the last.
    public mutating func next() throws(InputError) -> (Step, StepOutcome)? {
        guard stepsRead < stepCount else {
            guard offset == end else {
                throw InputError(
                    file: file, byteOffset: offset, field: "steps",
                    "\(end - offset) bytes after the last of \(stepCount) steps")
            }
            return nil
        }
        let number = stepsRead + 1
        var r = ByteReader(bytes: bytes, offset: offset, end: end, file: file, step: number)
        let found = try r.u32("step")
        guard found == UInt32(truncatingIfNeeded: number) else {
            throw r.error("step", at: r.offset - 4, "expected step \(number), found \(found) (records reordered?)")
        }
        let flags = try r.u8("flags")
        guard flags & Flag.reserved == 0 else {
            throw r.error("flags", at: r.offset - 1, "reserved bits set (\(hexShort(UInt64(flags))))")
        }
        let resultKind = try r.u8("result")
        guard resultKind <= ResultKind.last else {
            throw r.error("result", at: r.offset - 1, "unknown result kind \(resultKind)")
        }
        var step = Step(actor: .host, registers: RegisterFile())
        let actor = flags & Flag.actorMask
        let isWrite = flags & Flag.write != 0
        guard !isWrite || actor == ActorCode.l1 || actor == ActorCode.host else {
            throw r.error("flags", at: r.offset - 2, "only an L1 or host step is a write")
        }
        guard variant == .full || actor == ActorCode.l1 else {
            throw r.error("actor", at: r.offset - 2, "an l1-observed trace has only L1 steps")
        }
        switch actor {
        case ActorCode.host where isWrite:
            let code = try r.u8("shared")
            if code == SharedCode.l1InterruptState {
                let vcpu = Int(try r.u16("l1_interrupt_state.vcpu"))
                step.shared = .l1InterruptState(
                    vcpu: vcpu, rvi: try r.u8("l1_interrupt_state.rvi"), ppr: try r.u8("l1_interrupt_state.ppr"))
                break
            }
            if code == SharedCode.post {
                step.shared = try r.postInterrupt(vcpus: vcpus)
                break
            }
            if code == SharedCode.irtePush {
                step.shared = try r.irtePush(vcpus: vcpus)
                break
            }
            let gpa = try r.u64("shared.gpa")
            switch code {
            case SharedCode.map: step.shared = .map(gpa: gpa, size: try r.u64("shared.size"))
            case SharedCode.unmap: step.shared = .unmap(gpa: gpa, size: try r.u64("shared.size"))
            case SharedCode.write:
                let n = Int(try r.u32("shared.length"))
                guard n >= 1 else { throw r.error("shared.length", at: r.offset - 4, "a write stores at least 1 byte") }
                step.shared = .write(Step.MemoryWrite(gpa: gpa, bytes: try r.bytes(n, "shared.data")))
            default: throw r.error("shared", at: r.offset - 9, "unknown shared-memory operation \(code)")
            }
        case ActorCode.host:
            step.registers = try r.registers("seamcall")
        case ActorCode.l1:
            let vcpu = try vcpu(&r)
            step.actor = .l1(vcpu: vcpu)
            if isWrite {
                let gpa = try r.u64("write.gpa")
                let n = Int(try r.u32("write.length"))
                guard n >= 1 else { throw r.error("write.length", at: r.offset - 4, "a write stores at least 1 byte") }
                step.write = Step.MemoryWrite(gpa: gpa, bytes: try r.bytes(n, "write.data"))
            } else {
                step.registers = try r.registers("tdcall")
                if variant == .l1Observed {
                    let n = Int(try r.u32("l2_events.count"))
                    guard n <= (end - r.offset) else {
                        throw r.error("l2_events.count", at: r.offset - 4, "\(n) events do not fit in the file")
                    }
                    step.events.reserveCapacity(n)
                    for _ in 0..<n { step.events.append(try r.event("l2_events")) }
                }
            }
        case ActorCode.l1Instruction:
            step.actor = .l1(vcpu: try vcpu(&r))
            step.instruction = try r.instruction()
        default:
            let vcpu = try vcpu(&r)
            let vm = Int(try r.u8("vm"))
            guard vm >= 1 && vm <= numL2VMs else {
                throw r.error("vm", at: r.offset - 1, "L2 VM \(vm) does not exist (the TD has \(numL2VMs))")
            }
            step.actor = .l2(vm: vm, vcpu: vcpu)
            step.events = [try r.event("event")]
        }
        var outcome = StepOutcome()
        let isCall = actor != ActorCode.l2 && actor != ActorCode.l1Instruction && !isWrite
        let mayOut: Bool
        switch step.instruction {
        case .cpuid?, .rdmsr?: mayOut = resultKind == ResultKind.completed
        default: mayOut = isCall
        }
        guard (flags & Flag.out != 0) == mayOut else {
            throw r.error(
                "out", at: offset + 4, isCall ? "missing (the registers the call returned)" : "only a call has \"out\"")
        }
        if mayOut { outcome.registers = try r.registers("out") }
        guard variant == .full || resultKind == ResultKind.completed || resultKind == ResultKind.fault else {
            throw r.error("result", at: offset + 5, "an l1-observed step has only \"out\"")
        }
        switch resultKind {
        case ResultKind.tdExit: outcome.result = .tdExit(try r.registers("td_exit"))
        case ResultKind.l2:
            let vm = Int(try r.u8("enters_l2"))
            guard vm >= 1 && vm <= numL2VMs else {
                throw r.error("enters_l2", at: r.offset - 1, "L2 VM \(vm) does not exist")
            }
            outcome.result = .l2(vm: vm)
        case ResultKind.moduleHandled: outcome.result = .moduleHandled(try r.u32("module_handled"))
        case ResultKind.l1: outcome.result = .l1(try r.registers("l1_resumes"))
        case ResultKind.fault: outcome.result = .fault(try r.u32("fault"))
        case ResultKind.interrupted: outcome.result = .interrupted
        case ResultKind.refused:
            let code = try r.u8("refused")
            guard let why = IRTERingProblem(rawValue: code) else {
                throw r.error("refused", at: r.offset - 1, "unknown ring problem \(code)")
            }
            outcome.result = .refused(why)
        default: break
        }
        if case .read(_, let size)? = step.instruction, resultKind == ResultKind.completed {
            outcome.bytes = try r.bytes(size, "bytes")
        }
        if flags & Flag.delivery != 0 {
            guard variant == .full else {
                throw r.error("flags", at: offset + 4, "an l1-observed trace records no deliveries")
            }
            outcome.delivery = try DeliveryTrace.read(&r, numL2VMs: numL2VMs)
        }
        guard (flags & Flag.hash != 0) == (variant == .full) else {
            throw r.error(
                "hash", at: offset + 4,
                variant == .full
                    ? "missing (a full trace has the hash after each step)" : "an l1-observed trace has no hashes")
        }
        if flags & Flag.hash != 0 { outcome.hash = try r.u64("hash") }
        if flags & Flag.comment != 0 {
            let n = Int(try r.u32("comment.length"))
            let start = r.offset
            guard let c = String(validating: try r.bytes(n, "comment"), as: UTF8.self) else {
                throw r.error("comment", at: start, "not UTF-8")
            }
            step.comment = c
        }
        offset = r.offset
        stepsRead = number
        return (step, outcome)
    }

    func vcpu(_ r: inout ByteReader) throws(InputError) -> Int {
        let v = Int(try r.u16("vcpu"))
        guard v < vcpus else {
            throw r.error("vcpu", at: r.offset - 2, "vCPU \(v) does not exist (the TD has \(vcpus))")
        }
        return v
    }
}

/// Little-endian appends.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }

    /// A 16-bit mask of the non-zero registers, then each of them.
    mutating func registers(_ r: RegisterFile) {
        var mask: UInt16 = 0
        for i in 0..<16 where r[i] != 0 { mask |= 1 << UInt16(i) }
        u16(mask)
        for i in 0..<16 where r[i] != 0 { u64(r[i]) }
    }

    /// An L2 event: its tag byte (`L2Event.Kind`, FORMAT.md's table) and its operands.
    mutating func event(_ e: L2Event) {
        u8(e.kind.rawValue)
        switch e {
        case .setRegister(let reg, let value):
            u8(UInt8(truncatingIfNeeded: reg))
            u64(value)
        case .jump(let rip):
            u64(rip)
        case .cpuid, .hlt, .rdmsr, .wrmsr, .tdcall, .vmcall, .clts, .nmi, .sti, .eoi, .iret:
            break
        case .duringDelivery(let inner):
            event(inner)
        case .io(let a):
            u16(a.port)
            u8(a.size)
            u8((a.isIn ? 1 : 0) | (a.isString ? 2 : 0) | (a.isRep ? 4 : 0) | (a.isImmediate ? 8 : 0))
        case .movToCR(let cr, let gpr), .movFromCR(let cr, let gpr):
            u8(cr)
            u8(gpr)
        case .lmsw(let v):
            u16(v)
        case .memory(let m):
            u8(m.kind.rawValue)
            u8((m.isUser ? 1 : 0) | (m.gla != nil ? 2 : 0))
            u64(m.gpa)
            u8(m.size)
            u64(m.value)
            if let gla = m.gla { u64(gla) }
        case .exception(let vector, let code):
            u8(vector)
            u8(code != nil ? 1 : 0)
            if let code { u32(code) }
        case .externalInterrupt(let vector):
            u8(vector)
        case .exit(let reason, let qualification, let length):
            u32(reason.rawValue)
            u64(qualification)
            u32(length)
        case .time(let ticks):
            u64(ticks)
        }
    }
}

/// Bounds-checked little-endian reads inside one record; errors name the step and field.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int
    let file: String
    let step: Int

    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 {
        b.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    func error(_ field: String, at: Int, _ message: String) -> InputError {
        InputError(file: file, byteOffset: at, field: "step \(step).\(field)", message)
    }

    @inline(__always)
    mutating func need(_ n: Int, _ field: @autoclosure () -> String) throws(InputError) {
        guard n <= end - offset else {
            throw error(field(), at: offset, "the records end inside this value (cut short?)")
        }
    }
    mutating func u8(_ field: @autoclosure () -> String) throws(InputError) -> UInt8 {
        try need(1, field())
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u16(_ field: @autoclosure () -> String) throws(InputError) -> UInt16 {
        try need(2, field())
        defer { offset += 2 }
        return bytes.withUnsafeBytes { UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    }
    mutating func u32(_ field: @autoclosure () -> String) throws(InputError) -> UInt32 {
        try need(4, field())
        defer { offset += 4 }
        return ByteReader.u32(bytes, offset)
    }
    mutating func u64(_ field: @autoclosure () -> String) throws(InputError) -> UInt64 {
        try need(8, field())
        defer { offset += 8 }
        return ByteReader.u64(bytes, offset)
    }
    mutating func bytes(_ n: Int, _ field: @autoclosure () -> String) throws(InputError) -> [UInt8] {
        try need(n, field())
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func registers(_ field: @autoclosure () -> String) throws(InputError) -> RegisterFile {
        let mask = try u16("\(field()).mask")
        guard mask != 0 else { return RegisterFile() }
        try need(8 * mask.nonzeroBitCount, field())
        let start = offset
        let (r, canonical) = words(mask)
        guard canonical else {
            // A zero value is written as an absent register: a zero under the mask is not canonical.
            let i = (0..<16).first { mask >> UInt16($0) & 1 != 0 && r[$0] == 0 } ?? 0
            throw error("\(field()).\(RegisterFile.names[i])", at: start, "a register in the mask is 0")
        }
        return r
    }

    /// An L2 event (tag byte, operands), checked against `L2Event.problem` as every reader of events is.
    mutating func event(_ name: @autoclosure () -> String) throws(InputError) -> L2Event {
        let start = offset
        let tag = try u8("\(name()).kind")
        func bad(_ what: String) -> InputError { error(name(), at: start, what) }
        var field: String { name() }
        guard let kind = L2Event.Kind(rawValue: tag) else { throw bad("unknown L2 event kind \(tag)") }
        let e: L2Event
        switch kind {
        case .setRegister: e = .setRegister(Int(try u8("\(field).register")), try u64("\(field).value"))
        case .jump: e = .jump(rip: try u64("\(field).rip"))
        case .cpuid, .hlt, .rdmsr, .wrmsr, .tdcall, .vmcall, .clts, .nmi, .sti, .eoi, .iret: e = kind.bare!
        case .duringDelivery:
            guard try u8("\(field).event.kind") != L2Event.Kind.duringDelivery.rawValue else {
                throw bad("during_delivery.event: a during_delivery event cannot hold another")
            }
            offset -= 1
            e = .duringDelivery(try event("\(field).event"))
        case .io:
            let port = try u16("\(field).port")
            let size = try u8("\(field).size")
            let f = try u8("\(field).flags")
            guard f & ~0xF == 0 else { throw bad("reserved I/O flag bits") }
            e = .io(
                IOAccess(
                    port: port, size: size, isIn: f & 1 != 0, isString: f & 2 != 0, isRep: f & 4 != 0,
                    isImmediate: f & 8 != 0))
        case .movToCR, .movFromCR:
            let cr = try u8("\(field).cr")
            let gpr = try u8("\(field).gpr")
            e = kind == .movToCR ? .movToCR(cr: cr, gpr: gpr) : .movFromCR(cr: cr, gpr: gpr)
        case .lmsw: e = .lmsw(try u16("\(field).lmsw"))
        case .memory:
            let k = try u8("\(field).access")
            let f = try u8("\(field).flags")
            guard let access = MemoryAccess.Kind(rawValue: k) else { throw bad("access kind \(k) is not 0…2") }
            guard f & ~3 == 0 else { throw bad("reserved memory-access flag bits") }
            let gpa = try u64("\(field).gpa")
            let size = try u8("\(field).size")
            let value = try u64("\(field).value")
            let gla: UInt64? = f & 2 != 0 ? try u64("\(field).gla") : nil
            e = .memory(MemoryAccess(kind: access, gpa: gpa, size: size, value: value, isUser: f & 1 != 0, gla: gla))
        case .exception:
            let vector = try u8("\(field).vector")
            let has = try u8("\(field).has_error_code")
            guard has <= 1 else { throw bad("has_error_code \(has) is not 0 or 1") }
            e = .exception(vector: vector, errorCode: has == 1 ? try u32("\(field).error_code") : nil)
        case .externalInterrupt: e = .externalInterrupt(vector: try u8("\(field).vector"))
        case .exit:
            let reason = try u32("\(field).reason")
            let q = try u64("\(field).qualification")
            let len = try u32("\(field).length")
            e = .exit(ExitReason(reason), qualification: q, instructionLength: len)
        case .time: e = .time(ticks: try u64("\(field).ticks"))
        }
        if let (operand, message) = e.problem { throw bad("\(kind.name).\(operand): \(message)") }
        return e
    }
}

extension ByteWriter {
    /// An L1-instruction record's body after its vCPU (FORMAT.md): code, then its operands.
    mutating func instruction(_ op: Step.L1Instruction) {
        switch op {
        case .read(let gpa, let size):
            u8(Trace.InstructionCode.read)
            u64(gpa)
            u32(UInt32(size))
        case .cpuid(let leaf, let subleaf):
            u8(Trace.InstructionCode.cpuid)
            u32(leaf)
            u32(subleaf)
        case .rdmsr(let msr):
            u8(Trace.InstructionCode.rdmsr)
            u32(msr)
        case .wrmsr(let msr, let value):
            u8(Trace.InstructionCode.wrmsr)
            u32(msr)
            u64(value)
        case .interruptible:
            u8(Trace.InstructionCode.interruptible)
        }
    }
}

extension ByteReader {
    /// An L1-instruction record's body after its vCPU (`ByteWriter.instruction`).
    mutating func instruction() throws(InputError) -> Step.L1Instruction {
        let code = try u8("instruction")
        switch code {
        case Trace.InstructionCode.read:
            let gpa = try u64("read.gpa")
            let size = try u32("read.size")
            guard size >= 1 else { throw error("read.size", at: offset - 4, "a read is at least 1 byte") }
            return .read(gpa: gpa, size: Int(size))
        case Trace.InstructionCode.cpuid: return .cpuid(leaf: try u32("cpuid.leaf"), subleaf: try u32("cpuid.subleaf"))
        case Trace.InstructionCode.rdmsr: return .rdmsr(msr: try u32("rdmsr.msr"))
        case Trace.InstructionCode.wrmsr: return .wrmsr(msr: try u32("wrmsr.msr"), value: try u64("wrmsr.value"))
        case Trace.InstructionCode.interruptible: return .interruptible
        default: throw error("instruction", at: offset - 1, "unknown L1 instruction \(code)")
        }
    }
}

extension ByteReader {
    /// A host post-interrupt record's body after its code (`Trace.SharedCode.post`).
    mutating func irtePush(vcpus: Int) throws(InputError) -> Step.SharedMemoryOp {
        let vcpu = Int(try u16("irte_push.vcpu"))
        guard vcpu < vcpus else {
            throw error("irte_push.vcpu", at: offset - 2, "vCPU \(vcpu) does not exist (the TD has \(vcpus))")
        }
        let gpa = try u64("irte_push.gpa")
        let type = try u8("irte_push.type")
        switch type {
        case 2:
            let mode = try u8("irte_push.msi.mode")
            let vector = try u8("irte_push.msi.vector")
            let dest = try u8("irte_push.msi.dest_id")
            return .irtePush(vcpu: vcpu, gpa: gpa, event: .msi(mode: mode, vector: vector, destID: dest))
        case 1:
            let pin = try u32("irte_push.ioapic.pin")
            let level = try u32("irte_push.ioapic.level")
            let source = try u32("irte_push.ioapic.source_id")
            return .irtePush(vcpu: vcpu, gpa: gpa, event: .ioapic(pin: pin, level: level, sourceID: source))
        default:
            throw error("irte_push.type", at: offset - 1, "expected 1 (IOAPIC) or 2 (MSI), got \(type)")
        }
    }

    mutating func postInterrupt(vcpus: Int) throws(InputError) -> Step.SharedMemoryOp {
        let vcpu = Int(try u16("post_interrupt.vcpu"))
        guard vcpu < vcpus else {
            throw error("post_interrupt.vcpu", at: offset - 2, "vCPU \(vcpu) does not exist (the TD has \(vcpus))")
        }
        let notify = try u8("post_interrupt.notify")
        guard notify <= 1 else {
            throw error("post_interrupt.notify", at: offset - 1, "expected 0 or 1, got \(notify)")
        }
        let n = Int(try u16("post_interrupt.count"))
        return .postInterrupt(vcpu: vcpu, vectors: try bytes(n, "post_interrupt.vectors"), notify: notify == 1)
    }
}
