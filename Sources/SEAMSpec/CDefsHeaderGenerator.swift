import SEAMCore
import SEAMFormats
import SEAMTypes

/// Writes `Sources/CSoftSEAM/include/softseam_defs.h`, the constants an L1 or host written in C needs, from the
/// spec tables and SEAMCore's registries: leaf numbers (`TDCallLeaves`, `SEAMCallLeaves`), status codes
/// (Specs/status-codes.tsv), operand ids (Specs/operand-ids.tsv), GPA attribute bits (Specs/gpa-attr-bits.tsv),
/// the L2 VMCS field ids (Specs/l2-vmcs-fields.tsv), the TD and vCPU management field ids the model holds
/// (`L1MetadataFields`), exit reasons (`ExitReason`), the L2_ENTER_GUEST_STATE buffer with the offsets the
/// model reads it at (`Machine.GuestStateBuffer`), and the decoding of the registers TDG.VP.ENTER and
/// TDH.VP.ENTER return. `make generate` rewrites the header; a test fails when it and its sources differ.
package enum CDefsHeaderGenerator {
    /// The generated header, relative to the package root.
    package static let outputPath = "Sources/CSoftSEAM/include/softseam_defs.h"
    /// The tables it reads, under `Specs/`.
    package static let tableFiles = [
        "status-codes.tsv", "operand-ids.tsv", "gpa-attr-bits.tsv", L2VMCSTableGenerator.tableFile,
    ]

    /// The header for the tables `load` gives, or an error naming the row and column of the first bad cell.
    package static func header(load: (String) throws(InputError) -> SpecTable) throws(InputError) -> String {
        let status = try load("status-codes.tsv")
        let operands = try load("operand-ids.tsv")
        let attrBits = try load("gpa-attr-bits.tsv")
        let vmcs = try load(L2VMCSTableGenerator.tableFile)
        var out = prologue
        out += section("TDCALL leaves (RAX[15:0]; the version in RAX[23:16]), from SoftSEAM's leaf registry")
        out += defines(TDCallLeaves.all.map { (cName($0.name), String($0.leaf.rawValue), nil) })
        out += section("SEAMCALL leaves SoftSEAM models (RAX[15:0]), from SoftSEAM's leaf registry")
        out += defines(SEAMCallLeaves.all.map { (cName($0.name), String($0.leaf.rawValue), nil) })
        out += section(
            """
            Completion status codes (RAX of a TDCALL or SEAMCALL), from Specs/status-codes.tsv. Bits 31:0 carry \
            details: an operand id (below) for operand errors, an exit reason after TDG.VP.ENTER.
            """)
        out += """
            #define TDX_STATUS_CLASS(rax) ((uint64_t)(rax) & UINT64_C(0xFFFFFFFF00000000)) /* the status without details */
            #define TDX_STATUS_DETAILS(rax) ((uint32_t)(rax))                                  /* bits 31:0 */
            #define TDX_STATUS_IS_ERROR(rax) (((uint64_t)(rax) >> 63) != 0)                    /* bit 63 */

            """
        var statusRows: [(String, String, String?)] = []
        for row in status.rows {
            let value = try row.integer("value")
            try checkName(row, "name")
            statusRows.append((row["name"], "UINT64_C(\(hex16(value)))", nil))
        }
        out += defines(statusRows)
        out += section("Operand ids, added to bits 31:0 of an operand error (Specs/operand-ids.tsv)")
        var operandRows: [(String, String, String?)] = []
        for row in operands.rows {
            let id = try row.integer("id")
            try checkName(row, "name")
            operandRows.append(("TDX_OPERAND_ID_" + row["name"], String(id), nil))
        }
        out += defines(operandRows)
        out += section(
            """
            GPA attributes (TDG.MEM.PAGE.ATTR.RD/WR RDX): four 16-bit fields, VM n in bits 16n+15:16n \
            (Specs/gpa-attr-bits.tsv). ATTR.WR's R8 holds four 16-bit flag fields in the same places: bits 14:0 \
            the attribute bits to change, bit 15 INVEPT (flush that L2 VM's translations).
            """)
        var bitRows: [(String, String, String?)] = []
        for row in attrBits.rows {
            let bit = try row.integer("bit")
            guard bit < 16 else { throw InputError(file: row.file, line: row.line, field: "bit", "must be 0…15") }
            bitRows.append(("TDX_GPA_ATTR_" + row["name"].uppercased(), "(1U << \(bit))", nil))
        }
        out += defines(bitRows)
        out += """
            #define TDX_GPA_ATTR_FOR_VM(vm, attrs) ((uint64_t)(uint16_t)(attrs) << (16 * (vm)))
            #define TDX_GPA_ATTR_OF_VM(rdx, vm) ((uint16_t)((uint64_t)(rdx) >> (16 * (vm))))
            #define TDX_ATTR_FLAGS_INVEPT (1U << 15)
            #define TDX_ATTR_FLAGS_FOR_VM(vm, flags) ((uint64_t)(uint16_t)(flags) << (16 * (vm)))


            """
        out += metadataSection(vmcs: try vmcsRows(vmcs))
        out += exitSection
        out += guestStateSection
        out += epilogue
        return out
    }

    /// TDG.MEM.PAGE.ATTR.WR → TDG_MEM_PAGE_ATTR_WR.
    static func cName(_ abiName: String) -> String { String(abiName.map { $0 == "." ? "_" : $0 }) }

    static func checkName(_ row: SpecTable.Row, _ column: String) throws(InputError) {
        let name = row[column]
        guard let first = name.first, first.isLetter,
            name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") })
        else {
            throw InputError(file: row.file, line: row.line, field: column, "not an UPPER_SNAKE C name")
        }
    }

    /// `#define NAME VALUE /* comment */` lines, the values aligned.
    static func defines(_ rows: [(name: String, value: String, comment: String?)]) -> String {
        let width = rows.map { $0.name.count }.max() ?? 0
        var out = ""
        for r in rows {
            let pad = String(repeating: " ", count: width - r.name.count)
            out += "#define \(r.name)\(pad) \(r.value)"
            if let c = r.comment { out += " /* \(c) */" }
            out += "\n"
        }
        return out + "\n"
    }

    static func section(_ title: String) -> String {
        var lines: [String] = []
        var line = "/*"
        for word in title.split(separator: " ") {
            if line.count + word.count + 1 > 110 {
                lines.append(line)
                line = " *"
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\n") + " */\n"
    }

    static func hex16(_ v: UInt64) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16, uppercase: true) }

    /// One `TDX_L2_VMCS_<NAME>` per row: element size code in bits 33:32 and the encoding in 15:0.
    static func vmcsRows(_ table: SpecTable) throws(InputError) -> [(String, String, String?)] {
        var rows: [(String, String, String?)] = []
        for row in table.rows {
            try checkName(row, "name")
            let encoding = try row.integer("encoding")
            let code: UInt64
            switch try row.integer("size") {
            case 16: code = 1
            case 32: code = 2
            case 64: code = 3
            default: throw InputError(file: row.file, line: row.line, field: "size", "must be 16, 32 or 64")
            }
            guard encoding <= 0xFFFF else {
                throw InputError(file: row.file, line: row.line, field: "encoding", "not a 16-bit VMCS encoding")
            }
            let (read, write) = try (row.integer("l1_read_mask"), row.integer("l1_write_mask"))
            let access =
                read == 0 ? "hidden" : "L1 reads \(hex(read))" + (write == 0 ? ", read-only" : ", writes \(hex(write))")
            rows.append(("TDX_L2_VMCS_" + row["name"], "UINT64_C(\(hex16(code << 32 | encoding)))", access))
        }
        return rows
    }

    static func metadataSection(vmcs: [(String, String, String?)]) -> String {
        var out = section(
            """
            Metadata field ids (TDG.VM.RD RDX; TDG.VP.RD/WR RDX, with the value in R8 and the write mask in R9). \
            Bits 33:32 of an id are its element size code (0 = 8 … 3 = 64 bits).
            """)
        out += """
            #define TDX_MD_ELEMENT_MASK(id) \\
                ((((uint64_t)(id) >> 32) & 3) == 3 ? ~UINT64_C(0) : (UINT64_C(1) << (8U << (((uint64_t)(id) >> 32) & 3))) - 1)

            /* TD-scope fields L1 reads with TDG.VM.RD (the model's table; element n of a field is id + n). */

            """
        out += defines(
            L1MetadataFields.td.map {
                (
                    "TDX_MD_TD_" + $0.name, "UINT64_C(\(hex16($0.id)))",
                    $0.elements > 1 ? "\($0.elements) elements" : nil
                )
            })
        out += """
            /* vCPU management fields (TDG.VP.RD/WR, class 32). The per-VM ones take the L2 VM index 1…3 (0 = L1). */

            """
        out += defines(
            L1MetadataFields.vpManagement.map { f in
                let access =
                    f.readMask == 0
                    ? "not readable by L1"
                    : "L1 reads \(hex(f.readMask))" + (f.writeMask == 0 ? "" : ", writes \(hex(f.writeMask))")
                return f.elements > 1
                    ? ("TDX_MD_VP_\(f.name)(vm)", "(UINT64_C(\(hex16(f.id))) + (uint64_t)(vm))", access)
                    : ("TDX_MD_VP_" + f.name, "UINT64_C(\(hex16(f.id)))", access)
            })
        out += section(
            """
            L2 VMCS fields of VM vm (1…3) for TDG.VP.RD/WR: TDX_MD_L2_VMCS(1, TDX_L2_VMCS_GUEST_CR0). Each \
            TDX_L2_VMCS_* is the element size code in bits 33:32 and the VMCS encoding in bits 15:0; the class \
            (36, 44, 52 for VM 1, 2, 3) and the VP context come from TDX_MD_L2_VMCS. From \
            Specs/l2-vmcs-fields.tsv, with the bits L1 may read and write.
            """)
        out += """
            #define TDX_MD_L2_VMCS(vm, field) \\
                ((uint64_t)(36 + 8 * ((vm) - 1)) << 56 | (uint64_t)2 << 52 | (uint64_t)(field))
            /* Word `word` (0…511) of L1's view of VM vm's MSR bitmap (classes 37, 45, 53). */
            #define TDX_MD_L2_MSR_BITMAP(vm, word) \\
                ((uint64_t)(37 + 8 * ((vm) - 1)) << 56 | (uint64_t)2 << 52 | (uint64_t)3 << 32 | (uint64_t)(word))

            """
        out += defines(vmcs)
        return out
    }

    static var exitSection: String {
        var out = section("VM exit reasons (bits 15:0 of the exit reason; bit 31 set when the VM entry failed)")
        out += defines(
            ExitReason.names.sorted { $0.key < $1.key }.map { ("VMX_EXIT_REASON_" + $0.value, String($0.key), nil) })
        out += """
            #define VMX_EXIT_REASON_ENTRY_FAILURE (1U << 31)
            #define VMX_EXIT_REASON_BASIC(reason) ((uint32_t)(reason) & 0xFFFF)

            /*
             * TDG.VP.ENTER. Inputs: RCX = the VM index in bits 53:52 (TDG_VP_ENTER_VM) and in bits 1:0 the
             * translations to flush, RDX = the GPA of the L2_ENTER_GUEST_STATE buffer (256-byte aligned, private).
             * The VM's virtual-APIC page GPA must have been written first (TDG.VP.WR of
             * TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS), else OPERAND_INVALID with TDX_OPERAND_ID_L2_VAPIC_GPA.
             * Outputs at an L2→L1 exit: RAX = status | exit reason, RCX = exit qualification, RDX = guest linear
             * address, RSI = CS selector | CS access rights << 16 | CS limit << 32, RDI = CS base, R8 = guest
             * physical address, R9 = interruption information | its error code << 32, R10 = IDT-vectoring
             * information | its error code << 32, R11 = instruction information | instruction length << 32,
             * R12 = L2's CPL, R13 = extended exit qualification. L2's GPRs, RFLAGS and RIP are in the buffer.
             */
            #define TDG_VP_ENTER_VM(vm) ((uint64_t)(vm) << 52)
            #define TDG_VP_ENTER_INVD_TRANSLATIONS_MASK UINT64_C(3)
            #define TDX_L2_EXIT_REASON(rax) ((uint32_t)(rax))
            #define TDX_L2_EXIT_INSTRUCTION_LENGTH(r11) ((uint32_t)((uint64_t)(r11) >> 32))
            #define TDX_L2_EXIT_INSTRUCTION_INFO(r11) ((uint32_t)(r11))
            #define TDX_L2_EXIT_CS_SELECTOR(rsi) ((uint16_t)(rsi))
            #define TDX_L2_EXIT_CS_ACCESS_RIGHTS(rsi) ((uint16_t)((uint64_t)(rsi) >> 16))
            #define TDX_L2_EXIT_CS_LIMIT(rsi) ((uint32_t)((uint64_t)(rsi) >> 32))
            #define TDX_L2_EXIT_INFO(r9_or_r10) ((uint32_t)(r9_or_r10))
            #define TDX_L2_EXIT_ERROR_CODE(r9_or_r10) ((uint32_t)((uint64_t)(r9_or_r10) >> 32))
            /* Extended exit qualification (R13) bits 3:0: type 6 = an EPT violation on a pending page. */
            #define TDX_EEQ_TYPE(r13) ((uint32_t)(r13) & 0xF)
            #define TDX_EEQ_TYPE_PENDING_EPT_VIOLATION 6

            /*
             * TDH.VP.ENTER: RCX = the TDVPR (softseam_tdvpr) | TDH_VP_ENTER_RESUME_L1 to hand an L2 TD exit to L1.
             * A TD exit it returns: RAX = status | exit reason, RCX = exit qualification with the VM index (0 = L1)
             * in bits 33:32, RDX = extended exit qualification, R8 = GPA.
             */
            #define TDH_VP_ENTER_RESUME_L1 (UINT64_C(1) << 53)
            #define TDX_TD_EXIT_VM(rcx) ((uint32_t)((uint64_t)(rcx) >> 32) & 3)


            """
        return out
    }

    static var guestStateSection: String {
        let b = (
            size: Machine.GuestStateBuffer.size, rflags: Machine.GuestStateBuffer.rflags,
            rip: Machine.GuestStateBuffer.rip, ssp: Machine.GuestStateBuffer.ssp,
            interruptStatus: Machine.GuestStateBuffer.interruptStatus
        )
        return """
            /*
             * The L2_ENTER_GUEST_STATE buffer TDG.VP.ENTER takes in RDX: L2's GPRs, RFLAGS, RIP, SSP and guest
             * interrupt status, \(b.size) = \(hex(UInt64(b.size))) bytes (sizeof adds tail padding: copy
             * SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE bytes). The module reads it on entry and writes it back at every
             * exit to L1 or the host. RSP is the VMCS guest RSP. The offsets are the ones the model uses.
             */
            struct softseam_l2_enter_guest_state {
                uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
                uint64_t rflags, rip, ssp;
                uint16_t interrupt_status;
            };
            #define SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE \(hex(UInt64(b.size)))
            SOFTSEAM_DEFS_ASSERT(offsetof(struct softseam_l2_enter_guest_state, r15) == 15 * 8, "GPR n at 8n");
            SOFTSEAM_DEFS_ASSERT(offsetof(struct softseam_l2_enter_guest_state, rflags) == \(hex(UInt64(b.rflags))), "RFLAGS");
            SOFTSEAM_DEFS_ASSERT(offsetof(struct softseam_l2_enter_guest_state, rip) == \(hex(UInt64(b.rip))), "RIP");
            SOFTSEAM_DEFS_ASSERT(offsetof(struct softseam_l2_enter_guest_state, ssp) == \(hex(UInt64(b.ssp))), "SSP");
            SOFTSEAM_DEFS_ASSERT(
                offsetof(struct softseam_l2_enter_guest_state, interrupt_status) == \(hex(UInt64(b.interruptStatus))),
                "interrupt status");
            SOFTSEAM_DEFS_ASSERT(
                offsetof(struct softseam_l2_enter_guest_state, interrupt_status) + 2 == SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE,
                "the buffer's size");


            """
    }

    static let prologue = """
        /*
         * softseam_defs.h — the constants of TDX module 1.5.01 (TD partitioning) that L1 and host code written in
         * C needs: leaf numbers, status codes, operand ids, GPA attribute bits, metadata field ids, exit reasons,
         * the registers TDG.VP.ENTER and TDH.VP.ENTER return, and the L2_ENTER_GUEST_STATE buffer.
         *
         * Generated by `softseam generate` (`make generate`) from the tables under Specs/ and SoftSEAM's leaf
         * registries. Do not edit: a test fails when this file and its sources differ.
         *
         * It needs nothing but <stdint.h> and <stddef.h>, so code that runs on hardware can use it too; the
         * names are the TDX ABI's where it has one (TDG_VP_ENTER, TDX_OPERAND_INVALID), as Linux spells them.
         */
        #ifndef SOFTSEAM_DEFS_H
        #define SOFTSEAM_DEFS_H

        #include <stddef.h>
        #include <stdint.h>

        #ifdef __cplusplus
        #define SOFTSEAM_DEFS_ASSERT(cond, what) static_assert(cond, what)
        #else
        #define SOFTSEAM_DEFS_ASSERT(cond, what) _Static_assert(cond, what)
        #endif


        """

    static let epilogue = """
        #endif /* SOFTSEAM_DEFS_H */

        """
}
