import NIOCore

/// A request from the async façade to `AMQPConnectionHandler`, written into the NIO pipeline.
///
/// Commands carry promises; the handler completes them from the state machines' actions. This
/// is the postgres-nio `PSQLTask` pattern: one outbound message type, everything else stays on
/// the event loop.
enum HandlerCommand {
    case openChannel(UInt16, EventLoopPromise<Void>)
    case call(channel: UInt16, AMQPMethod, EventLoopPromise<ChannelResponse>)
    case consume(channel: UInt16, AMQPMethod.Basic.Consume, any ConsumerSink, EventLoopPromise<ChannelResponse>)
    case publish(
        channel: UInt16,
        AMQPMethod.Basic.Publish,
        AMQPBasicProperties,
        ByteBuffer,
        confirm: EventLoopPromise<Void>
    )
    /// A method without a reply (basic.ack/nack/reject); `generation` ties delivery tags to
    /// the connection that issued them.
    case send(channel: UInt16, AMQPMethod, generation: UInt64?, EventLoopPromise<Void>?)
    case closeChannel(UInt16, EventLoopPromise<Void>)
    case closeConnection(EventLoopPromise<Void>)

    /// Writes the command into `channel`'s pipeline.
    ///
    /// If the socket closed and the handler is already gone, the write fails at the pipeline
    /// head; the command's promises then fail with `.connectionLost` instead of never
    /// completing (completing a promise twice is a no-op in NIO, so a late failure after the
    /// handler answered is harmless).
    func send(to channel: any Channel, flush: Bool = true) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            self.fail(
                AMQPError(
                    code: .connectionLost, message: "the connection is gone: \(error)", closedConnection: true,
                    underlying: error))
        }
        if flush {
            channel.writeAndFlush(self, promise: written)
        } else {
            channel.write(self, promise: written)
        }
    }

    /// Fails every promise of the command, for commands that cannot be delivered.
    func fail(_ error: AMQPError) {
        switch self {
        case .openChannel(_, let promise): promise.fail(error)
        case .call(_, _, let promise): promise.fail(error)
        case .consume(_, _, _, let promise): promise.fail(error)
        case .publish(_, _, _, _, let confirm):
            confirm.fail(error)
        case .send(_, _, _, let promise): promise?.fail(error)
        case .closeChannel(_, let promise): promise.succeed()
        case .closeConnection(let promise): promise.succeed()
        }
    }
}
