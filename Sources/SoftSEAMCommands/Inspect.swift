import ArgumentParser
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// `softseam inspect TRACE --step N`: the machine after step N of a trace, in the words a TDX engineer reads
/// it — where each vCPU is, the pending TD exit, L1's interrupt state, the L2 VMCS fields that left their
/// reset value, the alias map.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe the machine after a step of a trace (or scenario): vCPUs, TD exits, L2 VMCS, aliases.")

    @Argument(help: "A trace (either form) or a scenario; - for standard input.")
    var trace: String

    @Option(help: "The step after which to describe the machine (0 = the TD as its config builds it).")
    var step: Int

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard step >= 0 else { throw ValidationError("--step must be ≥ 0") }
    }

    func run() throws {
        do throws(InputError) {
            let (machine, steps, labels) = try TraceFiles.machine(after: step, of: trace, field: "step")
            let report = MachineReport(
                machine, step: step, of: steps.count, last: step > 0 ? steps[step - 1] : nil, labels: labels)
            print(json ? report.json() : report.text())
        } catch {
            throw fail(error)
        }
    }
}

extension TraceFiles {
    /// The machine after the first `after` steps of a trace (either form) or scenario, with the steps one L2
    /// event each (the numbering of a full trace) and the file's page labels. `field` names the option that
    /// gave `after`, for the error when it is past the last step.
    static func machine(after: Int, of path: String, field: String) throws(InputError) -> (
        machine: Machine, steps: [Step], labels: [(label: String, gpa: UInt64)]
    ) {
        let (variant, scenario) = try Trace.inputs(ofFile: path, dashIsStandardInput: true)
        let file = name(path)
        var steps = scenario.steps
        if variant == .full { steps = steps.flatMap { $0.singleEvents() } }
        guard after <= steps.count else {
            throw InputError(file: file, field: field, "step \(after) is past the last step (\(steps.count))")
        }
        var engine = Engine(machine: Machine(config: scenario.config))
        for step in steps.prefix(after) { _ = try engine.perform(step, variant: variant, file: file) }
        return (engine.machine, steps, scenario.labels)
    }
}

/// What `softseam inspect` says about one machine state.
struct MachineReport {
    let machine: Machine
    let step: Int
    let steps: Int
    /// The step just carried out (nil for step 0).
    let last: Step?
    let aliases: AliasMap

    init(
        _ machine: Machine, step: Int, of steps: Int, last: Step?, labels: [(label: String, gpa: UInt64)] = []
    ) {
        self.machine = machine
        self.step = step
        self.steps = steps
        self.last = last
        aliases = AliasMap(machine, labels: labels)
    }

    // MARK: Facts

    /// `L1`, `L2 VM1`, or `waiting for the host's TDH.VP.ENTER`.
    static func location(_ v: VCPU) -> String {
        switch v.location {
        case .l1: "L1"
        case .l2(let vm): "L2 VM\(vm)"
        case .host: "waiting for the host's TDH.VP.ENTER"
        }
    }

    static func locationTag(_ v: VCPU) -> String {
        switch v.location {
        case .l1: "l1"
        case .l2: "l2"
        case .host: "host"
        }
    }

    /// Why the vCPU left the TD, in the module's terms.
    static func exitKind(_ k: VCPU.PendingTDExit.Kind) -> String {
        switch k {
        case .l1TDVMCall: "TDG.VP.VMCALL from L1 (trap-like: the host's TDH.VP.ENTER completes it)"
        case .l2Async: "asynchronous exit while L2 ran (the host re-enters L2, or L1 with RESUME_L1)"
        case .l2TDVMCall: "TDG.VP.VMCALL from L2 (ENABLE_TDVMCALL)"
        case .l1FaultLike: "fault-like exit of an L1 TDCALL (L1 runs the TDCALL again when re-entered)"
        case .l1CrossTDTrap: "cross-TD trap of TDG.SERVTD.RD/WR (the host's TDH.VP.ENTER resumes L1 after it)"
        }
    }

    static func exitKindTag(_ k: VCPU.PendingTDExit.Kind) -> String {
        switch k {
        case .l1TDVMCall: "l1_tdvmcall"
        case .l2Async: "l2_async"
        case .l2TDVMCall: "l2_tdvmcall"
        case .l1FaultLike: "l1_fault_like"
        case .l1CrossTDTrap: "l1_cross_td_trap"
        }
    }

    /// The L2 VMCS fields of VM `vm` whose value is not the reset value of Specs/l2-vmcs-fields.tsv, in table
    /// order.
    static func changedVMCSFields(_ v: VCPU, vm: Int) -> [(field: L2VMCSFieldInfo, value: UInt64)] {
        L2VMCSLayout.fields.enumerated().compactMap { row, f in
            let value = v.vmcs(vm, row)
            return value == f.reset ? nil : (f, value)
        }
    }

