import SEAMTypes

extension GlobalField {
    /// Elements per field: 2 for CPUID_CONFIG_VALUES (32 fields of EAX/EBX and ECX/EDX pairs), 1 for every other
    /// entry of the module's table (`include/auto_gen/global_sys_fields_lookup.c`, num_of_elem).
    var elementsPerField: Int { name == "CPUID_CONFIG_VALUES" ? 2 : 1 }
}

extension Machine {
    /// TDG.SYS.RDALL (leaf 12): dumps the guest-readable global metadata, from a given field on, as a metadata
    /// list into one 4 KB page of L1's private memory (module `src/td_dispatcher/vm_exits/tdg_sys_rdall.c`,
    /// `md_dump_list` / `md_dump_sequence` in `src/common/metadata_handlers/metadata_generic.c`). RDX = the
    /// page's GPA, R8 = the first field id (the null id: from the first guest-readable field); context forced
    /// to SYS.
    ///
    /// In the module's order:
    ///
    ///     R8 = −1 (in L1's registers, before anything else)
    ///     RDX not 4 KB aligned, or not a valid private GPA (SHARED bit, above GPAW) → OPERAND_INVALID(RDX)
    ///     page not L1-accessible: PENDING with TD_CTLS.PENDING_VE_DISABLE = 0 → #VE (VE_INFO: EPT violation,
    ///       qualification 3 = data read | data write, the page's GPA; the TDCALL does not complete, R8 stays
    ///       −1); otherwise an EPT-violation TD exit (qualification 3; EEQ type 6 for a PENDING page) after
    ///       which L1 runs the TDCALL again — with R8 = −1, as the module left it, so from the first field
    ///     null id with no readable field → TDX_SUCCESS, nothing written (not reachable: the table has some)
    ///     id that names no entry, is not the first element of a field, or has another element size →
    ///       FIELD_ID_INCORRECT, R8 = −1, nothing written
    ///     the dump: list header (bits 15:0 size in bytes, 31:16 number of sequences), then sequences, each a
    ///       header (the first field's id, LAST_ELEMENT_IN_FIELD = elements − 1, LAST_FIELD_IN_SEQUENCE =
    ///       fields − 1) and the fields' elements. A sequence groups readable fields of one class with
    ///       consecutive field codes, the same element count and the same element size; fields the guest
    ///       cannot read are skipped. R8 = the next field id, −1 when the context is done → TDX_SUCCESS.
    ///
    /// The table's 12 guest-readable fields take 168 bytes, so the list always fits the page and the
    /// module's METADATA_LIST_OVERFLOW (a dump that stops early with R8 = the next id) cannot happen here.
    mutating func tdgSysRdAll(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let gpa = regs.rdx, input = regs.r8
        regs.r8 = FieldID.null.rawValue
        guard gpa & 0xFFF == 0, width.isValidPrivate(gpa) else { return complete(&regs, .operandInvalid.with(.rdx)) }
        if let fault = operandPageFault(vcpu: i, gpa: gpa, qualification: 3) { return fault }
        // The starting field: (entry index, element).
        var at: (index: Int, element: Int)
        if input | .mask(54, 52) == ~0 {
            guard let first = GlobalField.all.firstIndex(where: \.guestReadable) else {
                return complete(&regs, .success)
            }
            at = (first, 0)
        } else {
            let id = FieldID(input & ~UInt64.mask(54, 52))
            guard let found = GlobalField.find(id), found.element % GlobalField.all[found.index].elementsPerField == 0,
                id.elementSizeCode == FieldID(GlobalField.all[found.index].id).elementSizeCode
            else { return complete(&regs, .metadataFieldIDIncorrect) }
            at = found
        }
        let (words, next) = Machine.sysMetadataList(from: at, platform: platform)
        var bytes = [UInt8]()
        bytes.reserveCapacity(words.count * 8)
        for w in words { withUnsafeBytes(of: w.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.withUnsafeBytes { space.write(gpa >> 12, offset: 0, $0) }
        regs.r8 = next
        return complete(&regs, .success)
    }

    /// The metadata list `md_dump_list` writes for the guest-readable global fields from `start` on (a field's
    /// first element), as 64-bit words (list header first), and the next field id (−1: the context is done).
    static func sysMetadataList(from start: (index: Int, element: Int), platform: GlobalPlatform) -> (
        [UInt64], UInt64
    ) {
        let all = GlobalField.all
        // The fields in dump order: the starting one (readable or not), then every guest-readable field.
        var fields: [(id: UInt64, readable: Bool, value: UInt64)] = []
        var index = start.index, element = start.element
        while index < all.count {
            let f = all[index]
            if element < f.elements, f.guestReadable || fields.isEmpty {
                fields.append((f.id + UInt64(element), f.guestReadable, f.value(on: platform)))
            }
            element += f.elementsPerField
            if element >= f.elements || !f.guestReadable {
                index += 1
                element = 0
            }
        }
        var out: [UInt64] = [0]
        var sequences: UInt64 = 0
        var k = 0
        while k < fields.count {
            guard fields[k].readable else {
                k += 1  // an empty sequence: the starting field is not readable
                continue
            }
            let first = FieldID(fields[k].id)
            var n = 1
            while k + n < fields.count {
                let prev = FieldID(fields[k + n - 1].id), next = FieldID(fields[k + n].id)
                guard next.classCode == prev.classCode, next.fieldCode == prev.fieldCode + 1,
                    next.elementSizeCode == prev.elementSizeCode
                else { break }
                n += 1
            }
            // Header: the first field's id with LAST_FIELD_IN_SEQUENCE = n − 1 (one element per readable field).
            out.append(first.rawValue & ~UInt64.mask(46, 34) | UInt64(n - 1) << 38)
            for j in 0..<n { out.append(fields[k + j].value) }
            sequences += 1
            k += n
        }
        out[0] = UInt64(out.count * 8) | sequences << 16
        return (out, FieldID.null.rawValue)
    }
}
