import SEAMAttest
import SEAMCore
import SEAMFormats
import SEAMTypes

/// The example's L1: TDCALLs through the step engine, its own memory through `Machine.readMemory` and
/// `Engine.store` (what L1 code would load and store), the host through TDG.VP.VMCALL.
struct VTPML1 {
    typealias X = VTPMExample

    var engine: Engine<StepRecorder>
    var host = BuiltInTDVMCallHost(stepComment: "TDH.VP.ENTER")
    var vtpm: VTPM?
    var rtmrEvents: [VTPM.Event] = []
    var log: [String] = []
    var l2Printed: [UInt8] = []
    var l2Exits: [UInt32] = []
    var l2 = ScriptedL2([1: VTPML1.l2Program])

    var m: Machine { engine.machine }

    init(machine: Machine) { engine = Engine(machine: machine, observer: StepRecorder()) }

    // MARK: Calls

    /// One TDCALL that must complete with TDX_SUCCESS.
    @discardableResult
    mutating func call(_ leaf: Leaf, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0) throws
        -> RegisterFile
    {
        var regs = RegisterFile(rax: UInt64(leaf.rawValue), rcx: rcx, rdx: rdx, r8: r8, r9: r9)
        let outcome = try engine.tdcall(vcpu: 0, &regs, comment: "\(leaf)")
        guard outcome == .completed, regs.rax == 0 else {
            throw VTPMExample.Failure.step("\(leaf) gave \(outcome), status \(TDXStatus(regs.rax))")
        }
        return regs
    }

    /// A TDG.VP.VMCALL the built-in host answers (R11 = sub-function, R12, R13); must succeed.
    mutating func tdvmcall(_ subFunction: UInt64, r12: UInt64, r13: UInt64, _ what: String) throws {
        var regs = RegisterFile(rax: 0, rcx: 0x3C00, r10: 0, r11: subFunction)
        (regs.r12, regs.r13) = (r12, r13)
        var none = ScriptedL2([:])
        let outcome = try engine.runTDCall(vcpu: 0, &regs, l2: &none, host: &host, comment: "TDG.VP.VMCALL <\(what)>")
        guard outcome == .completed, regs.rax == 0, regs.r10 == 0 else {
            throw VTPMExample.Failure.step("TDG.VP.VMCALL <\(what)>: \(outcome), R10 \(hexShort(regs.r10))")
        }
    }

    mutating func store(_ gpa: UInt64, _ bytes: [UInt8]) throws { try engine.store(vcpu: 0, gpa: gpa, bytes) }
    func load(_ gpa: UInt64, _ count: Int) throws -> [UInt8] { try m.readMemory(gpa: gpa, count: count) }

    /// TDG.MR.RTMR.EXTEND of `event.digest` into RTMR[`event.index`], logged.
    mutating func extendRTMR(_ event: VTPM.Event, _ what: String) throws {
        try store(X.extendGPA, event.digest)
        try call(.mrRTMRExtend, rcx: X.extendGPA, rdx: UInt64(event.index))
        rtmrEvents.append(event)
        log.append("L1: TDG.MR.RTMR.EXTEND RTMR[\(event.index)] ← \(what)")
    }

    // MARK: Launch

