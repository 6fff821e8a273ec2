/// One event delivered to a VM's guest: an interrupt, NMI or exception that reached L1's or an L2's IDT
/// handler. A step's outcome carries the delivery it caused (`StepOutcome.delivery`), so a trace shows each
/// event, the VM it reached, how it got there and how many times that same event has now been delivered.
///
///     L1 sets RVI ────────────────▶ virtual-interrupt delivery (SDM Vol. 3C §30.2.2) ──▶ L2's handler
///     L1 writes VM-entry interruption information (TDG.VP.WR 0x4016) ──▶ injected at VM entry (§27.6)
///     an exit during delivery (IDT-vectoring information) ──▶ the module re-injects it when it resumes L2
///     the host's posted interrupt / PEND_NMI ──▶ L1
public struct Delivery: Hashable, Sendable, Codable {
    /// How the event reached the guest. The raw value is its code in the binary trace form (Traces/FORMAT.md).
    public enum Via: UInt8, CaseIterable, Hashable, Sendable, Codable {
        /// The CPU's virtual-interrupt delivery: RVI's class above the virtual PPR's, the guest interruptible.
        case virtualInterrupt = 0
        /// Injected at VM entry from the VM-entry interruption-information field L1 wrote.
        case entryInjection = 1
        /// Re-injected at VM entry by the module from the IDT-vectoring information an exit left (the module
        /// resumed L2 itself, or the host re-entered L2 without RESUME_L1).
        case reinjection = 2
        /// The host's PEND_NMI, injected into L1 by the module.
        case pendingNMI = 3

        /// The trace spelling.
        public var name: String {
            switch self {
            case .virtualInterrupt: "virtual_interrupt"
            case .entryInjection: "entry"
            case .reinjection: "reinjection"
            case .pendingNMI: "pend_nmi"
            }
        }

        public init?(name: String) {
            guard let v = Via.allCases.first(where: { $0.name == name }) else { return nil }
            self = v
        }
    }

    /// The VM whose guest took the event: 0 = L1, 1…3 = an L2 VM.
    public var vm: Int
    /// The event in the VMCS's interruption-information format: vector, type, error-code bit, valid (bits
    /// 30:12 are dropped).
    public var info: InterruptionInfo
    /// The error code pushed, when `info` says one is (else 0).
    public var errorCode: UInt32
    public var via: Via
    /// How many times this event has been delivered, this delivery included. 1 is normal; 2 or more is an
    /// event delivered again — e.g. an event the module re-injected from IDT-vectoring information that L1
    /// also injected through the VM-entry interruption-information field.
    public var count: UInt32

    public init(vm: Int, info: InterruptionInfo, errorCode: UInt32 = 0, via: Via, count: UInt32 = 1) {
        self.vm = vm
        self.info = InterruptionInfo(info.rawValue & 0xFFF | InterruptionInfo.validBit)
        self.errorCode = errorCode
        self.via = via
        self.count = count
    }

    /// The vector delivered.
    public var vector: UInt8 { UInt8(truncatingIfNeeded: info.vector) }
}

extension InterruptionInfo.InterruptionType {
    /// The trace spelling of the type (Traces/FORMAT.md).
    public var name: String {
        switch rawValue {
        case 0: "external"
        case 2: "nmi"
        case 3: "hardware_exception"
        case 4: "software_interrupt"
        case 5: "privileged_software_exception"
        case 6: "software_exception"
        case 7: "other"
        default: "reserved"
        }
    }

    /// The type spelled `name`, or nil.
    public init?(name: String) {
        guard let v = (0..<8).first(where: { InterruptionInfo.InterruptionType(rawValue: UInt32($0)).name == name }),
            name != "reserved"
        else { return nil }
        self.init(rawValue: UInt32(v))
    }
}

/// Coded as its raw 32 bits.
extension InterruptionInfo: Codable {}
