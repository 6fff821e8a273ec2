import SEAMCore
import SEAMTypes
import Testing

// The leaf registries (Sources/SEAMCore/Leaves/TDCallLeaves.swift, Host/SEAMCallLeaves.swift) against the
// dispatchers. `Machine.tdcall` keeps a switch (a call through the registry's handler cost about 80
// instructions per TDCALL) and a version gate of its own, so these tests are what keeps the switch, the gate
// and the registry one list: every leaf number 0…0xFFFF, every version 0…255.
@Suite struct LeafRegistryTests {
    /// Register files for the agreement check, drawn the way RandomSweepTests draws them: random words,
    /// GPAs of the standard TD's mapped pages with a level, attribute-shaped words and small numbers.
    static let inputs: [RegisterFile] = {
        var rng = SplitMix64(seed: 0x1EAF_7AB1E)
        func operand() -> UInt64 {
            switch rng.next() % 4 {
            case 0: rng.next()
            case 1: (rng.next() % 8) << 12 | rng.next() % 2
            case 2: rng.next() & 0x800F_800F_800F_800F
            default: rng.next() % 8
            }
        }
        return (0..<24).map { _ in
            RegisterFile(
                rax: 0, rcx: operand(), rdx: operand(), r8: operand(), r9: operand(), r10: operand(), r11: operand())
        }
    }()

    @Test func tdcallSwitchAndRegistryAgreeOnEveryLeafNumber() throws {
        let base = standardMachine()
        var m = base
        for n in 0...0xFFFF {
            let leaf = Leaf(UInt16(n))
            guard let handler = TDCallLeaves.entry(leaf)?.handler else {
                // Not in the registry, or not implemented: OPERAND_INVALID(RAX), nothing else written.
                var regs = Self.inputs[0]
                regs.rax = UInt64(n)
                var expected = regs
                expected.rax = St.operandInvalidRAX
                let outcome = try m.tdcall(vcpu: 0, &regs)
                if outcome != .completed || regs != expected {
                    Issue.record("leaf \(n), which the registry does not implement, answered \(outcome), \(regs)")
                }
                continue
            }
            // Implemented: the switch runs the registry's handler (same outcome, registers and state), and
            // not every call is refused as an unknown leaf.
            var refusedEveryCall = true
            for input in Self.inputs {
                var (viaSwitch, viaRegistry) = (base, base)
                var (switchRegs, registryRegs) = (input, input)
                switchRegs.rax = UInt64(n)
                registryRegs.rax = UInt64(n)
                let switchOutcome = try viaSwitch.tdcall(vcpu: 0, &switchRegs)
                let registryOutcome = try handler(&viaRegistry, 0, 0, &registryRegs)
                #expect(switchOutcome == registryOutcome, "\(leaf)")
                #expect(switchRegs == registryRegs, "\(leaf)")
                #expect(viaSwitch.stateHash() == viaRegistry.stateHash(), "\(leaf)")
                if switchRegs.rax != St.operandInvalidRAX { refusedEveryCall = false }
            }
            #expect(!refusedEveryCall, "\(leaf) is implemented but answers every call OPERAND_INVALID(RAX)")
        }
        #expect(m.stateHash() == base.stateHash())
    }

    @Test func tdcallAcceptsExactlyTheRegistrysVersions() throws {
        // Versions up to an implemented leaf's maxVersion reach its handler; above it, and for every leaf the
        // registry does not implement, OPERAND_INVALID(RAX) (tdx-module src/td_dispatcher/tdx_td_dispatcher.c
        // td_call).
        let base = standardMachine()
        for entry in TDCallLeaves.all {
            for version in 0...255 {
                var m = base
                var regs = RegisterFile(rax: UInt64(entry.leaf.rawValue) | UInt64(version) << 16)
                _ = try m.tdcall(vcpu: 0, &regs)
                let refused = regs.rax == St.operandInvalidRAX
                let expected = version > entry.maxVersion || !entry.isImplemented
                #expect(refused == expected, "\(entry.name) version \(version)")
            }
        }
    }

    @Test func seamcallAcceptsExactlyTheRegistrysLeavesAndVersions() {
        // tdx-module src/vmm_dispatcher/tdx_vmm_dispatcher.c: a leaf SoftSEAM does not model, or a version above the
        // leaf's highest, answers OPERAND_INVALID(RAX) and writes nothing else.
        let base = standardMachine()
        var m = base
        for n in 0...0xFFFF where SEAMCallLeaves.entry(SEAMCallLeaf(UInt16(n))) == nil {
            let r = m.host(UInt64(n), rcx: 0x1000, r8: 0x3000_0000)
            #expect(r == RegisterFile(rax: St.operandInvalidRAX, rcx: 0x1000, rdx: TDH.tdr, r8: 0x3000_0000), "\(n)")
        }
        #expect(m.stateHash() == base.stateHash())
        for entry in SEAMCallLeaves.all {
            #expect(entry.isImplemented, "\(entry.name): the host registry lists modelled leaves only")
            for version in 0...255 {
                var m = base
                let r = m.host(UInt64(entry.leaf.rawValue) | UInt64(version) << 16)
                #expect((r.rax == St.operandInvalidRAX) == (version > entry.maxVersion), "\(entry.name) v\(version)")
            }
        }
    }

    @Test func listingsDeriveFromTheRegistry() {
        // tdx-module include/tdx_api_defs.h tdcall_leaf_opcode_e: 1.5.01 defines 21 leaves.
        #expect(ModuleProfile.default.leaves == Set(TDCallLeaves.all.map(\.leaf)))
        #expect(ModuleProfile.default.leaves.count == 21)
        #expect(Machine.implementedLeaves == Set(TDCallLeaves.all.filter(\.isImplemented).map(\.leaf)))
        #expect(TDCallLeaves.all.map(\.leaf.rawValue) == TDCallLeaves.all.map(\.leaf.rawValue).sorted())
        #expect(SEAMCallLeaves.all.map(\.leaf.rawValue) == SEAMCallLeaves.all.map(\.leaf.rawValue).sorted())
        for entry in TDCallLeaves.all {
            #expect(entry.leaf.name == entry.name && "\(entry.leaf)" == entry.name)
            #expect(entry.summary.hasPrefix("implemented") == entry.isImplemented, "\(entry.name)")
        }
        for entry in SEAMCallLeaves.all {
            #expect(entry.leaf.name == entry.name && "\(entry.leaf)" == entry.name)
            #expect(entry.summary.hasPrefix("implemented"), "\(entry.name)")
        }
        #expect("\(Leaf(24))" == "TDG.MEM.PAGE.ATTR.WR" && "\(Leaf(13))" == "TDCALL leaf 13")
        #expect("\(SEAMCallLeaf(3))" == "TDH.MEM.SEPT.ADD" && "\(SEAMCallLeaf(1))" == "SEAMCALL leaf 1")
    }
}
