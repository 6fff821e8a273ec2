import SEAMTypes

/// The TD VMCS fields of `L1TDVMCS` as TDH.VP.RD / TDH.VP.WR name them: class 0 of the TDVPS, context VP, with
/// the module's host masks (`include/auto_gen/td_vmcs_fields_lookup.c`, prod_* and dbg_* columns); L1's
/// VM-entry event-injection fields, which the host can never write (write mask 0 with and without DEBUG,
/// readable only with DEBUG; SoftSEAM's L1 is never injected through them, so they read 0); and the TDVPS
/// PEND_NMI field (class 32, code 0xB, one byte, host read and write mask 0xFF;
/// `include/auto_gen/tdvps_fields_lookup.c`).
enum L1VMCSHostField: CaseIterable {
    case postedInterruptVector, pidAddress, pinBasedControls
    case entryInterruptionInfo, entryErrorCode, entryInstructionLength
    case pendNMI

    /// The VMCS field encoding (the field code of the id).
    var encoding: UInt32 {
        switch self {
        case .postedInterruptVector: 0x0002
        case .pidAddress: 0x2016
        case .pinBasedControls: 0x4000
        case .entryInterruptionInfo: 0x4016
        case .entryErrorCode: 0x4018
        case .entryInstructionLength: 0x401A
        case .pendNMI: 0xB
        }
    }

    /// The TDVPS class of the field id: 0 for the TD VMCS, 32 for PEND_NMI.
    var classCode: UInt8 { self == .pendNMI ? 32 : 0 }

    /// Bits an element holds (16-, 64- and 32-bit fields).
    var sizeMask: UInt64 {
        switch self {
        case .postedInterruptVector: 0xFFFF
        case .pidAddress: ~0
        case .pinBasedControls, .entryInterruptionInfo, .entryErrorCode, .entryInstructionLength: 0xFFFF_FFFF
        case .pendNMI: 0xFF
        }
    }

    /// Host read mask: the pin-based controls show only bit 7 unless ATTRIBUTES.DEBUG.
    func readMask(debug: Bool) -> UInt64 {
        switch self {
        case .postedInterruptVector, .pidAddress: sizeMask
        case .pinBasedControls: debug ? 0xFFFF_FFFF : 0x80
        case .entryInterruptionInfo, .entryErrorCode, .entryInstructionLength: debug ? 0xFFFF_FFFF : 0
        case .pendNMI: 0xFF
        }
    }

    /// Host write mask (the same with and without DEBUG): the descriptor address drops bits 5:0 (64-byte
    /// aligned), the pin-based controls take bit 7 "process posted interrupts" only.
    var writeMask: UInt64 {
        switch self {
        case .postedInterruptVector: 0xFFFF
        case .pidAddress: 0xFFFF_FFFF_FFFF_FFC0
        case .pinBasedControls: 0x80
        case .entryInterruptionInfo, .entryErrorCode, .entryInstructionLength: 0
        case .pendNMI: 0xFF
        }
    }

    /// The field's id as TDH.VP.RD version 1 returns it in RDX, the module's table id: context VP (2), the element
    /// size of `sizeMask` (0 one byte, 1 two, 2 four, 3 eight bytes), the class and the field code, and for the TD
    /// VMCS fields WRITE_MASK_VALID (bit 50) as `include/auto_gen/td_vmcs_fields_lookup.c` has it (PEND_NMI's
    /// id in `tdvps_fields_lookup.c` does not).
    var id: UInt64 {
        let size: UInt64 =
            switch sizeMask {
            case 0xFF: 0
            case 0xFFFF: 1
            case 0xFFFF_FFFF: 2
            default: 3
            }
        let writeMaskValid: UInt64 = classCode == 0 ? 1 << 50 : 0
        return UInt64(classCode) << 56 | FieldID.Context.vp.rawValue << 52 | writeMaskValid | size << 32
            | UInt64(encoding)
    }

    /// The fields in (class, field code) order, the order version 1 walks them in.
    static let walkOrder = allCases.sorted { ($0.classCode, $0.encoding) < ($1.classCode, $1.encoding) }

    /// The first host-readable field after `field` (from the start when nil) in `walkOrder`.
    static func readable(after field: L1VMCSHostField?, debug: Bool) -> L1VMCSHostField? {
        let start = field.map { f in walkOrder.firstIndex(of: f)! + 1 } ?? 0
        return walkOrder[start...].first { $0.readMask(debug: debug) != 0 }
    }

