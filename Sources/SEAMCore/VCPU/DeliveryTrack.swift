import SEAMTypes

/// What the model follows of the last event delivered to one L2 VM, to count how many times that same event
/// reaches the guest (`Delivery.count`) and to know which event a `during_delivery` exit interrupted.
///
///     delivered ──▶ delivering (no L2 event since) ──▶ next L2 event: completed
///                                                  └──▶ during_delivery exit: interrupted — the count goes
///                                                       back, the event is in IDT-vectoring information and
///                                                       its window opens
///     window open: delivering the same event again — the module's re-injection, or L1 injecting it through
///     the VM-entry interruption information — counts on (the second completed delivery is count 2: a double
///     delivery). The window closes when L1 enters the VM without injecting that event, or injects another.
///
/// Hashed as records of the vCPU digest (kind 9, item 4·vm and 4·vm + 1) that are absent while the track is
/// empty, so a VM that never took an event hashes as before deliveries existed.
public struct DeliveryTrack: Hashable, Sendable, Codable {
    /// The event (interruption information, valid bit set); 0 for none.
    public internal(set) var info: UInt32 = 0
    public internal(set) var errorCode: UInt32 = 0
    /// Deliveries of the event, the one in progress included.
    public internal(set) var deliveries: UInt32 = 0
    /// Bit 0: delivering (no L2 event ran since the delivery); bit 1: window open (the event was left in
    /// IDT-vectoring information).
    public internal(set) var flags: UInt8 = 0

    static let delivering: UInt8 = 1
    static let window: UInt8 = 2

    public var isDelivering: Bool { flags & DeliveryTrack.delivering != 0 }
    public var isWindowOpen: Bool { flags & DeliveryTrack.window != 0 }

    /// A delivery of `info` begins; returns its count.
    mutating func delivered(_ event: InterruptionInfo, errorCode code: UInt32) -> UInt32 {
        if isWindowOpen && event.rawValue == info && code == errorCode {
            deliveries &+= 1
        } else {
            self = DeliveryTrack(info: event.rawValue, errorCode: code, deliveries: 1, flags: 0)
        }
        flags |= DeliveryTrack.delivering
        return deliveries
    }

    /// The delivery in progress completed.
    mutating func completed() { flags &= ~DeliveryTrack.delivering }

    /// The delivery in progress VM-exited: it did not happen, and the event waits in IDT-vectoring information.
    mutating func interrupted() {
        deliveries &-= 1
        flags = DeliveryTrack.window
    }

    /// L1 enters the VM injecting `injected` (nil: nothing): a window on another event closes.
    mutating func closeWindow(unlessInjecting injected: (InterruptionInfo, UInt32)?) {
        guard isWindowOpen, deliveries > 0 else { return }
        if let (event, code) = injected, event.rawValue == info, code == errorCode { return }
        flags &= ~DeliveryTrack.window
    }

    init(info: UInt32 = 0, errorCode: UInt32 = 0, deliveries: UInt32 = 0, flags: UInt8 = 0) {
        self.info = info
        self.errorCode = errorCode
        self.deliveries = deliveries
        self.flags = flags
    }

    func hashRecords(vcpu: Int, vm: Int) -> UInt64 {
        var d: UInt64 = 0
        let event = UInt64(info) | UInt64(errorCode) << 32
        let count = UInt64(deliveries) | UInt64(flags) << 32
        if event != 0 { d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 9, vcpu: vcpu, vm: vm, item: 0), event) }
        if count != 0 { d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 9, vcpu: vcpu, vm: vm, item: 1), count) }
        return d
    }
}

/// The tracks of L2 VMs 1…3, inline (no allocation).
public struct DeliveryTracks: Hashable, Sendable, Codable {
    var vm1 = DeliveryTrack(), vm2 = DeliveryTrack(), vm3 = DeliveryTrack()

    public subscript(vm: Int) -> DeliveryTrack {
        @inline(__always) get {
            switch vm {
            case 1: vm1
            case 2: vm2
            default: vm3
            }
        }
        @inline(__always) set {
            switch vm {
            case 1: vm1 = newValue
            case 2: vm2 = newValue
            default: vm3 = newValue
            }
        }
    }

    func hashRecords(vcpu: Int) -> UInt64 {
        guard self != DeliveryTracks() else { return 0 }
        return vm1.hashRecords(vcpu: vcpu, vm: 1) &+ vm2.hashRecords(vcpu: vcpu, vm: 2)
            &+ vm3.hashRecords(vcpu: vcpu, vm: 3)
    }
}
