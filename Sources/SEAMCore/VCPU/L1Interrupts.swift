import SEAMTypes

/// 256 bits, one per interrupt vector: an IRR, ISR or a posted-interrupt descriptor's PIR.
public struct VectorBits: Hashable, Sendable, Codable {
    /// Vectors 0…63, 64…127, 128…191, 192…255.
    public var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    public init() {}

    /// The set of `vectors`.
    public init(_ vectors: some Sequence<UInt8>) {
        for v in vectors { self[v] = true }
    }

    public subscript(vector: UInt8) -> Bool {
        get { word(Int(vector >> 6)) >> UInt64(vector & 63) & 1 != 0 }
        set {
            let bit: UInt64 = 1 << UInt64(vector & 63)
            let w = newValue ? word(Int(vector >> 6)) | bit : word(Int(vector >> 6)) & ~bit
            setWord(Int(vector >> 6), w)
        }
    }

    /// Word `n` (0…3).
    public func word(_ n: Int) -> UInt64 {
        switch n {
        case 0: w0
        case 1: w1
        case 2: w2
        default: w3
        }
    }

    mutating func setWord(_ n: Int, _ value: UInt64) {
        switch n {
        case 0: w0 = value
        case 1: w1 = value
        case 2: w2 = value
        default: w3 = value
        }
    }

    public var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 }

    /// The highest vector set, or nil.
    public var highest: UInt8? {
        for n in stride(from: 3, through: 0, by: -1) where word(n) != 0 {
            return UInt8(n * 64 + 63 - word(n).leadingZeroBitCount)
        }
        return nil
    }

    /// The vectors set, lowest first.
    public var vectors: [UInt8] { (0...255).map(UInt8.init).filter { self[$0] } }

    mutating func formUnion(_ other: VectorBits) {
        w0 |= other.w0
        w1 |= other.w1
        w2 |= other.w2
        w3 |= other.w3
    }
}

/// L1's virtual APIC as the CPU's APIC virtualization keeps it (SDM Vol. 3C §30.1 "Virtual APIC state"):
/// the virtual IRR and ISR (256 bits each, in the virtual-APIC page), VTPR, VPPR, and RVI/SVI (L1's TD-VMCS
/// guest interrupt status). L1 itself is not executed: `L1Interrupts` and `Machine` carry out what the CPU
/// does when a virtual interrupt is delivered (§30.2.2), at EOI (§30.1.4) and on a TPR write (§30.1.2).
///
/// `ppr` is kept, not computed: PPR virtualization (§30.1.3) sets it from VTPR and SVI whenever one of them
/// changes, and `Machine.setL1VirtualInterruptState` may set it directly (the C ABI's
/// `softseam_set_l1_interrupt_state`), as software writing the virtual-APIC page would; the next TPR write,
/// delivery or EOI recomputes it.
public struct L1VirtualAPIC: Hashable, Sendable, Codable {
    /// VIRR: requested, not yet delivered vectors.
    public internal(set) var irr = VectorBits()
    /// VISR: vectors in service.
    public internal(set) var isr = VectorBits()
    /// VTPR (bits 7:0 of the virtual TPR).
    public internal(set) var tpr: UInt8 = 0
    /// RVI: guest interrupt status bits 7:0, the highest-priority requested vector.
    public internal(set) var rvi: UInt8 = 0
    /// SVI: guest interrupt status bits 15:8, the highest vector in service.
    public internal(set) var svi: UInt8 = 0
    /// VPPR.
    public internal(set) var ppr: UInt8 = 0

    public init() {}

    /// A virtual interrupt is recognized (SDM §30.2.1): RVI[7:4] > VPPR[7:4]. TDG.VP.ENTER's PENDING_INTERRUPT
    /// check is this same compare (module `src/td_transitions/tdg_vp_enter.c`).
    @inline(__always) public var hasDeliverable: Bool { rvi >> 4 > ppr >> 4 }

