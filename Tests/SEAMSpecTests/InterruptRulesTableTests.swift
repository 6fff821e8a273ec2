import SEAMCore
import SEAMFormats
import SEAMSpec
import SEAMTypes
import Testing

// Specs/interrupt-rules.tsv: the table itself and its step and expectation languages. Each row is also a case of
// SpecTableTests' `modelAgreesWithSpecRow`, which runs `InterruptRulesTable.check` through ConformanceRunner.
@Suite struct InterruptRulesTableTests {
    /// A one-row table in the interrupt-rules format; `cells` are id … expect, `source` is added.
    func row(_ cells: [String]) throws -> SpecTable.Row {
        let header = (InterruptRulesTable.columns + ["source"]).joined(separator: "\t")
        let text = "# test\n" + header + "\n" + (cells + ["SDM 3C 30.6"]).joined(separator: "\t") + "\n"
        return try SpecTable(text: text, file: InterruptRulesTable.file, required: InterruptRulesTable.columns).rows[0]
    }

    /// A row with these `who`, `steps` and `expect` cells.
    func row(who: String = "host", steps: String, expect: String) throws -> SpecTable.Row {
        try row(["x", who, "posted interrupt", "0x30", "L1 runs", steps, expect])
    }

    /// The column `parse` names for the row, or nil when it parses.
    func badField(_ r: SpecTable.Row) -> (line: Int?, field: String?)? {
        do {
            _ = try InterruptRulesTable.parse(r)
            return nil
        } catch {
            return (error.line, error.field)
        }
    }

    @Test func everyRowParsesIdsAreUniqueAndEveryInjectorAppears() throws {
        let table = try InterruptRulesTable.load(from: specsDirectory)
        #expect(table.rows.count >= 30)
        var ids: Set<String> = []
        for r in table.rows {
            _ = try InterruptRulesTable.parse(r)
            #expect(ids.insert(r["id"]).inserted, "\(r): duplicate id \(r["id"])")
        }
        let who = Set(table.rows.map { $0["who"] })
        for w in InterruptRulesTable.injectors { #expect(who.contains(w), "no row where \(w) injects") }
    }

    @Test func badCellsNameFileLineAndColumn() throws {
        let e = badField(try row(who: "guest", steps: "pi", expect: "result=none"))
        #expect(e?.line == 3 && e?.field == "who")
        for steps in [
            "pie", "post", "post 0x100", "host_wr colour=1", "l1_state rvi=1", "wr cr0_mask", "enter rip=1",
            "l2 cpuidd", "poke 0x10", "host_enter now", "pi;;pi",
        ] {
            #expect(badField(try row(steps: steps, expect: "result=none"))?.field == "steps", "\(steps)")
        }
        for expect in [
            "result=maybe", "l1.rvi", "status=TDX_NOPE", "deliveries=1:0x30:external:entry", "rax=zz", "colour=1",
            "pid.on=1",
        ] {
            #expect(badField(try row(steps: "pi", expect: expect))?.field == "expect", "\(expect)")
        }
        #expect(badField(try row(["x", "host", "-", "0x30", "L1 runs", "pi", "result=none"]))?.field == "how")
    }

    @Test func stepsParseIntoTheirParts() throws {
        let c = try InterruptRulesTable.parse(
            try row(
                steps:
                    "pi;post 5,0x31;post_quiet 0x40;host_enter resume_l1;enter rflags=0x2 status=0x30;l2 during_delivery extint 0xf2",
                expect: "result=l1;deliveries=1:0x30:external:entry:2;l1.rvi=0x31"))
        #expect(
            c.steps == [
                .enablePostedInterrupts, .post(vectors: [5, 0x31], notify: true), .post(vectors: [0x40], notify: false),
                .hostEnter(resumeL1: true), .enter(rflags: 2, status: 0x30),
                .l2([.duringDelivery(.externalInterrupt(vector: 0xF2))]),
            ])
        #expect(c.deliveries == [Delivery(vm: 1, info: InterruptionInfo(0x8000_0030), via: .entryInjection, count: 2)])
    }

    /// Hand-worked: posting 0x1F while L2 runs raises L1's RVI to 0x1F (≥ 31; tdx-module
    /// src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c), so a row claiming RVI stays 0 must be reported.
    @Test func aRowTheModelDisagreesWithSaysWhat() throws {
        let problem = try InterruptRulesTable.check(
            try row([
                "post-31", "module", "notification", "0x1F", "L2 runs", "pi;enter;post 0x1f", "result=l1;l1.rvi=0",
            ]))
        #expect(problem == "post-31: l1.rvi is 0x1f, expected 0", "\(problem ?? "nil")")
        let result = try InterruptRulesTable.check(
            try row(["post-31", "module", "notification", "0x1F", "L2 runs", "pi;enter;post 0x1f", "result=module"]))
        #expect(result?.hasPrefix("post-31: the last step gave l1") == true, "\(result ?? "nil")")
    }
}
