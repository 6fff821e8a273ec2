/// The guest activity state, a 32-bit VMCS guest-state field (SDM Vol. 3C §25.4.2, "Activity state").
public struct ActivityState: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// 0: executing instructions normally.
    @inlinable public static var active: ActivityState { ActivityState(rawValue: 0) }
    /// 1: halted by HLT.
    @inlinable public static var hlt: ActivityState { ActivityState(rawValue: 1) }
    /// 2: shut down after a triple fault.
    @inlinable public static var shutdown: ActivityState { ActivityState(rawValue: 2) }
    /// 3: waiting for a startup IPI.
    @inlinable public static var waitForSIPI: ActivityState { ActivityState(rawValue: 3) }
}
