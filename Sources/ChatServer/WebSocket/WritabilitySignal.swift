import NIOCore

/// Wakes `WebSocketFrameWriter`s waiting for a channel to become writable again.
///
/// A writer blocked behind a client that stopped reading used to poll `isWritable` every 20 ms;
/// with a thousand stalled clients that was tens of thousands of wake-ups a second for nothing.
/// This handler sits first in the pipeline, where NIO reports writability changes, and completes
/// the waiting promises when the channel turns writable or goes away.
final class WritabilitySignal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    /// Bounded by construction: a connection has one writer, which waits for one batch at a time.
    private var waiting: [EventLoopPromise<Void>] = []

    /// Registers `promise`, completed when the channel is writable (at once if it already is)
    /// or inactive. Must be called on the channel's event loop.
    func notifyWhenWritable(_ promise: EventLoopPromise<Void>, channel: any Channel) {
        channel.eventLoop.assertInEventLoop()
        if channel.isWritable || !channel.isActive {
            promise.succeed()
        } else {
            waiting.append(promise)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { wakeAll() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        wakeAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        wakeAll()
    }

    private func wakeAll() {
        let promises = waiting
        waiting.removeAll()
        for promise in promises { promise.succeed() }
    }
}

@available(*, unavailable)
extension WritabilitySignal: Sendable {}