    /// The L2_CTLS bits by name (`ENABLE_TDVMCALL`, …), `0` when none is set.
    static func l2CtlsText(_ raw: UInt64) -> String {
        let c = L2Ctls(raw)
        var names: [String] = []
        if c.contains(.enableSharedEPTP) { names.append("ENABLE_SHARED_EPTP") }
        if c.contains(.enableTDVMCALL) { names.append("ENABLE_TDVMCALL") }
        if c.contains(.enableExtendedVE) { names.append("ENABLE_EXTENDED_VE") }
        let rest = raw & ~0x7
        if rest != 0 { names.append(hexShort(rest)) }
        return names.isEmpty ? "0" : names.joined(separator: "|")
    }

    /// A GPA field, or `none` for NULL_PA (all ones).
    static func gpaText(_ gpa: UInt64) -> String { gpa == ~0 ? "none" : hexShort(gpa) }

    static func opStateText(_ s: Machine.OpState) -> String {
        switch s {
        case .initialized: "INITIALIZED (before TDH.MR.FINALIZE)"
        case .runnable: "RUNNABLE"
        }
    }

    // MARK: Text

    func text() -> String {
        let m = machine
        var out: [String] = []
        var head = "after step \(step) of \(steps)"
        if let last {
            head += ": " + FileReport.describe(last)
            if let c = last.comment { head += " — \(c)" }
        } else {
            head += ": the TD as its config builds it"
        }
        out.append(head)
        out.append("state hash \(hash16(m.stateHash()))")
        out.append("")
        let vmCtls = (0..<m.numL2VMs).map { "VM\($0 + 1) \(hexShort(m.vmCtls[$0 + 1]))" }
        out.append(
            "TD: \(m.numL2VMs) L2 VM\(m.numL2VMs == 1 ? "" : "s"), \(m.vcpuCount) vCPU\(m.vcpuCount == 1 ? "" : "s"), "
                + "GPAW \(m.width.bits), OP_STATE \(Self.opStateText(m.opState))\(m.isFatal ? ", FATAL" : ""), "
                + "TD epoch \(m.tdEpoch), ATTRIBUTES \(hexShort(m.attributes))"
                + (m.virtualTSC == 0 ? "" : ", virtual TSC \(hexShort(m.virtualTSC))")
                + (vmCtls.isEmpty ? "" : ", VM_CTLS " + vmCtls.joined(separator: " ")))
        for v in m.vcpus {
            out.append("")
            out.append("vCPU \(v.index): \(Self.location(v)), CURR_VM \(v.currentVM)")
            if let p = v.pendingExit {
                out.append("  pending TD exit: \(Self.exitKind(p.kind)), VM \(p.vm)")
                let r = p.exit.registers
                out.append(
                    "    exit reason \(p.exit.exitReason), qualification \(hexShort(r.rcx)), "
                        + "extended qualification \(hexShort(r.rdx)), GPA \(hexShort(r.r8))")
            } else {
                out.append("  pending TD exit: none")
            }
            if v.hostRouting != .none { out.append("  L2_EXIT_HOST_ROUTING: \(v.hostRouting)") }
            out.append(
                "  L1 virtual APIC: RVI \(hexShort(UInt64(v.l1RVI))), PPR \(hexShort(UInt64(v.l1PPR)))"
                    + (v.l1RVI >> 4 > v.l1PPR >> 4
                        ? " (an interrupt is pending: TDG.VP.ENTER answers PENDING_INTERRUPT)" : ""))
            out.append(contentsOf: Self.l1InterruptLines(v.l1Interrupts))
            let gprs = (0..<16).filter { v.gprs[$0] != 0 }.map { "\(RegisterFile.names[$0]) \(hexShort(v.gprs[$0]))" }
            let whose = v.currentVM == 0 ? "L1's" : "L2's"
            out.append("  GPRs (\(whose)): " + (gprs.isEmpty ? "all 0" : gprs.joined(separator: ", ")))
            for vm in stride(from: 1, through: m.numL2VMs, by: 1) {
                let launched = v.vmLaunched >> vm & 1 == 1
                out.append(
                    "  VM\(vm): L2_CTLS \(Self.l2CtlsText(v.l2Ctls[vm])), guest-state buffer "
                        + "\(Self.gpaText(v.guestStateGPA[vm])), \(launched ? "launched" : "not launched")"
                        + (v.tscDeadline[vm] == ~0 ? "" : ", TSC_DEADLINE \(hexShort(v.tscDeadline[vm]))"))
                let changed = Self.changedVMCSFields(v, vm: vm)
                if changed.isEmpty {
                    out.append("    L2 VMCS: every field at its reset value")
                    continue
                }
                out.append("    L2 VMCS fields not at their reset value (\(changed.count)):")
                let width = changed.map { $0.field.name.count + 4 + hexShort(UInt64($0.field.encoding.rawValue)).count }
                    .max()!
                for (f, value) in changed {
                    let name = "\(f.name) (\(hexShort(UInt64(f.encoding.rawValue))))"
                    out.append("      \(pad(name, width))  \(hexShort(value))  (reset \(hexShort(f.reset)))")
                }
            }
        }
        out.append("")
        out.append("alias map (ATTR.RD):")
        out.append(contentsOf: aliases.text().split(separator: "\n").map { "  " + $0 })
        return out.joined(separator: "\n")
    }

