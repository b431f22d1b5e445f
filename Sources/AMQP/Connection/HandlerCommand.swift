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
        written: EventLoopPromise<Void>?,
        confirm: EventLoopPromise<Void>?
    )
    /// A method without a reply (basic.ack/nack/reject); `generation` ties delivery tags to
    /// the connection that issued them.
    case send(channel: UInt16, AMQPMethod, generation: UInt64?, EventLoopPromise<Void>?)
    case closeChannel(UInt16, EventLoopPromise<Void>)
    case closeConnection(EventLoopPromise<Void>)

    /// Fails every promise of the command, for commands that cannot be delivered.
    func fail(_ error: AMQPError) {
        switch self {
        case .openChannel(_, let promise): promise.fail(error)
        case .call(_, _, let promise): promise.fail(error)
        case .consume(_, _, _, let promise): promise.fail(error)
        case .publish(_, _, _, _, let written, let confirm):
            written?.fail(error)
            confirm?.fail(error)
        case .send(_, _, _, let promise): promise?.fail(error)
        case .closeChannel(_, let promise): promise.succeed()
        case .closeConnection(let promise): promise.succeed()
        }
    }
}
