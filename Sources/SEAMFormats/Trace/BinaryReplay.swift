import SEAMCore
import SEAMTypes

extension BinaryTraceReader {
    /// The fast path of a full binary trace's replay: each record is decoded, run through the engine's step
    /// calls (`Engine.seamcall`, `tdcall`, `store`, `l2Event`, with no observer) and compared in place — no
    /// step or outcome values are built. It accepts exactly what `next()` accepts and compares what
    /// `Replayer` compares; at the first record that is malformed, that a machine error stops or whose
    /// outcome differs, it returns that step's number and the general path (`Replayer.run`) replays the
    /// trace again to report it. Returns nil when every step matched.
    mutating func replayMatching(_ engine: inout Engine<NoObserver>, progress: ((Int) -> Void)? = nil) -> Int? {
        var warnings = DeliveryWarnings()
        return replayMatching(&engine, progress: progress, warnings: &warnings)
    }

    /// `replayMatching` that also collects the replay's delivery warnings.
    mutating func replayMatching(
        _ engine: inout Engine<NoObserver>, progress: ((Int) -> Void)?, warnings: inout DeliveryWarnings
    ) -> Int? {
        precondition(variant == .full)
        while stepsRead < stepCount {
            let number = stepsRead + 1
            if number & 0xFFFF == 0 { progress?(number) }
            var r = ByteReader(bytes: bytes, offset: offset, end: end, file: file, step: number)
            guard (try? replayRecord(&r, number: number, &engine, &warnings)) == true else { return number }
            offset = r.offset
            stepsRead = number
        }
        return offset == end ? nil : stepCount
    }

