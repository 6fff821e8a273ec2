import SEAMCore
import SEAMTypes

extension L2BootDemo {
    /// The demo's L1: a small VMM for VM1 written against the TDCALL ABI only. It reaches L2's state through
    /// TDG.VP.RD/WR and the L2_ENTER_GUEST_STATE buffer, its own memory through `Machine.readMemory` /
    /// `writeMemory` (what L1 code would load and store), and the host through TDG.VP.VMCALL.
    struct L1VMM {
        /// The machine, run through the step engine; the observer keeps every step and the exit log.
        var engine: Engine<DemoObserver>
        var host = BuiltInTDVMCallHost(stepComment: "TDH.VP.ENTER", keepsLog: true)
        var l2: DemoL2
        var halted = false

        /// The machine as it is now.
        var m: Machine { engine.machine }
        /// Every exit so far, in order.
        var log: [LogEntry] {
            get { engine.observer.log }
            set { engine.observer.log = newValue }
        }
        /// L1 TDCALLs and stores plus L2 events so far (the log's step numbers).
        var steps: Int { engine.observer.steps }

        /// CR0 bits L1 owns in VM1's guest/host mask: PE and PG, the two mode switches it emulates.
        static let cr0Owned = (CR0.pe.rawValue | CR0.pg.rawValue)
        /// Guest CR0 bits L1 may write (PE, MP, EM, TS, ET, WP, AM, PG): Specs/l2-vmcs-fields.tsv's L1 write
        /// mask of guest CR0, 0x8005001F.
        static let cr0Writable =
            (CR0.pe.rawValue | CR0.mp.rawValue | CR0.em.rawValue | CR0.ts.rawValue
                | CR0.et.rawValue | CR0.wp.rawValue | CR0.am.rawValue | CR0.pg.rawValue)
        /// CR4 bits L1 lets L2 set (PAE, PGE, OSFXSR, OSXMMEXCPT); it owns them in the mask and shadows them.
        static let cr4L2Bits = (CR4.pae.rawValue | CR4.pge.rawValue | CR4.osfxsr.rawValue | CR4.osxmmexcpt.rawValue)
        static let eferLME = IA32EFER.lme.rawValue
        static let eferLMA = IA32EFER.lma.rawValue
        /// The bit of the x2APIC EOI register's (MSR 0x80B) writes in the MSR bitmap: write-low quarter (bit
        /// 0x4000 on) + the MSR (SDM Vol. 3C §25.6.9).
        static let eoiWriteBit: UInt64 = 0x4000 + 0x80B
        /// TDVPS TSC_DEADLINE[VM1] for TDG.VP.RD/WR (tdx-module include/auto_gen/tdvps_fields_lookup.c: the
        /// management class, field 0x58 + VM index).
        static let tscDeadlineVM1: UInt64 = 0xA020_0003_0000_0059
        /// The guest interrupt status (RVI in bits 7:0, SVI in 15:8) in the L2_ENTER_GUEST_STATE buffer.
        static let guestInterruptStatusOffset = 0x98
        /// The L2 VMCS VM-entry control "IA-32e mode guest".
        static let ia32eModeGuest = EntryControls.ia32eModeGuest.rawValue

        init(machine: Machine) {
            let trail = L2Trail()
            engine = Engine(machine: machine, observer: DemoObserver(trail: trail))
            l2 = DemoL2(trail: trail)
        }

        // MARK: TDCALLs

        /// One L1 TDCALL that completes; any other outcome is a bug in the demo.
        mutating func call(_ leaf: Leaf, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0)
            -> RegisterFile
        {
            var regs = RegisterFile(rax: UInt64(leaf.rawValue), rcx: rcx, rdx: rdx, r8: r8, r9: r9)
            do {
                let outcome = try engine.tdcall(vcpu: 0, &regs)
                precondition(outcome == .completed, "L2 boot demo: \(leaf) gave \(outcome)")
            } catch {
                preconditionFailure("L2 boot demo: \(leaf): \(error)")
            }
            return regs
        }

