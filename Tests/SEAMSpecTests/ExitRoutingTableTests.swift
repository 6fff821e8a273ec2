import SEAMCore
import SEAMFormats
import SEAMSpec
import SEAMTypes
import Testing

// Specs/exit-routing.tsv: the table itself and its cell languages. Each row is also a case of SpecTableTests'
// `modelAgreesWithSpecRow`, which runs `ExitRoutingTable.check` through ConformanceRunner.
@Suite struct ExitRoutingTableTests {
    /// A one-row table in the exit-routing format; `cells` are id … checks, `source` is added.
    func row(_ cells: [String]) throws -> SpecTable.Row {
        let header = (ExitRoutingTable.columns + ["source"]).joined(separator: "\t")
        let text = "# test\n" + header + "\n" + (cells + ["§5.1"]).joined(separator: "\t") + "\n"
        return try SpecTable(text: text, file: ExitRoutingTable.file, required: ExitRoutingTable.columns).rows[0]
    }

    /// The error `parse` throws for `cells`, or nil.
    func parseError(_ cells: [String]) throws -> InputError? {
        let r = try row(cells)
        do {
            _ = try ExitRoutingTable.parse(r)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyRowParsesAndIdsAreUnique() throws {
        let table = try ExitRoutingTable.load(from: specsDirectory)
        #expect(table.rows.count >= 40)
        var ids: Set<String> = []
        for r in table.rows {
            _ = try ExitRoutingTable.parse(r)
            #expect(ids.insert(r["id"]).inserted, "\(r): duplicate id \(r["id"])")
        }
    }

    @Test func everyRouteIsUsed() throws {
        let routes = Set(try ExitRoutingTable.load(from: specsDirectory).rows.map { $0["route"] })
        for r in ExitRoutingTable.Route.allCases { #expect(routes.contains(r.rawValue), "no row with route \(r)") }
    }

    @Test func unknownEventNamesFileLineAndColumn() throws {
        let e = try parseError(["x", "cpuidd", "-", "l1", "10", "-"])
        #expect(e?.file == "exit-routing.tsv")
        #expect(e?.line == 3)
        #expect(e?.field == "event")
    }

    @Test func badEventOperandsAreErrors() throws {
        for event in ["io out 0x3f8 3", "io 0x3f8 1", "rdmsr", "exception 2", "read 0x5000 size=9", "exit 10 foo=1"] {
            #expect(try parseError(["x", event, "-", "l1", "10", "-"])?.field == "event", "\(event)")
        }
    }

    @Test func badSetupItemsNameTheSetupColumn() throws {
        for setup in [
            "colour=1", "alias=rw", "cr0_mask=zz", "msr_bitmap_clear=0x40000000:r", "mode=real", "vmcs.0x1=1",
        ] {
            #expect(try parseError(["x", "cpuid", setup, "l1", "10", "-"])?.field == "setup", "\(setup)")
        }
    }

    @Test func badChecksNameTheChecksColumn() throws {
        // A plain register on a route without exit registers, a bad range, a value wider than its range.
        for (route, reason, checks) in [
            ("module", "-", "rax=0"), ("l1", "10", "rcx[3:5]=0"), ("l1", "10", "rcx.lo=0x100000000"),
        ] {
            #expect(try parseError(["x", "cpuid", "-", route, reason, checks])?.field == "checks", "\(checks)")
        }
    }

    @Test func exitReasonMustMatchTheRoute() throws {
        #expect(try parseError(["x", "cpuid", "-", "l1", "-", "-"])?.field == "exit_reason")
        #expect(try parseError(["x", "cpuid", "-", "module", "10", "-"])?.field == "exit_reason")
        #expect(try parseError(["x", "cpuid", "-", "elsewhere", "10", "-"])?.field == "route")
    }

    /// SDM 3C 25.6.9: the write-high quarter starts at bit 0x6000, so EFER (0xC0000080) is bit 0x6080 = word
    /// 0x182, bit 0; the class-37 field ID of VM1 is 0x2520000300000000 + word (tdx-module
    /// include/auto_gen/tdvps_fields_lookup.h, MD_TDVPS_L2_MSR_BITMAPS_1_FIELD_ID).
    @Test func msrBitmapClearWritesTheRightWordAndBit() throws {
        let c = try ExitRoutingTable.parse(
            try row(["x", "wrmsr 0xc0000080 0x900", "msr_bitmap_clear=0xc0000080:w", "module", "-", "-"]))
        #expect(
            c.setup == [
                .vpWrite(fieldID: 0x2520_0003_0000_0182, value: 0, mask: 1, label: "msr_bitmap_clear=0xc0000080:w")
            ])
        // Read of MSR 0x10: read-low quarter, bit 0x10 = word 0, bit 16.
        let r = try ExitRoutingTable.parse(try row(["x", "rdmsr 0x10", "msr_bitmap_clear=0x10:r", "l2", "-", "-"]))
        #expect(
            r.setup == [
                .vpWrite(fieldID: 0x2520_0003_0000_0000, value: 0, mask: 1 << 16, label: "msr_bitmap_clear=0x10:r")
            ])
    }

    @Test func eventsSetRegistersBeforeTheInstruction() throws {
        let c = try ExitRoutingTable.parse(
            try row(["x", "wrmsr 0xc0000080 0x100000900 rbx=0x5", "-", "l1", "32", "-"]))
        #expect(
            c.events == [
                .setRegister(3, 5), .setRegister(1, 0xC000_0080), .setRegister(0, 0x900), .setRegister(2, 1), .wrmsr,
            ])
    }

    @Test func aRowTheModelDisagreesWithSaysWhat() throws {
        // CPUID is an L2→L1 exit (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c), not a TD exit.
        let problem = try ExitRoutingTable.check(try row(["cpuid-to-host", "cpuid", "-", "host", "10", "-"]))
        #expect(problem?.hasPrefix("cpuid-to-host: the event gave an L2→L1 exit") == true, "\(problem ?? "nil")")
    }
}