    /// One record: true when it is well formed and the machine did what it says.
    @inline(__always)
    func replayRecord(
        _ r: inout ByteReader, number: Int, _ engine: inout Engine<NoObserver>, _ warnings: inout DeliveryWarnings
    ) throws(InputError)
        -> Bool
    {
        guard try r.u32("step") == UInt32(truncatingIfNeeded: number) else { return false }
        let flags = try r.u8("flags")
        let kind = try r.u8("result")
        _ = engine.machine.takeDelivery()
        let actor = flags & Flag.actorMask
        let isWrite = flags & Flag.write != 0
        let isCall = actor != ActorCode.l2 && actor != ActorCode.l1Instruction && !isWrite
        guard flags & Flag.reserved == 0, kind <= ResultKind.last,
            !isWrite || actor == ActorCode.l1 || actor == ActorCode.host,
            actor == ActorCode.l1Instruction || (flags & Flag.out != 0) == isCall, flags & Flag.hash != 0
        else { return false }
        var matched = true
        var stepVCPU: Int?
        switch actor {
        case ActorCode.host where isWrite:
            let code = try r.u8("shared")
            if code == SharedCode.post {
                let op = try r.postInterrupt(vcpus: vcpus)
                let l2: L2Outcome?
                do { l2 = try engine.host(op) } catch { return false }
                switch l2 {
                case nil: matched = kind == ResultKind.completed
                case .moduleHandled(let reason)?:
                    guard kind == ResultKind.moduleHandled else { return false }
                    matched = try r.u32("module_handled") == reason.rawValue
                case .exitToL1(let l1)?:
                    guard kind == ResultKind.l1 else { return false }
                    matched = try r.matchRegisters(l1)
                default: return false
                }
                break
            }
            if code == SharedCode.irtePush {
                let op = try r.irtePush(vcpus: vcpus)
                guard let outcome = try? engine.machine.applyOutcome(op) else { return false }
                switch outcome.result {
                case .completed: matched = kind == ResultKind.completed
                case .refused(let why):
                    guard kind == ResultKind.refused else { return false }
                    matched = try r.u8("refused") == why.rawValue
                case .moduleHandled(let reason):
                    guard kind == ResultKind.moduleHandled else { return false }
                    matched = try r.u32("module_handled") == reason
                case .l1(let l1):
                    guard kind == ResultKind.l1 else { return false }
                    matched = try r.matchRegisters(l1)
                default: return false
                }
                break
            }
            let op: Step.SharedMemoryOp
            let gpa = code == SharedCode.l1InterruptState ? 0 : try r.u64("shared.gpa")
            switch code {
            case SharedCode.l1InterruptState:
                let vcpu = Int(try r.u16("l1_interrupt_state.vcpu"))
                op = .l1InterruptState(
                    vcpu: vcpu, rvi: try r.u8("l1_interrupt_state.rvi"), ppr: try r.u8("l1_interrupt_state.ppr"))
            case SharedCode.map: op = .map(gpa: gpa, size: try r.u64("shared.size"))
            case SharedCode.unmap: op = .unmap(gpa: gpa, size: try r.u64("shared.size"))
            case SharedCode.write:
                let n = Int(try r.u32("shared.length"))
                guard n >= 1 else { return false }
                op = .write(Step.MemoryWrite(gpa: gpa, bytes: try r.bytes(n, "shared.data")))
            default: return false
            }
            // `engine.host` returns nil for these operations: only a thrown error is a failure.
            do throws(MachineError) { _ = try engine.host(op) } catch { return false }
            matched = kind == ResultKind.completed
        case ActorCode.host:
            var regs = try r.registers("seamcall")
            let entry = engine.seamcall(&regs)
            matched = try r.matchRegisters(regs)
            switch entry {
            case .resumedL1(let l1?)?:
                guard matched, kind == ResultKind.l1 else { return false }
                matched = try r.matchRegisters(l1)
            case .resumedL2(let vm)?:
                guard matched, kind == ResultKind.l2 else { return false }
                matched = try r.u8("enters_l2") == UInt8(vm)
            case .tdExit(let e)?:
                guard matched, kind == ResultKind.tdExit else { return false }
                matched = try r.matchRegisters(e.registers)
            default: matched = matched && kind == ResultKind.completed
            }
        case ActorCode.l1:
            let vcpu = Int(try r.u16("vcpu"))
            stepVCPU = vcpu
            guard vcpu < vcpus else { return false }
            if isWrite {
                let gpa = try r.u64("write.gpa")
                let n = Int(try r.u32("write.length"))
                guard n >= 1 else { return false }
                try r.need(n, "write.data")
                let at = r.offset
                r.offset += n
                let fault: L1Fault? = bytes.withUnsafeBytes { raw in
                    try? engine.store(vcpu: vcpu, gpa: gpa, from: UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)]))
                }
                guard let fault else { return false }
                if fault == .none {
                    matched = kind == ResultKind.completed
                } else {
                    guard kind == ResultKind.fault else { return false }
                    matched = try r.u32("fault") == fault.rawValue
                }
            } else {
                var regs = try r.registers("tdcall")
                guard let outcome = try? engine.tdcall(vcpu: vcpu, &regs) else { return false }
                matched = try r.matchRegisters(regs)
                switch outcome {
                case .completed: matched = matched && kind == ResultKind.completed
                case .tdExit(let e):
                    guard matched, kind == ResultKind.tdExit else { return false }
                    matched = try r.matchRegisters(e.registers)
                case .enteredL2(let vm):
                    guard matched, kind == ResultKind.l2 else { return false }
                    matched = try r.u8("enters_l2") == UInt8(vm)
                case .interrupted: matched = matched && kind == ResultKind.interrupted
                }
            }
        case ActorCode.l1Instruction:
            let vcpu = Int(try r.u16("vcpu"))
            stepVCPU = vcpu
            guard vcpu < vcpus else { return false }
            let op = try r.instruction()
            guard let outcome = try? engine.l1(vcpu: vcpu, op) else { return false }
            guard (flags & Flag.out != 0) == (outcome.registers != nil) else { return false }
            if let regs = outcome.registers { matched = try r.matchRegisters(regs) }
            switch outcome.result {
            case .fault(let v):
                guard matched, kind == ResultKind.fault else { return false }
                matched = try r.u32("fault") == v
            default: matched = matched && kind == ResultKind.completed
            }
            if let b = outcome.bytes {
                try r.need(b.count, "bytes")
                matched = matched && bytes[r.offset..<(r.offset + b.count)].elementsEqual(b)
                r.offset += b.count
            }
        default:
            let vcpu = Int(try r.u16("vcpu"))
            stepVCPU = vcpu
            let vm = Int(try r.u8("vm"))
            guard vcpu < vcpus, vm >= 1, vm <= numL2VMs else { return false }
            let event = try r.event("event")
            guard let outcome = try? engine.l2Event(vcpu: vcpu, vm: vm, event) else { return false }
            switch outcome {
            case .continued: matched = kind == ResultKind.completed
            case .moduleHandled(let reason):
                guard kind == ResultKind.moduleHandled else { return false }
                matched = try r.u32("module_handled") == reason.rawValue
            case .exitToL1(let l1):
                guard kind == ResultKind.l1 else { return false }
                matched = try r.matchRegisters(l1)
            case .tdExit(let e):
                guard kind == ResultKind.tdExit else { return false }
                matched = try r.matchRegisters(e.registers)
            }
        }
        guard matched else { return false }
        let delivery = engine.machine.takeDelivery()
        if flags & Flag.delivery != 0 {
            guard let d = delivery, try DeliveryTrace.read(&r, numL2VMs: numL2VMs) == d else { return false }
        } else if delivery != nil {
            return false
        }
        warnings.observe(number, line: 0, vcpu: stepVCPU, delivery: delivery, machine: engine.machine)
        guard try r.u64("hash") == engine.machine.cachedStateHash() else { return false }
        if flags & Flag.comment != 0 {
            let n = Int(try r.u32("comment.length"))
            try r.need(n, "comment")
            guard String(validating: bytes[r.offset..<(r.offset + n)], as: UTF8.self) != nil else { return false }
            r.offset += n
        }
        return true
    }
}

