import AMQP
import NIOCore

/// libFuzzer entry point: feeds one input to the AMQP frame decoder as bytes from the broker.
///
/// The decoder must return frames, ask for more bytes, or throw `AMQPError`; it must never
/// crash, loop, or read past what it was given. Frames are decoded until the input is used up
/// or the decoder throws, so one input exercises several frames in a row.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAMQPFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var buffer = ByteBuffer(
        bytes: data.map { UnsafeBufferPointer(start: $0, count: size) } ?? UnsafeBufferPointer(start: nil, count: 0))
    var decoder = AMQPFrameDecoder(maximumFrameSize: 128 * 1024)
    do {
        while let _ = try decoder.decode(buffer: &buffer) {}
        _ = try decoder.decodeLast(buffer: &buffer, seenEOF: true)
    } catch {
        // A refusal is a correct answer to hostile bytes.
    }
    return 0
}