        /// The TDG.VP.RD/WR field id of an L2 VMCS field of VM `vm`: class 36 + 8·(vm − 1), context VP, the
        /// element size the encoding's width bits 14:13 give (SDM: 0 16-bit, 1 64-bit, 2 32-bit, 3 natural).
        static func fieldID(_ field: VMCSField, vm: Int = 1) -> UInt64 {
            let size: UInt64 = [1, 3, 2, 3][Int(field.rawValue >> 13 & 3)]
            return UInt64(36 + 8 * (vm - 1)) << 56 | 2 << 52 | size << 32 | UInt64(field.rawValue)
        }

        /// Every bit of a field's element, for R9.
        static func elementMask(_ id: UInt64) -> UInt64 {
            switch id >> 32 & 3 {
            case 1: 0xFFFF
            case 2: 0xFFFF_FFFF
            default: ~0
            }
        }

        @discardableResult
        mutating func vpWr(_ id: UInt64, _ value: UInt64, mask: UInt64? = nil) -> UInt64 {
            let r = call(.vpWr, rdx: id, r8: value, r9: mask ?? L1VMM.elementMask(id))
            precondition(r.rax == 0, "TDG.VP.WR \(hexShort(id)) = \(hexShort(value)): \(TDXStatus(r.rax))")
            return r.r8
        }

        mutating func vpRd(_ id: UInt64) -> UInt64 {
            let r = call(.vpRd, rdx: id)
            precondition(r.rax == 0, "TDG.VP.RD \(hexShort(id)): \(TDXStatus(r.rax))")
            return r.r8
        }

        mutating func writeVMCS(_ field: VMCSField, _ value: UInt64, mask: UInt64? = nil) {
            vpWr(L1VMM.fieldID(field), value, mask: mask)
        }

        mutating func readVMCS(_ field: VMCSField) -> UInt64 { vpRd(L1VMM.fieldID(field)) }

        /// TDG.MEM.PAGE.ATTR.WR of `attrs` for VM `vm`, retried until RDX reads back the request, as the
        /// TD-partitioning SVSM does.
        mutating func alias(_ gpa: UInt64, vm: Int, _ attrs: GPAAttributes) {
            var request = GPAAttr(0)
            request[vm: vm] = attrs | .valid
            let flags = AttrFlags(vm: vm, mask: GPAAttributes.rwx.rawValue)
            for _ in 0..<4 {
                let out = call(.memPageAttrWr, rcx: gpa, rdx: request.rawValue, r8: flags.rawValue)
                if out.rax == 0 && out.rdx == request.rawValue { return }
            }
            preconditionFailure("L2 boot demo: ATTR.WR of \(hexShort(gpa)) for VM\(vm) did not take")
        }

        mutating func accept(_ gpa: UInt64) {
            let out = call(.memPageAccept, rcx: gpa)
            precondition(out.rax == 0, "L2 boot demo: ACCEPT of \(hexShort(gpa)): \(TDXStatus(out.rax))")
        }

        /// TDG.VP.VMCALL <IO> write of `value` to `port` (GHCI: R11 = 30, R12 = size, R13 = 1 for
        /// a write, R14 = port, R15 = data); the host handles the TD exit and re-enters L1.
        mutating func tdvmcallOut(port: UInt16, size: UInt64, value: UInt64) {
            var regs = RegisterFile(rax: 0, rcx: 0xFC00, r10: 0, r11: 30)
            (regs.r12, regs.r13, regs.r14, regs.r15) = (size, 1, UInt64(port), value)
            // The engine runs it to its end: the TD exit (reason 77 from VM 0) goes to the built-in host, whose
            // TDH.VP.ENTER completes it.
            var none = ScriptedL2([:])
            let outcome = try? engine.runTDCall(
                vcpu: 0, &regs, l2: &none, host: &host, comment: "TDG.VP.VMCALL <IO>")
            guard outcome == .completed, regs.rax == 0, regs.r10 == 0 else {
                preconditionFailure("L2 boot demo: the host did not complete the TDG.VP.VMCALL")
            }
            log.append(
                LogEntry(
                    step: steps, vm: 0, reason: .tdcall, route: .host, rip: nil, instruction: "TDG.VP.VMCALL <IO>",
                    note: "the host writes \(L2BootDemo.printable(value)) to port \(hexShort(UInt64(port))), resumes L1"
                ))
        }

