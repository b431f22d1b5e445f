public import NIOCore

/// Pushes every inbound buffer of a raw test connection into an `AsyncStream` and finishes it
/// when the connection closes, so tests read a socket's bytes with `for await` and a deadline.
public final class ByteStreamCollector: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<ByteBuffer>.Continuation

    public init(continuation: AsyncStream<ByteBuffer>.Continuation) {
        self.continuation = continuation
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    public func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