    /// Everything L1 does before L2 runs, in the design guide's order; the evidence it then holds.
    mutating func launch(_ o: VTPMExample.Options) throws -> Evidence {
        _ = try call(.vpInfo)
        // The launch parameter: the TD HOB's length is its first 4 bytes.
        let length = Int(UInt32(littleEndianBytes: try load(X.hobGPA, 4)))
        guard (4...4096).contains(length) else { throw VTPMExample.Failure.step("TD HOB length \(length)") }
        let hob = try load(X.hobGPA, length)
        let launch = VTPM.Event(index: 0, type: VTPM.EventType.handoffTables2, measuring: hob)
        try extendRTMR(launch, "SHA-384 of the TD HOB (\(length) bytes)")

        // The vTPM: started, EK made, the L2 firmware loaded and measured into PCR[0].
        var tpm = VTPM(launchMeasurement: launch.digest)
        log.append("L1: vTPM started, ephemeral Ed25519 EK \(Scenario.hexBytes(Array(tpm.ekPublicKey.prefix(8))))…")
        try store(X.firmwareGPA, o.l2Firmware)
        // UEFI_PLATFORM_FIRMWARE_BLOB2: description size, description, base, length.
        let description = Array("L2 firmware".utf8)
        let blob =
            [UInt8(description.count)] + description + X.firmwareGPA.littleEndianBytes
            + UInt64(o.l2Firmware.count).littleEndianBytes
        tpm.extend(
            VTPM.Event(
                index: 0, type: VTPM.EventType.firmwareBlob2, digest: VTPM.sha384(o.l2Firmware), data: blob))
        log.append("L1: vTPM PCR[0] ← SHA-384 of the L2 firmware (4096 bytes at \(hexShort(X.firmwareGPA)))")

        // The SEPARATOR into RTMR[0..3], so that later measurements (and a report L2 might get) differ.
        if o.extendsSeparator {
            for i in 0..<4 {
                try extendRTMR(
                    VTPM.Event(index: i, type: VTPM.EventType.separator, measuring: VTPM.separatorData),
                    "SHA-384 of the SEPARATOR (00 00 00 00)")
            }
        }

        // The TDREPORT that binds the EK, and its quote.
        let reportData =
            o.bindsEK
            ? VTPM.sha384(tpm.ekPublicKey) + [UInt8](repeating: 0, count: 16) : [UInt8](repeating: 0, count: 64)
        try store(X.reportDataGPA, reportData)
        try call(.mrReport, rcx: X.reportGPA, rdx: X.reportDataGPA)
        let report = try load(X.reportGPA, 1024)
        log.append("L1: TDG.MR.REPORT, REPORTDATA = \(o.bindsEK ? "SHA-384 of the EK public key" : "zero")")
        try tdvmcall(BuiltInTDVMCallHost.SubFunction.mapGPA, r12: X.quoteBufferGPA, r13: 0x2000, "MapGPA")
        // GHCI GetQuote buffer: version 1, status 0, in_len 1024, out_len 0, then the report.
        let ghci =
            UInt64(1).littleEndianBytes + UInt64(0).littleEndianBytes + UInt32(report.count).littleEndianBytes
            + UInt32(0).littleEndianBytes
        try store(X.quoteBufferGPA, ghci + report)
        try tdvmcall(BuiltInTDVMCallHost.SubFunction.getQuote, r12: X.quoteBufferGPA, r13: 0x2000, "GetQuote")
        let answer = try load(X.quoteBufferGPA, 24)
        let status = UInt64(littleEndianBytes: answer[8..<16])
        let outLength = Int(UInt32(littleEndianBytes: answer[20..<24]))
        guard status == BuiltInTDVMCallHost.Status.success, outLength == TDQuote.size else {
            throw VTPMExample.Failure.step("GetQuote answered status \(status), out_len \(outLength)")
        }
        let quote = try load(X.quoteBufferGPA + 24, outLength)
        log.append("L1: MapGPA + TDG.VP.VMCALL<GetQuote>: a \(outLength)-byte SoftSEAM quote")

        let certificate = try EKCertificate.pem(try EKCertificate.make(ek: tpm.ek, quote: quote))
        log.append("L1: EK certificate, self-signed, the quote under OID \(EKCertificate.quoteExtensionOID)")
        vtpm = tpm
        return Evidence(
            ekCertificate: certificate, rtmrEvents: rtmrEvents, pcrEvents: tpm.events, pcrQuote: tpm.quote([0]))
    }

    // MARK: L2

