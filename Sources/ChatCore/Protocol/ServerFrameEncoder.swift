import Foundation
public import NIOCore

/// Encodes server frames to the bytes of one JSON text frame.
///
/// Fan-out calls it once per event and hands the same `ByteBuffer` to every recipient:
/// encode once, write many.
public enum ServerFrameEncoder {
    /// The JSON bytes of `frame`: hand-written for the hot frames (`HandEncodedFrame`),
    /// `JSONEncoder` for the rest.
    public static func encode(_ frame: some Encodable) -> ByteBuffer {
        if let frame = frame as? any HandEncodedFrame {
            var writer = JSONWriter()
            frame.write(to: &writer)
            return writer.finish()
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            let data = try encoder.encode(frame)
            return ByteBuffer(bytes: data)
        } catch {
            // Our frames are plain structs of strings and integers; failing to encode one is a
            // programming error, not a runtime condition.
            preconditionFailure("server frame \(type(of: frame)) failed to encode: \(error)")
        }
    }
}
