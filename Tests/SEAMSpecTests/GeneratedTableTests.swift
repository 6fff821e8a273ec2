import Foundation
import SEAMCore
import SEAMFormats
import SEAMSpec
import SEAMTypes
import Testing

@Suite struct GeneratedTableTests {
    @Test func generatedL2VMCSFileMatchesTheTable() throws {
        let table = try SpecCatalog.load(L2VMCSTableGenerator.tableFile, from: SpecCatalog.defaultDirectory)
        let expected = try L2VMCSTableGenerator.swiftSource(table)
        let path = FileManager.default.currentDirectoryPath + "/" + L2VMCSTableGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(L2VMCSTableGenerator.outputPath) is stale: run `make generate`")
        #expect(L2VMCSLayout.fields.count == table.rows.count)
    }

    @Test func generatedStatusFileMatchesTheTable() throws {
        let table = try SpecCatalog.load(StatusCodeTableGenerator.tableFile, from: specsDirectory)
        let expected = try StatusCodeTableGenerator.swiftSource(table)
        let path = String(specsDirectory.dropLast("Specs".count)) + StatusCodeTableGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(StatusCodeTableGenerator.outputPath) is stale: run `make generate`")
        // Every row is a named code, in table order, with its value.
        #expect(TDXStatus.allNamed.map(\.name) == table.rows.map { $0["name"] })
        #expect(try TDXStatus.allNamed.map(\.status.rawValue) == table.rows.map { try $0.integer("value") })
    }

    @Test func generatedGlobalMetadataFileMatchesTheTable() throws {
        let (table, platforms) = try GlobalMetadataTableGenerator.load(from: specsDirectory)
        let expected = try GlobalMetadataTableGenerator.swiftSource(table, platforms: platforms)
        let path = String(specsDirectory.dropLast("Specs".count)) + GlobalMetadataTableGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(GlobalMetadataTableGenerator.outputPath) is stale: run `make generate`")
        #expect(GlobalPlatform.all.map(\.name) == platforms.map(\.name))
        #expect(GlobalPlatform.default.name == "default")
    }

    @Test func badGlobalMetadataRowsAndPlatformLinesAreErrors() throws {
        let header = "field_id\tname\telements\tsize\tguest_read\tvalue\tsource\n"
        let platform = [GlobalMetadataTableGenerator.Platform(name: "default", values: [])]
        for (row, field) in [
            ("0x0800000200000000\tA\t1\t8\tyes\t1\t-\n", "size"),  // size code 2 = 4 bytes
            ("0x0810000200000000\tA\t1\t4\tyes\t1\t-\n", "field_id"),  // context TD
            ("0x0800000200000000\tA\t0\t4\tyes\t1\t-\n", "elements"),
            ("0x0800000200000000\tA\t1\t4\tmaybe\t1\t-\n", "guest_read"),
            ("0x0800000200000000\tA\t1\t4\tyes\tlots\t-\n", "value"),
        ] {
            let table = try SpecTable(text: header + row, file: "t.tsv")
            do {
                _ = try GlobalMetadataTableGenerator.swiftSource(table, platforms: platform)
                Issue.record("\(row) was accepted")
            } catch {
                #expect(error.line == 2 && error.field == field, "\(row)")
            }
        }
        // A platform that does not name every `platform` field.
        let table = try SpecTable(text: header + "0x0800000200000000\tA\t1\t4\tyes\tplatform\t-\n", file: "t.tsv")
        #expect(throws: InputError.self) { try GlobalMetadataTableGenerator.swiftSource(table, platforms: platform) }
        for (text, line) in [
            ("# platform other: A=1\n", 0),  // the first must be default
            ("# platform default: A=1\n# platform default: A=2\n", 2),  // repeated
            ("# platform default A=1\n", 1),  // no colon
            ("# platform default: A=x\n", 1),  // not a number
        ] {
            do {
                _ = try GlobalMetadataTableGenerator.platforms(text, file: "t.tsv")
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.line == (line == 0 ? nil : line), "\(text)")
            }
        }
    }

    @Test func statusRowWithDetailsOrAWrongErrorBitIsAnError() throws {
        let header = "name\tvalue\terror\tswift\tsource\n"
        for (row, field) in [
            ("TDX_X\t0xC000010000000001\tyes\tx\t-\n", "value"), ("TDX_X\t0xC000010000000000\tno\tx\t-\n", "error"),
            ("TDX_X\t0x0\tno\tX\t-\n", "swift"), ("X\t0x0\tno\tx\t-\n", "name"),
        ] {
            let table = try SpecTable(text: header + row, file: "t.tsv")
            do {
                _ = try StatusCodeTableGenerator.swiftSource(table)
                Issue.record("\(row) was accepted")
            } catch {
                #expect(error.line == 2 && error.field == field, "\(row)")
            }
        }
    }

    @Test func generatedCDefsHeaderMatchesItsSources() throws {
        let expected = try CDefsHeaderGenerator.header { file throws(InputError) in
            try SpecCatalog.load(file, from: specsDirectory)
        }
        let path = String(specsDirectory.dropLast("Specs".count)) + CDefsHeaderGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(CDefsHeaderGenerator.outputPath) is stale: run `make generate`")
    }

    /// Values worked out by hand from the ABI (leaf and status numbers in Specs/leaves.tsv and
    /// Specs/status-codes.tsv, the VM1 guest CR0 id in the comment of Specs/l2-vmcs-fields.tsv, the NUM_L2_VMS
    /// id TDG.VM.RD takes), so a generator that writes the wrong thing consistently is caught too.
    @Test func cDefsHeaderHasTheABIValues() throws {
        let header = try CDefsHeaderGenerator.header { file throws(InputError) in
            try SpecCatalog.load(file, from: specsDirectory)
        }
        let lines = header.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        /// `#define name value`, the value followed by nothing or a comment.
        func defined(_ name: String, _ value: String) -> Bool {
            lines.contains { words in
                guard words.count >= 3, words[0] == "#define", words[1] == name else { return false }
                let rest = words[2...].joined(separator: " ")
                return rest == value || rest.hasPrefix(value + " /*")
            }
        }
        #expect(defined("TDG_VP_ENTER", "25"))
        #expect(defined("TDG_MEM_PAGE_ATTR_WR", "24"))
        #expect(defined("TDH_VP_ENTER", "0"))
        #expect(defined("TDH_MEM_SEPT_ADD", "3"))
        #expect(defined("TDX_OPERAND_INVALID", "UINT64_C(0xC000010000000000)"))
        #expect(defined("TDX_OPERAND_ID_RCX", "1"))
        #expect(defined("TDX_OPERAND_ID_L2_VAPIC_GPA", "170"))
        #expect(defined("TDX_GPA_ATTR_VALID", "(1U << 15)"))
        #expect(defined("TDX_GPA_ATTR_XU", "(1U << 3)"))
        #expect(defined("TDX_L2_VMCS_GUEST_CR0", "UINT64_C(0x0000000300006800)"))
        #expect(defined("TDX_L2_VMCS_VIRTUAL_APIC_ADDRESS", "UINT64_C(0x0000000300002012)"))
        #expect(defined("TDX_MD_TD_NUM_L2_VMS", "UINT64_C(0x9010000100000005)"))
        #expect(defined("TDX_MD_VP_L2_CTLS(vm)", "(UINT64_C(0xA020000300000050) + (uint64_t)(vm))"))
        #expect(defined("VMX_EXIT_REASON_CPUID", "10"))
        #expect(defined("VMX_EXIT_REASON_HLT", "12"))
        #expect(header.contains("offsetof(struct softseam_l2_enter_guest_state, rip) == 0x88"))
    }

    @Test func readmeLeafTablesMatchTheRegistries() throws {
        let path = String(specsDirectory.dropLast("Specs".count)) + LeafTableGenerator.readmePath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        let expected = try LeafTableGenerator.rewrite(committed)
        #expect(committed == expected, "README.md's leaf tables are stale: run `make generate`")
    }

    @Test func readmeWithoutLeafTableMarkersIsAnError() {
        #expect(throws: InputError.self) { try LeafTableGenerator.rewrite("# README\n\n| leaf | name | status |\n") }
        let doubled = "<!-- leaves:tdcall:begin -->\n<!-- leaves:tdcall:end -->\n"
        #expect(throws: InputError.self) { try LeafTableGenerator.rewrite(doubled + doubled) }
    }

    @Test func malformedRowIsAnErrorWithItsLineAndColumn() throws {
        let text =
            "encoding\tname\tsize\tl1_read_mask\tl1_write_mask\treset\tattrs\tnotes\tsource\n"
            + "0x6800\tGUEST_CR0\t48\t0x0\t0x0\t0x0\t-\t-\t-\n"
        let table = try SpecTable(text: text, file: "t.tsv")
        #expect(throws: InputError.self) { try L2VMCSTableGenerator.swiftSource(table) }
        do {
            _ = try L2VMCSTableGenerator.swiftSource(table)
        } catch {
            #expect(error.line == 2 && error.field == "size")
        }
    }
}