        /// What an L1 asks first: TDG.VP.INFO (GPA width, vCPU index) and TDG.VM.RD of NUM_L2_VMS; the demo
        /// needs VM1.
        mutating func probeTD() {
            let info = call(.vpInfo)
            precondition(info.rax == 0, "L2 boot demo: TDG.VP.INFO: \(TDXStatus(info.rax))")
            // NUM_L2_VMS (tdx-module include/auto_gen/tdr_tdcs_fields_lookup.c)
            let n = call(.vmRd, rdx: 0x9010_0001_0000_0005)
            precondition(n.rax == 0 && n.r8 >= 1, "L2 boot demo: TDG.VM.RD NUM_L2_VMS: \(TDXStatus(n.rax))")
        }

        // MARK: The L2_ENTER_GUEST_STATE buffer

        func bufferWord(_ offset: Int) -> UInt64 {
            guard let b = try? m.readMemory(gpa: L2BootDemo.guestStateBuffer + UInt64(offset), count: 8) else {
                preconditionFailure("L2 boot demo: the guest-state buffer is not L1 memory")
            }
            return b.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }

        mutating func setBufferWord(_ offset: Int, _ value: UInt64) {
            write(L2BootDemo.guestStateBuffer + UInt64(offset), L2BootDemo.le(value, 8))
        }

        mutating func write(_ gpa: UInt64, _ bytes: [UInt8]) {
            do { try engine.store(vcpu: 0, gpa: gpa, bytes) } catch { preconditionFailure("L2 boot demo: \(error)") }
        }

        func read(_ gpa: UInt64, _ count: Int) -> [UInt8] {
            guard let b = try? m.readMemory(gpa: gpa, count: count) else {
                preconditionFailure("L2 boot demo: \(hexShort(gpa)) is not L1 memory")
            }
            return b
        }

        /// L2's GPR `n` (0 = RAX … 15 = R15) as the last exit left it.
        func gpr(_ n: Int) -> UInt64 { bufferWord(8 * n) }
        mutating func setGPR(_ n: Int, _ value: UInt64) { setBufferWord(8 * n, value) }
        var rip: UInt64 { bufferWord(0x88) }
        mutating func advanceRIP(_ length: UInt64) { setBufferWord(0x88, rip &+ length) }

        // MARK: Set-up

        /// The up-front alias table, the way `AliasTableDemo` builds it: aliases first (those of pending
        /// pages start L2-blocked), then ACCEPT of the pending pages, which unblocks them.
        mutating func buildAliasTable() {
            for page in L2BootDemo.pages {
                for (i, a) in page.vms.enumerated() where a.isPresent { alias(page.gpa, vm: i + 1, a) }
            }
            for page in L2BootDemo.pages where m.space.leaf(containing: page.gpa)?.state == .pending {
                accept(page.gpa)
            }
        }

        /// Loads the L2 image into L1's pages and writes the initial L2_ENTER_GUEST_STATE: GPRs 0, RFLAGS
        /// 0x2, RIP 0xFFF0 (with CS base 0xFFFF0000, the reset vector).
        mutating func loadImage() {
            for run in L2BootDemo.image { write(run.gpa, run.bytes) }
            var buffer = [UInt8](repeating: 0, count: 0x9A)
            buffer.replaceSubrange(0x80..<0x88, with: L2BootDemo.le(0x2, 8))
            buffer.replaceSubrange(0x88..<0x90, with: L2BootDemo.le(0xFFF0, 8))
            write(L2BootDemo.guestStateBuffer, buffer)
        }