    /// The field a single-element id names (class and field code; size, context and INC_SIZE are ignored, as
    /// the module's lookup ignores them), or nil.
    static func find(_ id: FieldID) -> L1VMCSHostField? {
        allCases.first { $0.classCode == id.classCode && $0.encoding == id.fieldCode }
    }
}

extension Machine {
    /// MAX_PA as the model's platform has it (the module's `shared_hpa_check` also rejects SEAMRR and private
    /// HKIDs; SoftSEAM has neither).
    static let hostMaxPA: UInt64 = 1 << 52

    /// The vCPU named by TDH.VP.RD / TDH.VP.WR's RCX (a TDVPR HPA), or nil: RCX must be exactly a vCPU's
    /// TDVPR — 4 KB aligned, no bit above MAX_PA, no vCPU flags (module `check_and_lock_explicit_4k_private_hpa`;
    /// SoftSEAM answers OPERAND_INVALID(RCX) for every page that is not a TDVPR, as TDH.VP.ENTER does).
    func hostVPOperand(_ rcx: UInt64) -> Int? {
        guard rcx & (.mask(11, 0) | .mask(63, 52)) == 0 else { return nil }
        return Machine.vcpu(tdvpr: rcx, vcpuCount: vcpuCount)
    }

    func l1VMCSValue(_ f: L1VMCSHostField, vcpu: Int) -> UInt64 {
        let v = vcpus[vcpu].l1VMCS
        switch f {
        case .postedInterruptVector: return UInt64(v.postedInterruptVector)
        case .pidAddress: return v.pidAddress
        case .pinBasedControls: return UInt64(v.pinBasedControls)
        case .entryInterruptionInfo, .entryErrorCode, .entryInstructionLength: return 0
        case .pendNMI: return UInt64(vcpus[vcpu].l1Interrupts.pendNMI)
        }
    }

    /// TDH.VP.RD (26), versions 0 and 1 (module `src/vmm_dispatcher/api_calls/tdh_vp_rd_wr.c`,
    /// `md_vp_read_element` in `src/common/metadata_handlers/metadata_vp.c`): RCX = TDVPR, RDX = field id (context
    /// forced to VP).
    ///
    /// In the module's order: version 1 sets RDX = −1 (MD_FIELD_ID_NA) first; R8 = 0; version above 1 →
    /// OPERAND_INVALID(RAX); RCX not a TDVPR → OPERAND_INVALID(RCX); version 1 with the null id →
    /// FIRST_FIELD_ID_IN_CONTEXT, RDX = the first host-readable id; id with reserved or LAST_* bits →
    /// FIELD_ID_INCORRECT; an id that is none of `L1VMCSHostField` → FIELD_ID_INCORRECT (the rest of the TDVPS is
    /// not modelled for the host); host read mask 0 → FIELD_NOT_READABLE. Success: R8 = value & read mask;
    /// version 1: RDX = the next host-readable id, −1 after the last. RDX is not written at version 0.
    ///
    /// The next-id walk goes over the fields SoftSEAM models for the host, in (class, field code) order; the
    /// module's walk also visits the TDVPS fields SoftSEAM does not model, so its ids in between are skipped here.
    mutating func tdhVPRd(version: UInt8, _ regs: inout RegisterFile) {
        let input = regs.rdx
        if version > 0 { regs.rdx = FieldID.null.rawValue }
        regs.r8 = 0
        guard version <= 1 else { return hostStatus(&regs, .operandInvalid.with(.rax)) }
        guard let vcpu = hostVPOperand(regs.rcx) else { return hostStatus(&regs, .operandInvalid.with(.rcx)) }
        let debug = attributes & 1 != 0
        if version == 1 && input | .mask(54, 52) == ~0 {
            regs.rdx = L1VMCSHostField.readable(after: nil, debug: debug)?.id ?? FieldID.null.rawValue
            return hostStatus(&regs, .metadataFirstFieldIDInContext)
        }
        let id = FieldID(input & ~UInt64.mask(54, 52) | FieldID.Context.vp.rawValue << 52)
        guard id.isSingleElement, let field = L1VMCSHostField.find(id) else {
            return hostStatus(&regs, .metadataFieldIDIncorrect)
        }
        let mask = field.readMask(debug: debug)
        guard mask != 0 else { return hostStatus(&regs, .metadataFieldNotReadable) }
        regs.r8 = l1VMCSValue(field, vcpu: vcpu) & mask
        if version == 1 {
            regs.rdx = L1VMCSHostField.readable(after: field, debug: debug)?.id ?? FieldID.null.rawValue
        }
        hostStatus(&regs, .success)
    }

