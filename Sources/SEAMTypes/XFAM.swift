/// The TD's XFAM, the extended features it may use, as an XCR0 / IA32_XSS state-component bitmap (SDM Vol. 1
/// §13.1; the module's `ia32_xcr0_t` in `src/common/x86_defs/x86_defs.h`).
public struct XFAM: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, x87 state.
    @inlinable public static var x87: XFAM { XFAM(1 << 0) }
    /// Bit 1, SSE state.
    @inlinable public static var sse: XFAM { XFAM(1 << 1) }
    /// Bit 2, AVX state.
    @inlinable public static var avx: XFAM { XFAM(1 << 2) }
    /// Bit 3, MPX BNDREG state.
    @inlinable public static var mpxBNDREG: XFAM { XFAM(1 << 3) }
    /// Bit 4, MPX BNDCSR state.
    @inlinable public static var mpxBNDCSR: XFAM { XFAM(1 << 4) }
    /// Bit 5, AVX-512 opmask state.
    @inlinable public static var avx512Opmask: XFAM { XFAM(1 << 5) }
    /// Bit 6, AVX-512 ZMM_Hi256 state.
    @inlinable public static var avx512ZMMHi256: XFAM { XFAM(1 << 6) }
    /// Bit 7, AVX-512 Hi16_ZMM state.
    @inlinable public static var avx512Hi16ZMM: XFAM { XFAM(1 << 7) }
    /// Bit 8, PT: Intel Processor Trace state.
    @inlinable public static var pt: XFAM { XFAM(1 << 8) }
    /// Bit 9, PK: the PKRU state (user protection keys).
    @inlinable public static var pk: XFAM { XFAM(1 << 9) }
    /// Bit 10, ENQCMD: the PASID state.
    @inlinable public static var enqcmd: XFAM { XFAM(1 << 10) }
    /// Bit 11, CET_U: user-mode CET state.
    @inlinable public static var cetU: XFAM { XFAM(1 << 11) }
    /// Bit 12, CET_S: supervisor-mode CET state.
    @inlinable public static var cetS: XFAM { XFAM(1 << 12) }
    /// Bit 13, HDC state.
    @inlinable public static var hdc: XFAM { XFAM(1 << 13) }
    /// Bit 14, ULI: user-interrupt (UINTR) state.
    @inlinable public static var uli: XFAM { XFAM(1 << 14) }
    /// Bit 15, LBR: architectural LBR state.
    @inlinable public static var lbr: XFAM { XFAM(1 << 15) }
    /// Bit 16, HWP state.
    @inlinable public static var hwp: XFAM { XFAM(1 << 16) }
    /// Bit 17, AMX XTILECFG state.
    @inlinable public static var amxXTileCfg: XFAM { XFAM(1 << 17) }
    /// Bit 18, AMX XTILEDATA state.
    @inlinable public static var amxXTileData: XFAM { XFAM(1 << 18) }

    /// CET_U and CET_S.
    @inlinable public static var cet: XFAM { XFAM(1 << 11 | 1 << 12) }
}
