import CSoftSEAM
import SoftSEAMC
import Testing

/// softseam.h: a handle `softseam_destroy` freed, or one `softseam_create` never returned, is undefined
/// behaviour — and a debug build of the library refuses it with SOFTSEAM_EINVAL and a message naming the
/// call. `swift test` builds debug; under `-c release` there is no check to test.
@Suite struct HandleRegistryTests {
    /// One vCPU, one L2 VM, one mapped private page (the config keys of DESIGN.md).
    static let config =
        #"{"num_l2_vms":1,"vcpus":1,"gpaw":48,"module":"1.5.01","#
        + #""memory":[{"gpa":"0x100000","size":"0x1000","state":"mapped"}]}"#

    static func create() throws -> OpaquePointer {
        try #require(softseam_create(config, nil, 0))
    }

    static var lastError: String { String(cString: softseam_last_error(nil)!) }

    /// TDG.VP.INFO (leaf 1, tdx-module include/tdx_api_defs.h) on vCPU 0: the call's C result.
    static func vpInfo(_ m: OpaquePointer?) -> Int32 {
        var regs = softseam_regs_t()
        regs.rax = 1
        return softseam_tdcall(m, 0, &regs)
    }

    #if DEBUG
        @Test func aDestroyedHandleIsRefusedWithEINVAL() throws {
            let m = try Self.create()
            let other = try Self.create()
            #expect(Self.vpInfo(m) == SOFTSEAM_OK)
            softseam_destroy(m)

            #expect(Self.vpInfo(m) == SOFTSEAM_EINVAL)
            #expect(Self.lastError.hasPrefix("softseam_tdcall: ") && Self.lastError.contains("not a live machine"))
            var regs = softseam_regs_t()
            #expect(softseam_seamcall(m, &regs) == SOFTSEAM_EINVAL)
            #expect(Self.lastError.hasPrefix("softseam_seamcall: "))
            var byte: UInt8 = 0
            #expect(softseam_mem_read(m, 0x10_0000, &byte, 1) == SOFTSEAM_EINVAL)
            #expect(softseam_set_l2_event_limit(m, 10) == SOFTSEAM_EINVAL)
            // Functions that return a value return 0 and say why (header, "Results").
            #expect(softseam_state_hash(m) == 0)
            #expect(Self.lastError.hasPrefix("softseam_state_hash: "))
            #expect(softseam_vcpu_count(m) == 0)
            // A second destroy frees nothing; binding it binds nothing.
            softseam_destroy(m)
            #expect(Self.lastError.hasPrefix("softseam_destroy: "))
            softseam_bind_current(m, 0)
            #expect(Self.lastError.hasPrefix("softseam_bind_current: "))

            // The machine created beside it is untouched.
            #expect(Self.vpInfo(other) == SOFTSEAM_OK)
            softseam_destroy(other)
            #expect(Self.vpInfo(other) == SOFTSEAM_EINVAL)
        }

        @Test func aHandleSoftseamCreateNeverReturnedIsRefusedWithEINVAL() throws {
            let made = try #require(OpaquePointer(bitPattern: 0x1000))
            #expect(Self.vpInfo(made) == SOFTSEAM_EINVAL)
            #expect(
                Self.lastError == "softseam_tdcall: 0x1000 is not a live machine: destroyed, or not one "
                    + "softseam_create returned (undefined behaviour; a debug build of libsoftseam checks it)")
            #expect(softseam_trace_stop(made) == Int64(SOFTSEAM_EINVAL))
            // NULL stays what it was: "the machine is NULL".
            #expect(Self.vpInfo(nil) == SOFTSEAM_EINVAL)
            #expect(Self.lastError == "softseam_tdcall: the machine is NULL")
        }
    #endif
}