        /// TDG.VP.WR of VM1's controls and real-mode guest state (tdx-module src/td_transitions/tdg_vp_enter.c,
        /// src/common/metadata_handlers/metadata_vp.c, src/common/data_structures/td_vmcs_init.c;
        /// Specs/l2-vmcs-fields.tsv).
        mutating func setUpVM1() {
            writeVMCS(.virtualAPICAddress, L2BootDemo.virtualAPICPage)
            // L2_CTLS[1] (TDVPS management field 0xA020000300000051): ENABLE_TDVMCALL, the other two bits clear.
            let l2Ctls: L2Ctls = [.enableSharedEPTP, .enableTDVMCALL, .enableExtendedVE]
            vpWr(0xA020_0003_0000_0051, L2Ctls.enableTDVMCALL.rawValue, mask: l2Ctls.rawValue)
            // MSR bitmap: writes of IA32_EFER (write-high quarter, bit 0x6080 → word 0x182) go to the module;
            // writes of the x2APIC EOI register (write-low quarter, bit 0x4000 + 0x80B → word 0x120) reach the
            // CPU's EOI virtualization; every other access, reads of EFER included, still exits to L1.
            vpWr(0x2520_0003_0000_0000 + 0x6080 / 64, ~(1 << (0x6080 % 64)))
            vpWr(0x2520_0003_0000_0000 + L1VMM.eoiWriteBit / 64, ~(1 << (L1VMM.eoiWriteBit % 64)))
            writeVMCS(.cr0GuestHostMask, L1VMM.cr0Owned)
            writeVMCS(.cr0ReadShadow, 0)
            writeVMCS(.cr4GuestHostMask, L1VMM.cr4L2Bits)
            writeVMCS(.cr4ReadShadow, 0)
            let cr3LoadExiting = ProcessorBasedControls.cr3LoadExiting.rawValue
            writeVMCS(.primaryProcessorControls, cr3LoadExiting, mask: cr3LoadExiting)
            let descriptorTableExiting = SecondaryControls.descriptorTableExiting.rawValue
            writeVMCS(.secondaryProcessorControls, descriptorTableExiting, mask: descriptorTableExiting)
            // Real mode: CR0.PE clear, EFER.LME clear, CS 0xF000:base 0xFFFF0000, 64 KiB segments.
            writeVMCS(.guestCR0, 0, mask: CR0.pe.rawValue)
            writeVMCS(.guestEFER, 0, mask: L1VMM.eferLME)
            for s in 0..<6 {
                let isCS = s == 1
                writeVMCS(.segmentSelector(s), isCS ? 0xF000 : 0)
                writeVMCS(.segmentBase(s), isCS ? L2BootDemo.romCSBase : 0)
                writeVMCS(.segmentLimit(s), 0xFFFF)
                writeVMCS(.segmentAccessRights(s), isCS ? 0x9B : 0x93)
            }
        }

        // MARK: Running L2

        /// TDG.VP.ENTER of VM1, run by the engine: L2 runs on `l2` until it exits to L1, TD exits go to the
        /// built-in host. Returns L1's registers as TDG.VP.ENTER left them.
        mutating func enterL2() -> RegisterFile {
            // RCX bits 53:52: the VM index (1).
            var regs = RegisterFile(rax: UInt64(Leaf.vpEnter.rawValue), rcx: 1 << 52, rdx: L2BootDemo.guestStateBuffer)
            let outcome: TDCallOutcome
            do {
                outcome = try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host, comment: "TDG.VP.ENTER VM1")
            } catch {
                preconditionFailure("L2 boot demo: \(error)")
            }
            precondition(outcome == .completed, "L2 boot demo: TDG.VP.ENTER ended with \(outcome)")
            precondition(!TDXStatus(regs.rax & ~0xFFFF_FFFF).isError, "TDG.VP.ENTER: \(TDXStatus(regs.rax))")
            return regs
        }

        /// The assembly text of the instruction L2 last ran.
        var instructionText: String { l2.trail.instruction }

