/// Exception vectors, as the SDM's mnemonics name them (SDM Vol. 3A §6.2, Table 6-1 "Protected-Mode
/// Exceptions and Interrupts"; the module's `exception_t` in `src/common/x86_defs/x86_defs.h`). Constants, not a
/// type: L2 events and the exception bitmap carry vectors as integers.
public enum ExceptionVector {
    /// 1, #DB: debug exception.
    @inlinable public static var db: UInt8 { 1 }
    /// 2, NMI: nonmaskable interrupt.
    @inlinable public static var nmi: UInt8 { 2 }
    /// 13, #GP: general protection.
    @inlinable public static var gp: UInt8 { 13 }
    /// 14, #PF: page fault.
    @inlinable public static var pf: UInt8 { 14 }
    /// 18, #MC: machine check.
    @inlinable public static var mc: UInt8 { 18 }
}