    // MARK: JSON

    /// One object: `{"step":N,"steps":N,"input":"…","state_hash":"0x…","td":{…},"vcpus":[{…}],"pages":[…]}`;
    /// values as `"0x…"` strings, pages as in `softseam alias-map --json`.
    func json() -> String {
        let m = machine
        func q(_ s: String) -> String { "\"\(jsonEscaped(s))\"" }
        func h(_ v: UInt64) -> String { q(hexShort(v)) }
        var out = "{\"step\":\(step),\"steps\":\(steps),\"input\":\(last.map { q(FileReport.describe($0)) } ?? "null")"
        out += ",\"state_hash\":\(q(hash16(m.stateHash())))"
        out += ",\"td\":{\"num_l2_vms\":\(m.numL2VMs),\"vcpus\":\(m.vcpuCount),\"gpaw\":\(m.width.bits)"
        out += ",\"op_state\":\(q(m.opState == .runnable ? "runnable" : "initialized")),\"fatal\":\(m.isFatal)"
        out += ",\"td_epoch\":\(m.tdEpoch),\"attributes\":\(h(m.attributes)),\"virtual_tsc\":\(h(m.virtualTSC))"
        out += ",\"vm_ctls\":[" + (0..<m.numL2VMs).map { h(m.vmCtls[$0 + 1]) }.joined(separator: ",") + "]}"
        let vcpus = m.vcpus.map { v -> String in
            var o = "{\"index\":\(v.index),\"location\":\(q(Self.locationTag(v)))"
            if case .l2(let vm) = v.location { o += ",\"vm\":\(vm)" }
            o += ",\"current_vm\":\(v.currentVM)"
            if let p = v.pendingExit {
                let r = p.exit.registers
                o += ",\"pending_td_exit\":{\"kind\":\(q(Self.exitKindTag(p.kind))),\"vm\":\(p.vm)"
                o += ",\"exit_reason\":\(UInt32(truncatingIfNeeded: r.rax)),\"rax\":\(h(r.rax)),\"rcx\":\(h(r.rcx))"
                o += ",\"rdx\":\(h(r.rdx)),\"r8\":\(h(r.r8))}"
            } else {
                o += ",\"pending_td_exit\":null"
            }
            o += ",\"host_routing\":\(q("\(v.hostRouting)"))"
            o +=
                ",\"l1_interrupts\":{\"rvi\":\(v.l1RVI),\"ppr\":\(v.l1PPR)" + Self.l1InterruptJSON(v.l1Interrupts) + "}"
            o += ",\"gprs\":{" + (0..<16).map { "\(q(RegisterFile.names[$0])):\(h(v.gprs[$0]))" }.joined(separator: ",")
            o += "},\"vms\":["
            o += stride(from: 1, through: m.numL2VMs, by: 1).map { vm -> String in
                var e = "{\"vm\":\(vm),\"l2_ctls\":\(h(v.l2Ctls[vm])),\"guest_state_gpa\":"
                e += v.guestStateGPA[vm] == ~0 ? "null" : h(v.guestStateGPA[vm])
                e += ",\"launched\":\(v.vmLaunched >> vm & 1 == 1),\"tsc_deadline\":\(h(v.tscDeadline[vm]))"
                e += ",\"vmcs_changed\":["
                e += Self.changedVMCSFields(v, vm: vm).map { f, value in
                    "{\"field\":\(q(f.name)),\"encoding\":\(h(UInt64(f.encoding.rawValue))),\"value\":\(h(value))"
                        + ",\"reset\":\(h(f.reset))}"
                }.joined(separator: ",")
                return e + "]}"
            }.joined(separator: ",")
            return o + "]}"
        }
        out += ",\"vcpus\":[" + vcpus.joined(separator: ",") + "]"
        out += ",\"pages\":\(aliases.pagesJSON())}"
        return out
    }
}