        /// The VM exit an instruction event causes when the module may handle it without L1: MOV to CR and
        /// LMSW (28), RDMSR (31), WRMSR (32), TDCALL (77). Other events either always exit to L1 or are no exit.
        static func exitReason(of event: L2Event) -> ExitReason? {
            switch event {
            case .movToCR, .lmsw: .crAccess
            case .rdmsr: .rdmsr
            case .wrmsr: .wrmsr
            case .tdcall: .tdcall
            default: nil
            }
        }

        // MARK: L2→L1 exits

        /// L1's exit dispatcher: logs the exit, then handles it.
        mutating func handle(_ r: RegisterFile) {
            precondition(r.rax >> 32 == 0, "L2 boot demo: exit status \(TDXStatus(r.rax & ~0xFFFF_FFFF))")
            let reason = ExitReason(UInt32(truncatingIfNeeded: r.rax))
            let length = r.r11 >> 32
            let entry = log.count
            let failed = reason.rawValue & ExitReason.entryFailureBit != 0
            log.append(
                LogEntry(
                    step: steps, vm: 1, reason: reason, route: .l1, rip: rip,
                    instruction: failed ? "(VM entry)" : instructionText, note: ""))
            let note: String
            switch reason {
            case .eptViolation: note = eptViolation(gpa: r.r8, qualification: r.rcx, eeq: r.r13)
            case .cpuid: note = cpuid(length: length)
            case .ioInstruction: note = io(qualification: r.rcx, length: length)
            case .gdtrIdtrAccess: note = lgdt(length: length)
            case .crAccess: note = movToCR(qualification: r.rcx, length: length)
            case .rdmsr: note = rdmsr(length: length)
            case .wrmsr: note = wrmsr(length: length)
            case .preemptionTimer: note = timerExpired()
            case .invalidGuestStateEntryFailure: note = entryFailure()
            case .hlt:
                advanceRIP(length)
                halted = true
                note = "L2 halts; L1 stops"
            default:
                preconditionFailure("L2 boot demo: unexpected L2 exit \(reason)")
            }
            log[entry].note = note
        }

        /// EPT violation on a page L1 has not aliased into VM1 (tdx-module
        /// src/td_dispatcher/vm_exits_l2/td_l2_ept_violation.c): L1 accepts it first if it is pending (extended exit
        /// qualification type 6), aliases it, and re-enters without moving RIP.
        mutating func eptViolation(gpa: UInt64, qualification: UInt64, eeq: UInt64) -> String {
            let page = gpa & ~0xFFF
            guard let lazy = L2BootDemo.lazyAliases.first(where: { $0.gpa == page }) else {
                preconditionFailure("L2 boot demo: EPT violation at \(hexShort(gpa)), a page L2 may not use")
            }
            let pending = ExtendedExitQualification(rawValue: eeq).kind == .pendingEPTViolation
            if pending { accept(page) }
            alias(page, vm: 1, lazy.attrs)
            let access = qualification & 4 != 0 ? "fetch" : qualification & 2 != 0 ? "write" : "read"
            return "\(access) \(hexShort(gpa))\(pending ? " (pending)" : ""): L1 \(pending ? "accepts, " : "")"
                + "aliases \(lazy.label) \(lazy.attrs.permissionString)"
        }

        /// L1's CPUID policy for L2: leaf 0 = max leaf 1, "GenuineIntel"; leaf 1 = family 6, hypervisor bit;
        /// extended leaf 0x80000001 = long mode; zeros elsewhere.
        mutating func cpuid(length: UInt64) -> String {
            let leaf = UInt32(truncatingIfNeeded: gpr(0))
            let (a, b, c, d): (UInt64, UInt64, UInt64, UInt64) =
                switch leaf {
                case 0: (1, 0x756E_6547, 0x6C65_746E, 0x4965_6E69)  // "Genu" "ntel" "ineI"
                case 1: (0x0006_06A6, 0, 1 << 31, 0)
                case 0x8000_0001: (0, 0, 0, 1 << 29)
                default: (0, 0, 0, 0)
                }
            setGPR(0, a)
            setGPR(3, b)
            setGPR(1, c)
            setGPR(2, d)
            advanceRIP(length)
            return "L1 answers leaf \(hexShort(UInt64(leaf))) (\"GenuineIntel\"), RIP += \(length)"
        }