/// The figures README.md gives for the spec tables and the trace corpus are the tables' and the corpus's.
@Suite struct ReadmeFigureTests {
    let root = String(specsDirectory.dropLast("Specs".count))

    /// The integer right before `suffix` in `text` (e.g. "808" in "(808 rows:").
    func number(before suffix: String, in text: String) -> Int? {
        guard let r = text.range(of: suffix) else { return nil }
        return Int(String(text[..<r.lowerBound].reversed().prefix { $0.isNumber }.reversed()))
    }

    @Test func specRowCountsMatchTheTables() throws {
        let readme = try String(contentsOfFile: root + "README.md", encoding: .utf8).split(
            whereSeparator: \.isWhitespace
        )
        .joined(separator: " ")
        var counts: [String: Int] = [:]
        for table in SpecCatalog.tables {
            counts[table.file] = try SpecCatalog.load(table.file, from: specsDirectory).rows.count
        }
        #expect(number(before: " rows: leaves, status codes", in: readme) == counts.values.reduce(0, +))
        #expect(number(before: " ATTR.WR cases", in: readme) == counts["attr-wr-failures.tsv"])
        #expect(number(before: " L2 VMCS fields read and written", in: readme) == counts["l2-vmcs-fields.tsv"])
        #expect(number(before: " VM-entry guest-state cases", in: readme) == counts[VMEntryCheckTable.file])
        #expect(number(before: " exit-routing cases", in: readme) == counts[ExitRoutingTable.file])
        #expect(
            number(before: " global metadata fields read", in: readme)
                == counts[GlobalMetadataTableGenerator.tableFile])
        #expect(number(before: " interrupt rules", in: readme) == counts[InterruptRulesTable.file])
    }

    @Test func traceCorpusCountsMatchTheDirectory() throws {
        let readme = try String(contentsOfFile: root + "README.md", encoding: .utf8).split(
            whereSeparator: \.isWhitespace
        )
        .joined(separator: " ")
        let traces = try FileManager.default.contentsOfDirectory(atPath: root + "Traces")
            .filter { $0.contains(".trace.") }
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: root + "Traces/scenarios")
            .filter { $0.hasSuffix(".scenario.jsonl") }
        #expect(number(before: " traces: the default demo", in: readme) == traces.count)
        #expect(number(before: " recorded from `Traces/scenarios/`", in: readme) == scenarios.count)
    }
}