    /// TDH.VP.WR (43) (module `src/vmm_dispatcher/api_calls/tdh_vp_rd_wr.c`, `md_vp_write_element` and the
    /// TD VMCS special writes in `src/common/metadata_handlers/metadata_vp.c`): RCX = TDVPR, RDX = field id,
    /// R8 = value, R9 = write mask. In the module's order:
    ///
    ///     R8 = 0; RCX not a TDVPR → OPERAND_INVALID(RCX); malformed / unknown id → FIELD_ID_INCORRECT
    ///     write mask & R9 = 0 → FIELD_NOT_WRITABLE
    ///     current value (bits 63:… of an address still NULL_PA taken as 0 outside the write mask)
    ///     R9 bits outside the write mask that change the value → FIELD_VALUE_NOT_VALID
    ///     new = current outside write mask & R9, R8 inside it
    ///     PID address: not a shared HPA (bit 52 or above) → FIELD_VALUE_NOT_VALID
    ///     vector above 255 → FIELD_VALUE_NOT_VALID
    ///     pin-based bit 7 set while the vector is 0xFFFF → TD_VMCS_FIELD_NOT_INITIALIZED + 0x0002, while the
    ///     PID address is all ones → TD_VMCS_FIELD_NOT_INITIALIZED + 0x2016
    ///     PEND_NMI (TDVPS, no special write): stored; the module injects the NMI into L1 later
    ///     (`Machine.deliverPendingNMI`)
    ///     success: R8 = old value & host read mask. RDX is not written.
    ///
    /// So a PID address written with R9 = all ones fails when R8's bits 5:0 are not those of the current
    /// value (0 after the first write), and with R9 = 0xFFFFFFFFFFFFFFC0 its bits 5:0 are dropped.
    mutating func tdhVPWr(_ regs: inout RegisterFile) {
        let value = regs.r8, request = regs.r9
        regs.r8 = 0
        guard let vcpu = hostVPOperand(regs.rcx) else { return hostStatus(&regs, .operandInvalid.with(.rcx)) }
        let id = FieldID(regs.rdx & ~UInt64.mask(54, 52) | FieldID.Context.vp.rawValue << 52)
        guard id.isSingleElement, let field = L1VMCSHostField.find(id) else {
            return hostStatus(&regs, .metadataFieldIDIncorrect)
        }
        let wrMask = field.writeMask
        let combined = wrMask & request
        guard combined != 0 else { return hostStatus(&regs, .metadataFieldNotWritable) }
        let old = l1VMCSValue(field, vcpu: vcpu)
        var current = combined == field.sizeMask ? 0 : old
        if field == .pidAddress && current & (1 << 63) != 0 { current &= wrMask }
        let forbidden = request & ~wrMask
        guard current & forbidden == value & forbidden else { return hostStatus(&regs, .metadataFieldValueNotValid) }
        let new = current & ~combined | value & combined
        var l1 = vcpus[vcpu].l1VMCS
        switch field {
        case .pidAddress:
            guard new < Machine.hostMaxPA else { return hostStatus(&regs, .metadataFieldValueNotValid) }
            l1.pidAddress = new
        case .postedInterruptVector:
            guard new <= 255 else { return hostStatus(&regs, .metadataFieldValueNotValid) }
            l1.postedInterruptVector = UInt16(new)
        case .pinBasedControls:
            if new & 0x80 != 0 {
                if l1.postedInterruptVector == L1TDVMCS.vectorNotSet {
                    return hostStatus(&regs, .tdVMCSFieldNotInitialized.with(detail: 0x0002))
                }
                if l1.pidAddress == ~0 {
                    return hostStatus(&regs, .tdVMCSFieldNotInitialized.with(detail: 0x2016))
                }
            }
            l1.pinBasedControls = UInt32(truncatingIfNeeded: new)
        case .pendNMI:
            vcpus[vcpu].l1Interrupts.pendNMI = UInt8(truncatingIfNeeded: new)
        case .entryInterruptionInfo, .entryErrorCode, .entryInstructionLength:
            break  // write mask 0: refused above
        }
        vcpus[vcpu].l1VMCS = l1
        regs.r8 = old & field.readMask(debug: attributes & 1 != 0)
        hostStatus(&regs, .success)
    }
}
