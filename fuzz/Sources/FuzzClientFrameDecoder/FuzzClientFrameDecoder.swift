import ChatCore

/// libFuzzer entry point: decodes one input as a protocol v1 client frame.
///
/// Any input must decode to a frame or throw a `ProtocolError` with a non-empty message; a
/// crash, a hang or an unbounded allocation is a bug libFuzzer reports.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        _ = try ClientFrameDecoder().decode(bytes)
    } catch {
        precondition(!error.message.isEmpty, "a refusal without a message: \(error.code)")
    }
    return 0
}