        /// Port I/O (exit qualification: size − 1 in bits 2:0, IN in bit 3, port in bits 31:16): OUT to the
        /// serial data port is forwarded to the host; IN from the line-status port says the transmitter is
        /// empty; other ports read all ones.
        mutating func io(qualification q: UInt64, length: UInt64) -> String {
            let size = (q & 7) + 1
            let isIn = q >> 3 & 1 != 0
            let port = UInt16(truncatingIfNeeded: q >> 16)
            let mask: UInt64 = size == 4 ? 0xFFFF_FFFF : (1 << (8 * size)) - 1
            let note: String
            if isIn {
                let value: UInt64 = port == L2BootDemo.serialPort + 5 ? 0x60 : mask
                setGPR(0, gpr(0) & ~mask | value)
                note = "L1's UART model answers \(hexShort(value))"
            } else {
                let value = gpr(0) & mask
                if port == L2BootDemo.serialPort { tdvmcallOut(port: port, size: size, value: value) }
                note = "L1 forwards \(L2BootDemo.printable(value)) to the host"
            }
            advanceRIP(length)
            return note
        }

        /// Descriptor-table exiting: L1 decodes `[66] 2E 0F 01 16 disp16` (LGDT cs:[disp16]) at CS.base +
        /// RIP, reads the 6-byte pseudo-descriptor from L2's memory and writes GDTR limit and base.
        mutating func lgdt(length: UInt64) -> String {
            let csBase = readVMCS(.guestCSBase)
            let bytes = read(csBase &+ rip, 8)
            var i = 0
            var operand32 = false
            if bytes[i] == 0x66 {
                operand32 = true
                i += 1
            }
            precondition(
                bytes[i] == 0x2E && bytes[i + 1] == 0x0F && bytes[i + 2] == 0x01 && bytes[i + 3] == 0x16
                    && UInt64(i + 6) == length,
                "L2 boot demo: L1 decodes only LGDT cs:[disp16]")
            let disp = UInt64(bytes[i + 4]) | UInt64(bytes[i + 5]) << 8
            let pseudo = read(csBase &+ disp, 6)
            let limit = UInt64(pseudo[0]) | UInt64(pseudo[1]) << 8
            var base = (2..<6).reduce(UInt64(0)) { $0 | UInt64(pseudo[$1]) << (8 * UInt64($1 - 2)) }
            if !operand32 { base &= 0xFF_FFFF }  // a 16-bit LGDT loads 24 bits of base
            writeVMCS(.guestGDTRBase, base)
            writeVMCS(.guestGDTRLimit, limit)
            advanceRIP(length)
            return "L1 emulates it: GDTR = \(hexShort(base))/\(hexShort(limit))"
        }

        /// MOV to CR0, CR3 or CR4 from a GPR (exit qualification: CR in bits 3:0, access type in 5:4, GPR in
        /// 11:8).
        mutating func movToCR(qualification q: UInt64, length: UInt64) -> String {
            precondition(q >> 4 & 3 == 0, "L2 boot demo: only MOV to CR exits in this guest")
            let value = gpr(Int(q >> 8 & 0xF))
            switch q & 0xF {
            case 0:
                return movToCR0(value, length: length)
            case 3:
                writeVMCS(.guestCR3, value)
                advanceRIP(length)
                return "L1 writes guest CR3 = \(hexShort(value))"
            case 4:
                // Every MOV to CR4 that passes the module's #GP checks exits to L1 (tdx-module
                // src/td_dispatcher/vm_exits_l2/td_l2_other_exits.c td_l2_cr_access_exit).
                writeVMCS(.guestCR4, value, mask: L1VMM.cr4L2Bits)
                writeVMCS(.cr4ReadShadow, value & L1VMM.cr4L2Bits)
                advanceRIP(length)
                return "L1 emulates it: guest CR4, CR4 shadow |= \(hexShort(value & L1VMM.cr4L2Bits))"
            default:
                preconditionFailure("L2 boot demo: MOV to CR\(q & 0xF)")
            }
        }

