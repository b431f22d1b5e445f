import NIOCore

extension ByteBuffer {
    /// A buffer holding exactly `bytes`, for byte-vector tests.
    init(bytes: [UInt8]) {
        self = ByteBuffer()
        self.writeBytes(bytes)
    }

    /// The readable bytes as an array, for comparisons with byte vectors.
    var bytes: [UInt8] { self.getBytes(at: self.readerIndex, length: self.readableBytes) ?? [] }
}
