import ChatCore

/// libFuzzer entry point: decodes one input as a protocol v1 client frame.
///
/// Any input must decode to a frame or throw a `ProtocolError` with a non-empty message, and the
/// decoder (with its Foundation-free fast path) must answer exactly as the `Codable` path alone;
/// a crash, a hang, an unbounded allocation or a disagreement is a bug libFuzzer reports.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let decoder = ClientFrameDecoder()
    let decoded: Result<ClientFrame, ProtocolError>
    do {
        decoded = .success(try decoder.decode(bytes))
    } catch {
        precondition(!error.message.isEmpty, "a refusal without a message: \(error.code)")
        decoded = .failure(error)
    }
    let reference: Result<ClientFrame, ProtocolError>
    do {
        reference = .success(try decoder.decodeWithCodable(bytes))
    } catch {
        reference = .failure(error)
    }
    switch (decoded, reference) {
    case (.success(let fast), .success(let slow)):
        precondition(fast == slow, "the fast path decoded \(fast), Codable \(slow)")
    case (.failure(let fast), .failure(let slow)):
        precondition(fast.code == slow.code && fast.message == slow.message, "refusals differ: \(fast) vs \(slow)")
    default:
        preconditionFailure("the fast path and Codable disagree: \(decoded) vs \(reference)")
    }
    return 0
}