    /// Aliases L2's pages into VM1, points VM1 at its virtual-APIC page, writes the reset state into the
    /// guest-state buffer and runs VM1 until it halts.
    mutating func runL2() throws {
        try alias(X.firmwareGPA, .r | .xs)
        try alias(X.commandGPA, .r | .w)
        // VM1's virtual-APIC page (TDG.VP.WR of the L2 VMCS field 0x2012, class 36).
        try call(.vpWr, rdx: 0x2420_0003_0000_2012, r8: X.virtualAPICPage, r9: ~0)
        var buffer = [UInt8](repeating: 0, count: 0x9A)
        buffer.replaceSubrange(0x80..<0x88, with: UInt64(0x2).littleEndianBytes)  // RFLAGS
        // RIP: the reset vector, with CS base 0xFFFF0000.
        buffer.replaceSubrange(0x88..<0x90, with: UInt64(0xFFF0).littleEndianBytes)
        try store(X.guestStateBuffer, buffer)
        log.append("L1: VM1 aliased (firmware R+Xs, vTPM buffers RW), TDG.VP.ENTER at the reset vector")
        while true {
            var regs = RegisterFile(rax: UInt64(Leaf.vpEnter.rawValue), rcx: 1 << 52, rdx: X.guestStateBuffer)
            let outcome = try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host, comment: "TDG.VP.ENTER VM1")
            guard outcome == .completed, regs.rax >> 32 == 0 else {
                throw VTPMExample.Failure.step("TDG.VP.ENTER: \(outcome), RAX \(hexShort(regs.rax))")
            }
            let reason = UInt32(truncatingIfNeeded: regs.rax)
            l2Exits.append(reason)
            if try handle(reason: reason, qualification: regs.rcx, length: regs.r11 >> 32) { return }
        }
    }

    /// TDG.MEM.PAGE.ATTR.WR of `attrs` for VM1.
    mutating func alias(_ gpa: UInt64, _ attrs: GPAAttributes) throws {
        var request = GPAAttr(0)
        request[vm: 1] = attrs | .valid
        try call(
            .memPageAttrWr, rcx: gpa, rdx: request.rawValue,
            r8: AttrFlags(vm: 1, mask: GPAAttributes.rwx.rawValue).rawValue)
    }

    func gpr(_ n: Int) throws -> UInt64 {
        UInt64(littleEndianBytes: try load(X.guestStateBuffer + UInt64(8 * n), 8))
    }
    mutating func setGPR(_ n: Int, _ v: UInt64) throws {
        try store(X.guestStateBuffer + UInt64(8 * n), v.littleEndianBytes)
    }
    mutating func advanceRIP(_ length: UInt64) throws {
        try store(X.guestStateBuffer + 0x88, (try gpr(17) &+ length).littleEndianBytes)
    }

    /// One L2→L1 exit; true when L2 halted.
    mutating func handle(reason: UInt32, qualification: UInt64, length: UInt64) throws -> Bool {
        switch ExitReason(reason) {
        case .tdcall:
            let leaf = try gpr(0)
            if leaf == 0 {
                try serviceCall()
            } else {
                // Only L1 can take a TDREPORT of this TD: the example L1 answers any other TDCALL of L2 with
                // TDX_OPERAND_INVALID (RAX), as an L1 that does not emulate the leaf would.
                try setGPR(0, TDXStatus.operandInvalid.with(.rax).rawValue)
                log.append("exit 77: L2 TDCALL leaf \(leaf)\(leaf == 4 ? " (TDG.MR.REPORT)" : ""): L1 refuses")
            }
            try advanceRIP(length)
        case .ioInstruction:
            // The I/O exit qualification (SDM Vol. 3C Table 28-5): size − 1 in bits 2:0, IN in bit 3, port in 31:16.
            let size = qualification & 7 + 1
            guard qualification & 8 == 0, qualification >> 16 & 0xFFFF == UInt64(X.debugPort) else {
                throw VTPMExample.Failure.step("L2 I/O \(hexShort(qualification)) the example does not emulate")
            }
            let value = try gpr(0)
            l2Printed += value.littleEndianBytes.prefix(Int(size))
            try advanceRIP(length)
        case .hlt:
            log.append("exit 12: L2 halts; L1 stops")
            try advanceRIP(length)
            return true
        default:
            throw VTPMExample.Failure.step("unexpected L2 exit \(ExitReason(reason))")
        }
        return false
    }

    /// TDG.VP.VMCALL from L2 (exit 77 with RAX = 0): Service.L1VTPM answered from the vTPM, anything else
    /// TDG.VP.VMCALL_INVALID_OPERAND. L1 reads and writes only VM1's vTPM buffer page: a command or response
    /// buffer L2 names elsewhere (the guest-state buffer, L1's own pages) is refused, not touched.
    mutating func serviceCall() throws {
        let subFunction = try gpr(11), command = try gpr(12), response = try gpr(13)
        let page = X.commandGPA..<X.commandGPA + 0x1000
        let answer: [UInt8]? =
            if subFunction == L1VTPMService.serviceSubFunction, page.contains(command), page.contains(command + 63) {
                L1VTPMService.respond(to: try load(command, 64), vtpm: vtpm)
            } else {
                nil
            }
        guard let answer, page.contains(response), page.contains(response + UInt64(answer.count) - 1) else {
            try setGPR(10, BuiltInTDVMCallHost.Status.invalidOperand)
            log.append("exit 77: L2 TDG.VP.VMCALL \(hexShort(subFunction)): not a vTPM call, INVALID_OPERAND")
            return
        }
        try store(response, answer)
        try setGPR(10, 0)
        let name = L1VTPMService.Command(rawValue: answer[L1VTPMService.dataOffset + 1]).map { "\($0)" } ?? "?"
        log.append("exit 77: L2 TDG.VP.VMCALL<Service.L1VTPM> \(name): L1 answers (\(answer.count) bytes)")
    }

    // MARK: VM1's program

    /// VM1's events: it runs from the firmware page, sends Detect, reads the status, sends a PCR read of PCR[0],
    /// prints the 48 bytes over the debug port 4 at a time, asks for a TDREPORT itself, and halts.
    static let l2Program: [L2Event] = {
        typealias S = L1VTPMService
        func put(_ bytes: [UInt8], at gpa: UInt64) -> [L2Event] {
            let padded = bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
            return stride(from: 0, to: padded.count, by: 8).map { o in
                .memory(
                    MemoryAccess(
                        kind: .write, gpa: gpa + UInt64(o), size: 8, value: UInt64(littleEndianBytes: padded[o..<o + 8])
                    ))
            }
        }
        func read(_ gpa: UInt64, _ size: UInt8) -> L2Event { .memory(MemoryAccess(kind: .read, gpa: gpa, size: size)) }
        func vmcall() -> [L2Event] {
            [
                .setRegister(0, 0), .setRegister(1, 0xFC00), .setRegister(10, 0),
                .setRegister(11, S.serviceSubFunction),
                .setRegister(12, X.commandGPA), .setRegister(13, X.responseGPA), .setRegister(14, 0),
                .setRegister(15, 0), .tdcall,
            ]
        }
        let data = X.responseGPA + UInt64(S.dataOffset)
        var p: [L2Event] = [.memory(MemoryAccess(kind: .fetch, gpa: 0xFFFF_FFF0, size: 1))]
        p += put(S.command(.detect), at: X.commandGPA) + vmcall()
        p += [read(X.responseGPA + UInt64(S.statusOffset), 4), read(data, 4)]
        p += put(S.command(.pcrRead, pcr: 0), at: X.commandGPA) + vmcall()
        for k in 0..<12 {
            p += [read(data + 8 + UInt64(4 * k), 4), .io(IOAccess(port: X.debugPort, size: 4, isIn: false))]
        }
        p += [.setRegister(0, UInt64(Leaf.mrReport.rawValue)), .setRegister(1, 0), .setRegister(2, 0), .tdcall, .hlt]
        return p
    }()
}