        /// A MOV to CR0 that changes PE or PG, the bits L1 owns: L1 writes guest CR0 and its read shadow, and
        /// emulates the far JMP that must follow. Setting PG with EFER.LME also sets the IA-32e-mode-guest
        /// entry control — but, like a VMM written for hardware that sets EFER.LMA itself, not EFER.LMA: that
        /// VM entry fails, and `entryFailure` repairs it (SDM Vol. 3C 27.3.1.1).
        mutating func movToCR0(_ value: UInt64, length: UInt64) -> String {
            let old = readVMCS(.guestCR0)
            writeVMCS(.guestCR0, value, mask: L1VMM.cr0Writable)
            writeVMCS(.cr0ReadShadow, value & L1VMM.cr0Owned)
            var what: String
            let pe = CR0.pe.rawValue, pg = CR0.pg.rawValue
            if value & pe != 0 && old & pe == 0 {
                what = "PE: L1 emulates it"
            } else if value & pg != 0 && old & pg == 0 && readVMCS(.guestEFER) & L1VMM.eferLME != 0 {
                writeVMCS(.entryControls, L1VMM.ia32eModeGuest, mask: L1VMM.ia32eModeGuest)
                what = "PG: L1 sets IA-32e mode guest, emulates it"
            } else {
                preconditionFailure("L2 boot demo: unexpected MOV to CR0 \(hexShort(value))")
            }
            what += " + " + farJump(at: rip &+ length)
            return what
        }

        /// Emulates `[66] EA ptr16:16/32` at RIP `jumpRIP`: loads CS from L2's GDT and sets RIP to the offset.
        mutating func farJump(at jumpRIP: UInt64) -> String {
            let csBase = readVMCS(.guestCSBase)
            let operand32 = readVMCS(.guestCSAccessRights) >> 14 & 1 != 0
            let bytes = read(csBase &+ jumpRIP, 8)
            let prefixed = bytes[0] == 0x66
            let o32 = operand32 != prefixed
            let i = prefixed ? 1 : 0
            precondition(bytes[i] == 0xEA, "L2 boot demo: no far JMP after the MOV to CR0")
            let offsetBytes = o32 ? 4 : 2
            let offset = (0..<offsetBytes).reduce(UInt64(0)) { $0 | UInt64(bytes[i + 1 + $1]) << (8 * UInt64($1)) }
            let selector = UInt64(bytes[i + 1 + offsetBytes]) | UInt64(bytes[i + 2 + offsetBytes]) << 8
            let d = read(readVMCS(.guestGDTRBase) &+ (selector & ~7), 8).enumerated().reduce(UInt64(0)) {
                $0 | UInt64($1.element) << (8 * UInt64($1.offset))
            }
            let base = d >> 16 & 0xFF_FFFF | (d >> 56) << 24
            var limit = d & 0xFFFF | (d >> 48 & 0xF) << 16
            if d >> 55 & 1 != 0 { limit = limit << 12 | 0xFFF }
            let ar = d >> 40 & 0xFF | (d >> 52 & 0xF) << 12
            writeVMCS(.guestCSSelector, selector)
            writeVMCS(.guestCSBase, base)
            writeVMCS(.segmentLimit(1), limit)
            writeVMCS(.guestCSAccessRights, ar)
            setBufferWord(0x88, offset)
            return "far JMP \(hexShort(selector)):\(hexShort(offset)) (CS AR \(hexShort(ar)))"
        }

        /// RDMSR: IA32_EFER from the VMCS into EDX:EAX; any other MSR reads 0.
        mutating func rdmsr(length: UInt64) -> String {
            let msr = UInt32(truncatingIfNeeded: gpr(1))
            let value = msr == 0xC000_0080 ? readVMCS(.guestEFER) : 0
            setGPR(0, value & 0xFFFF_FFFF)
            setGPR(2, value >> 32)
            advanceRIP(length)
            return "L1 returns \(hexShort(value)) from the VMCS"
        }