extension ByteReader {
    /// Reads a register record and compares it with `actual`; false on a difference or a non-canonical
    /// record (a zero register under the mask).
    @inline(__always)
    mutating func matchRegisters(_ actual: RegisterFile) throws(InputError) -> Bool {
        let mask = try u16("registers.mask")
        try need(8 * mask.nonzeroBitCount, "registers")
        let (expected, canonical) = words(mask)
        return canonical && expected.sameValues(actual)
    }

    /// The registers of a record whose mask has been read and whose words are known to be there, and
    /// whether every masked word is non-zero.
    @inline(__always)
    mutating func words(_ mask: UInt16) -> (RegisterFile, Bool) {
        var r = RegisterFile()
        var nonzero = true
        var m = mask
        var at = offset
        if RegisterFile.isPacked {
            withUnsafeMutableBytes(of: &r) { dst in
                bytes.withUnsafeBytes { raw in
                    while m != 0 {
                        let v = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
                        dst.storeBytes(
                            of: UInt64(littleEndian: v), toByteOffset: 8 * m.trailingZeroBitCount, as: UInt64.self)
                        nonzero = nonzero && v != 0
                        at += 8
                        m &= m &- 1
                    }
                }
            }
        } else {
            while m != 0 {
                let v = ByteReader.u64(bytes, at)
                r[m.trailingZeroBitCount] = v
                nonzero = nonzero && v != 0
                at += 8
                m &= m &- 1
            }
        }
        offset = at
        return (r, nonzero)
    }
}

extension RegisterFile {
    /// Whether the sixteen registers are laid out as consecutive words in architectural order (Swift lays
    /// out a struct's stored properties in declaration order; checked rather than assumed).
    static let isPacked: Bool = {
        let paths: [KeyPath<RegisterFile, UInt64>] = [
            \.rax, \.rcx, \.rdx, \.rbx, \.rsp, \.rbp, \.rsi, \.rdi, \.r8, \.r9, \.r10, \.r11, \.r12, \.r13, \.r14,
            \.r15,
        ]
        return MemoryLayout<RegisterFile>.size == 128
            && paths.enumerated().allSatisfy { MemoryLayout<RegisterFile>.offset(of: $0.element) == 8 * $0.offset }
    }()

    /// `==` spelled out, so it inlines here.
    @inline(__always)
    func sameValues(_ o: RegisterFile) -> Bool {
        var d: UInt64 = (rax ^ o.rax) | (rcx ^ o.rcx)
        d |= (rdx ^ o.rdx) | (rbx ^ o.rbx)
        d |= (rsp ^ o.rsp) | (rbp ^ o.rbp)
        d |= (rsi ^ o.rsi) | (rdi ^ o.rdi)
        d |= (r8 ^ o.r8) | (r9 ^ o.r9)
        d |= (r10 ^ o.r10) | (r11 ^ o.r11)
        d |= (r12 ^ o.r12) | (r13 ^ o.r13)
        d |= (r14 ^ o.r14) | (r15 ^ o.r15)
        return d == 0
    }
}
