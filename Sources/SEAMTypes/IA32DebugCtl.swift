/// The IA32_DEBUGCTL MSR, 0x1D9 (SDM Vol. 3B §17.4.1, Figure 17-3; the module's `ia32_debugctl_t` in
/// `src/common/x86_defs/msr_defs.h`). Bits 5:3 and 63:16 are reserved.
public struct IA32DebugCtl: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, LBR: last-branch recording.
    @inlinable public static var lbr: IA32DebugCtl { IA32DebugCtl(1 << 0) }
    /// Bit 1, BTF: single-step on branches.
    @inlinable public static var btf: IA32DebugCtl { IA32DebugCtl(1 << 1) }
    /// Bit 2, bus-lock detection.
    @inlinable public static var busLockDetect: IA32DebugCtl { IA32DebugCtl(1 << 2) }
    /// Bit 6, TR: branch trace messages.
    @inlinable public static var tr: IA32DebugCtl { IA32DebugCtl(1 << 6) }
    /// Bit 7, BTS: branch trace store.
    @inlinable public static var bts: IA32DebugCtl { IA32DebugCtl(1 << 7) }
    /// Bit 8, BTINT.
    @inlinable public static var btint: IA32DebugCtl { IA32DebugCtl(1 << 8) }
    /// Bit 9, BTS_OFF_OS.
    @inlinable public static var btsOffOS: IA32DebugCtl { IA32DebugCtl(1 << 9) }
    /// Bit 10, BTS_OFF_USR.
    @inlinable public static var btsOffUSR: IA32DebugCtl { IA32DebugCtl(1 << 10) }
    /// Bit 11, FREEZE_LBRS_ON_PMI.
    @inlinable public static var freezeLBRsOnPMI: IA32DebugCtl { IA32DebugCtl(1 << 11) }
    /// Bit 12, FREEZE_PERFMON_ON_PMI.
    @inlinable public static var freezePerfmonOnPMI: IA32DebugCtl { IA32DebugCtl(1 << 12) }
    /// Bit 13, ENABLE_UNCORE_PMI.
    @inlinable public static var enableUncorePMI: IA32DebugCtl { IA32DebugCtl(1 << 13) }
    /// Bit 14, FREEZE_WHILE_SMM.
    @inlinable public static var freezeWhileSMM: IA32DebugCtl { IA32DebugCtl(1 << 14) }
    /// Bit 15, RTM_DEBUG.
    @inlinable public static var rtmDebug: IA32DebugCtl { IA32DebugCtl(1 << 15) }

    /// Every bit above: bits 2:0 and 15:6.
    @inlinable public static var defined: IA32DebugCtl { IA32DebugCtl(0xFFC7) }
}
