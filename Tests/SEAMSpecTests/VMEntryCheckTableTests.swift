import SEAMCore
import SEAMFormats
import SEAMSpec
import Testing

/// Every row of Specs/vm-entry-checks.tsv (`specsDirectory` is SpecTableTests.swift's). Each row is also a case
/// of SpecTableTests' `modelAgreesWithSpecRow`, which runs `VMEntryCheckTable.check` through ConformanceRunner.
let vmEntryRows: [SpecTable.Row] = (try? VMEntryCheckTable.load(from: specsDirectory).rows) ?? []

// Specs/vm-entry-checks.tsv against VMEntryChecks (SDM Vol. 3C §27.3.1; what L1 sees of a failure: tdx-module
// src/td_dispatcher/tdx_td_l2_dispatcher.c handle_l2_vm_entry_failures).
@Suite struct VMEntryCheckTableTests {

    @Test func tableLoadsWithEveryRowParsed() throws {
        let table = try VMEntryCheckTable.load(from: specsDirectory)
        #expect(table.rows.count >= 40)
        // The parameterized test below got every row (its loader cannot report an error itself).
        #expect(vmEntryRows.count == table.rows.count)
        var ids: Set<String> = []
        for row in table.rows {
            _ = try VMEntryCheckTable.parse(row)
            #expect(ids.insert(row["id"]).inserted, "\(row): duplicate id \(row["id"])")
        }
    }

    @Test func everyBaseStatePassesAsIsInTheTable() throws {
        let unedited = try vmEntryRows.map { try VMEntryCheckTable.parse($0) }.filter { $0.edits.isEmpty }
        for base in VMEntryCheckTable.bases {
            let rows = unedited.filter { $0.base == base.state }
            #expect(!rows.isEmpty, "no unedited row for base \(base.name)")
            #expect(rows.allSatisfy { $0.expected == nil }, "an unedited \(base.name) row expects a failure")
        }
    }

    @Test func everyCheckHasAFailingRow() throws {
        let expected = Set(try vmEntryRows.compactMap { try VMEntryCheckTable.parse($0).expected?.check })
        let missing = VMEntryChecks.ids.filter { !expected.contains($0) }
        #expect(missing.isEmpty, "checks without a failing row: \(missing)")
    }

    @Test func malformedSetCellIsAnErrorNamingFileLineAndField() throws {
        let text = """
            # comment
            id\tbase\tset\texpect\tqualification\tmistake\tsource
            ok\treset\tcr0|=0x20\tpass\t-\tnone\tSDM 3C 27.3.1.1
            bad\treset\tcr0|=0x20;cr9=0x1\tpass\t-\tnone\tSDM 3C 27.3.1.1
            """
        let table = try SpecTable(text: text, file: VMEntryCheckTable.file, required: VMEntryCheckTable.columns)
        _ = try VMEntryCheckTable.parse(table.rows[0])
        #expect(
            throws: InputError(
                file: "vm-entry-checks.tsv", line: 4, field: "set", "unknown field \"cr9\" in \"cr9=0x1\"")
        ) {
            try VMEntryCheckTable.parse(table.rows[1])
        }
    }

    @Test func setCellErrorsSayWhatIsWrong() {
        func message(_ cell: String) -> String? {
            do {
                _ = try VMEntryCheckTable.parseSet(cell, file: "t.tsv", line: 7)
                return nil
            } catch {
                #expect(error.line == 7 && error.field == "set")
                return error.message
            }
        }
        #expect(message("cr0") == "\"cr0\" is not FIELD=VALUE, FIELD|=VALUE or FIELD&=~VALUE")
        #expect(message("cr0=zz") == "expected an integer after = in \"cr0=zz\"")
        #expect(message("cs.sel=0x10000") == "0x10000 does not fit the 16-bit field cs.sel")
        #expect(message("activityState=0x100000000") == "0x100000000 does not fit the 32-bit field activityState")
        #expect(message("xs.ar=0x93") == "unknown field \"xs.ar\" in \"xs.ar=0x93\"")
        #expect(message("cr0=1;") == "\"\" is not FIELD=VALUE, FIELD|=VALUE or FIELD&=~VALUE")
        #expect(message("-") == nil)
    }

    @Test func editsApplyInOrderWithTheirOperators() throws {
        let edits = try VMEntryCheckTable.parseSet(
            "cr0=0x11;cr0|=0x20;entryControls&=~0x4000;cs.ar=0x93;cs.sel=0xF000;tr.limit|=0x1", file: "t", line: 1)
        let c = VMEntryCheckTable.Case(id: "t", base: .reset, edits: edits, expected: nil)
        let s = c.state
        #expect(s.cr0 == 0x31)
        #expect(s.entryControls == 0x003E_8004)
        #expect(s.cs.accessRights == 0x93 && s.cs.selector == 0xF000 && s.cs.limit == 0xFFFF_FFFF)
        #expect(s.tr.limit == 0xFFFF)
    }

    @Test func badExpectAndQualificationCellsAreErrors() throws {
        let text = """
            id\tbase\tset\texpect\tqualification\tmistake\tsource
            a\tlong\t-\tpass\t-\tnone\tx
            b\treset\t-\tcr0.nope\t0\tnone\tx
            c\treset\t-\tpass\t0\tnone\tx
            """
        let rows = try SpecTable(text: text, file: "t.tsv").rows
        #expect(
            throws: InputError(
                file: "t.tsv", line: 2, field: "base",
                "expected one of reset, protected, paged32, long64, compat, got \"long\"")
        ) {
            try VMEntryCheckTable.parse(rows[0])
        }
        #expect(throws: InputError(file: "t.tsv", line: 3, field: "expect", "no VM-entry check named \"cr0.nope\"")) {
            try VMEntryCheckTable.parse(rows[1])
        }
        #expect(throws: InputError(file: "t.tsv", line: 4, field: "qualification", "expected - for a pass row")) {
            try VMEntryCheckTable.parse(rows[2])
        }
    }
}
