import SoftSEAMCFuzz

/// libFuzzer's entry point: one input through the C ABI from a fresh machine (`fuzzCABI`). A broken promise
/// of softseam.h stops the process with the violation as its message, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCABITestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let violation = fuzzCABI(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)) {
        fatalError("fuzz-cabi: \(violation)")
    }
    return 0
}
