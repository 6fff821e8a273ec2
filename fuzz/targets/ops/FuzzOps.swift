import SEAMFuzz

/// libFuzzer's entry point over SEAMFuzz's operation decoder and isolation oracle (`fuzzOne`): one input is a
/// decoded sequence of operations from a fresh TD. A finding stops the process with its description as the
/// message, so libFuzzer saves the input. Package.swift declares this target only once the SEAMFuzz module exists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpsTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let finding = fuzzOne(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)) {
        fatalError("fuzz-ops: \(finding)")
    }
    return 0
}