    /// PPR virtualization (SDM §30.1.3): VTPR when its class is at least SVI's, else SVI's class.
    mutating func updatePPR() {
        ppr = tpr >> 4 >= svi >> 4 ? tpr : svi & 0xF0
    }

    /// Virtual-interrupt delivery (SDM §30.2.2) of vector RVI: VISR[V] = 1, SVI = V, PPR virtualization,
    /// VIRR[V] = 0, RVI = the highest vector left in VIRR (0 when none). Returns V; nil when none is recognized.
    mutating func deliver() -> UInt8? {
        guard hasDeliverable else { return nil }
        let v = rvi
        isr[v] = true
        svi = v
        updatePPR()
        irr[v] = false
        rvi = irr.highest ?? 0
        return v
    }

    /// EOI virtualization (SDM §30.1.4): VISR[SVI] = 0, SVI = the highest vector left in VISR (0 when none),
    /// PPR virtualization. (L1's EOI-exit bitmap is all zeros: no EOI-induced exit.)
    mutating func eoi() {
        isr[svi] = false
        svi = isr.highest ?? 0
        updatePPR()
    }

    /// TPR virtualization (SDM §30.1.2): VTPR = `value`, PPR virtualization.
    mutating func writeTPR(_ value: UInt8) {
        tpr = value
        updatePPR()
    }
}

/// The posted-interrupt descriptor the host points L1's TD VMCS at (SDM Vol. 3C §30.6 "Posted-interrupt
/// processing"): PIR, one request bit per vector, and ON, the outstanding-notification bit.
///
/// SoftSEAM has no host physical addresses: the descriptor at the PID address the host wrote with TDH.VP.WR
/// (`L1TDVMCS.pidAddress`) is this per-vCPU state, which only the host's `post_interrupt` step writes and the
/// CPU (L1 running) or the module (L2 running; `src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c`) drains.
public struct PostedInterruptDescriptor: Hashable, Sendable, Codable {
    public internal(set) var pir = VectorBits()
    public internal(set) var on = false

    public init() {}
}

/// L1's interrupt state on one vCPU: its virtual APIC, the host's posted-interrupt descriptor and the TDVPS
/// PEND_NMI field the host writes with TDH.VP.WR (field 0x202000000000000B, module
/// `include/auto_gen/tdvps_fields_lookup.c`).
///
/// Hashed as records of the vCPU digest that are absent at reset (`hashRecords`), except RVI and PPR, which
/// keep their place in the vCPU's hash words (`VCPU.fillHashWords`), so a vCPU that never took an interrupt
/// hashes as before this state existed.
public struct L1Interrupts: Hashable, Sendable, Codable {
    public internal(set) var apic = L1VirtualAPIC()
    public internal(set) var pid = PostedInterruptDescriptor()
    /// PEND_NMI (one byte): non-zero while the host's NMI request waits for the module to inject it.
    public internal(set) var pendNMI: UInt8 = 0

    public init() {}

    /// Sum of the records (kind 12 of `StateHash.vcpuKey`) of the values that are not 0: VIRR words (items
    /// 0–3), VISR words (4–7), PIR words (8–11), VTPR | SVI << 8 | ON << 16 | PEND_NMI << 24 (12).
    func hashRecords(vcpu: Int) -> UInt64 {
        guard self != L1Interrupts() else { return 0 }
        var d: UInt64 = 0
        func add(_ item: Int, _ w: UInt64) {
            if w != 0 { d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 12, vcpu: vcpu, vm: 0, item: item), w) }
        }
        for n in 0..<4 {
            add(n, apic.irr.word(n))
            add(4 + n, apic.isr.word(n))
            add(8 + n, pid.pir.word(n))
        }
        add(
            12,
            UInt64(apic.tpr) | UInt64(apic.svi) << 8 | (pid.on ? 1 << 16 : 0) | UInt64(pendNMI) << 24)
        return d
    }
}