        /// WRMSR of IA32_TSC_DEADLINE (0x6E0), the one MSR write of this guest that reaches L1: L1 emulates
        /// L2's TSC-deadline timer with TSC_DEADLINE[VM1] (TDG.VP.WR), from which the module arms the
        /// VMX-preemption timer at every entry into VM1.
        mutating func wrmsr(length: UInt64) -> String {
            let msr = UInt32(truncatingIfNeeded: gpr(1))
            precondition(msr == 0x6E0, "L2 boot demo: unexpected WRMSR of \(hexShort(UInt64(msr)))")
            let deadline = gpr(2) << 32 | gpr(0) & 0xFFFF_FFFF
            vpWr(L1VMM.tscDeadlineVM1, deadline)
            advanceRIP(length)
            return "IA32_TSC_DEADLINE: L1 writes TSC_DEADLINE[VM1] = \(hexShort(deadline))"
        }

        /// VMX-preemption timer expired (52): L2's TSC deadline has come. L1 disarms the timer — IA32_TSC_DEADLINE
        /// is one-shot, but the module's deadline is not: it would exit 52 at every entry while it is due — and
        /// injects the timer's vector: its bit in VIRR of VM1's virtual-APIC page and RVI in the guest-state
        /// buffer, which TDG.VP.ENTER loads into the guest interrupt status. RIP stays (the wait goes on after
        /// the handler).
        mutating func timerExpired() -> String {
            vpWr(L1VMM.tscDeadlineVM1, ~0)
            let vector = L2BootDemo.timerVector
            let irr = L2BootDemo.virtualAPICPage + 0x200 + UInt64(vector >> 5) * 16 + UInt64(vector & 31) / 8
            write(irr, [read(irr, 1)[0] | 1 << (vector & 7)])
            let status = bufferWord(L1VMM.guestInterruptStatusOffset) & 0xFFFF
            let rvi = max(UInt64(vector), status & 0xFF)
            write(
                L2BootDemo.guestStateBuffer + UInt64(L1VMM.guestInterruptStatusOffset),
                L2BootDemo.le(status & 0xFF00 | rvi, 2))
            return "L1 disarms TSC_DEADLINE[VM1], sets VIRR[\(hexShort(UInt64(vector)))] and RVI = \(hexShort(rvi))"
        }

        /// VM entry failed (reason 0x80000021): the IA-32e-mode-guest control is set but EFER.LMA is not.
        /// L1 derives LMA = LME ∧ CR0.PG, as the CPU would have, and re-enters.
        mutating func entryFailure() -> String {
            let efer = readVMCS(.guestEFER)
            let cr0 = readVMCS(.guestCR0)
            let entry = readVMCS(.entryControls)
            precondition(
                entry & L1VMM.ia32eModeGuest != 0 && efer & L1VMM.eferLMA == 0 && efer & L1VMM.eferLME != 0
                    && cr0 & CR0.pg.rawValue != 0,
                "L2 boot demo: unexpected VM-entry failure")
            writeVMCS(.guestEFER, L1VMM.eferLMA, mask: L1VMM.eferLMA)
            return "IA-32e mode guest but EFER.LMA = 0: L1 sets LMA, re-enters"
        }

        /// L2's mode from guest CR0, EFER, the entry controls and CS access rights, read with TDG.VP.RD.
        mutating func modeAtEnd() -> String {
            L2BootDemo.mode(
                cr0: readVMCS(.guestCR0), efer: readVMCS(.guestEFER), entryControls: readVMCS(.entryControls),
                csAccessRights: readVMCS(.guestCSAccessRights))
        }
    }

    /// `'R'` for a printable ASCII byte, else the hex value.
    static func printable(_ value: UInt64) -> String {
        (0x20..<0x7F).contains(value) ? "'\(Character(Unicode.Scalar(UInt8(value))))'" : hexShort(value)
    }
}
