package import NIOCore
package import NIOWebSocket

/// One simulated chat client: says hello, joins its room, then counts what the server sends.
///
/// Every message text is `<sender>.<n>.<sentNanos>`, so a receipt yields its latency with one
/// `memchr` search and two integer scans; per-client state is a last `seq` (duplicates and order) and
/// the counts live in the loop's `LoopStats`.
package final class BenchClientHandler: ChannelInboundHandler {
    package typealias InboundIn = WebSocketFrame
    package typealias OutboundOut = WebSocketFrame

    private enum State { case handshaking, greeting, joining, ready, closed }

    private let index: Int
    private let nick: String
    private let room: String?
    private let stats: LoopStats
    private let ready: EventLoopPromise<Void>
    private let isEcho: Bool
    /// Whether frames travel in SockJS websocket framing.
    private let sockJS: Bool
    /// Whether the server is a raw broadcast hub (no hello, join, seq or ack).
    private let raw: Bool
    /// Reused buffer for unescaped SockJS messages.
    private var scratch: [UInt8] = []
    private var state = State.handshaking
    private var context: ChannelHandlerContext?
    private var lastSeq: Int64 = 0
    private var sentCount = 0
    private var echoDeadline: UInt64 = 0

    /// The client's global index, which spreads senders' first sends over one interval.
    var senderIndex: Int { index }

    init(
        index: Int, nick: String, room: String?, isEcho: Bool, sockJS: Bool = false, raw: Bool = false,
        stats: LoopStats, ready: EventLoopPromise<Void>
    ) {
        self.sockJS = sockJS
        self.raw = raw
        self.index = index
        self.nick = nick
        self.room = room
        self.isEcho = isEcho
        self.stats = stats
        self.ready = ready
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if raw {
            state = .ready
            ready.succeed()
            return
        }
        state = .greeting
        writeText(#"{"type":"hello","nick":"\#(nick)"}"#, context: context)
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            stats.framesReceived &+= 1
            stats.bytesReceived &+= UInt64(frame.data.readableBytes)
            if sockJS {
                frame.data.withUnsafeReadableBytes { handleSockJS($0, context: context) }
            } else {
                frame.data.withUnsafeReadableBytes { handleText($0, context: context) }
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.data)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            stats.closedByServer &+= 1
            if stats.firstError == nil {
                var data = frame.data
                let code = data.readInteger(as: UInt16.self).map(String.init) ?? "?"
                stats.firstError =
                    "server closed a socket: \(code) \(data.readString(length: data.readableBytes) ?? "")"
            }
            fail(context: context, "server closed the socket")
            context.close(promise: nil)
        default:
            break
        }
    }

    private func handleSockJS(_ bytes: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        switch SockJSFraming.kind(bytes) {
        case .messages:
            var scratch = self.scratch
            self.scratch = []
            let wellFormed = SockJSFraming.forEachMessage(in: bytes, scratch: &scratch) {
                handleText($0, context: context)
            }
            self.scratch = scratch
            if !wellFormed {
                stats.errors &+= 1
                if stats.firstError == nil {
                    stats.firstError = "malformed SockJS frame: \(String(decoding: bytes.prefix(200), as: UTF8.self))"
                }
            }
        case .close:
            stats.closedByServer &+= 1
            if stats.firstError == nil {
                stats.firstError =
                    "server closed a SockJS session: \(String(decoding: bytes.prefix(200), as: UTF8.self))"
            }
            fail(context: context, "server closed the session")
            context.close(promise: nil)
        case .open, .heartbeat, .other:
            break
        }
    }

    private func handleText(_ bytes: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        switch FrameScanner.kind(bytes) {
        case .message:
            if !raw {
                guard let seq = FrameScanner.seq(bytes) else { return }
                if seq <= lastSeq {
                    stats.duplicates &+= 1
                    return
                }
                lastSeq = seq
            }
            stats.deliveries &+= 1
            guard let text = FrameScanner.benchText(bytes) else { return }
            let now = MonotonicClock.nanos()
            stats.latency.record(now >= text.sentNanos ? (now - text.sentNanos) / 1_000 : 0)
            if isEcho, text.sender == index, now < echoDeadline { sendMessage(context: context) }
        case .ack:
            stats.acks &+= 1
        case .presence:
            stats.presence &+= 1
        case .welcome:
            guard state == .greeting else { return }
            if let room {
                state = .joining
                writeText(#"{"type":"join","room":"\#(room)"}"#, context: context)
            } else {
                state = .ready
                ready.succeed()
            }
        case .joined:
            guard state == .joining else { return }
            state = .ready
            ready.succeed()
        case .error:
            stats.errors &+= 1
            let text = String(decoding: bytes, as: UTF8.self)
            if stats.firstError == nil { stats.firstError = "error frame: \(text.prefix(200))" }
            if state != .ready { fail(context: context, text) }
        case .pong, .other:
            break
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        if state == .ready { stats.disconnects &+= 1 }
        fail(context: context, "connection closed")
        state = .closed
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, "\(error)")
        context.close(promise: nil)
    }

    /// Fails the ready promise (a no-op once the client is ready).
    func fail(context: ChannelHandlerContext, _ reason: String) {
        guard state != .ready, state != .closed else { return }
        state = .closed
        ready.fail(BenchError("client \(index): \(reason)"))
    }

    /// Sends `count` messages, the k-th at `start + k * interval` (absolute, so no drift).
    func startSending(start: NIODeadline, interval: TimeAmount, count: Int) {
        guard let context, count > 0 else { return }
        scheduleSend(k: 0, start: start, interval: interval, count: count, loop: context.eventLoop)
    }

    private func scheduleSend(k: Int, start: NIODeadline, interval: TimeAmount, count: Int, loop: any EventLoop) {
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleTask(deadline: start + .nanoseconds(interval.nanoseconds * Int64(k))) {
            let handler = bound.value
            guard let context = handler.context, handler.state == .ready else { return }
            handler.sendMessage(context: context)
            if k + 1 < count {
                handler.scheduleSend(k: k + 1, start: start, interval: interval, count: count, loop: loop)
            }
        }
    }

    /// Echo: keeps `window` messages in flight until `deadline` (monotonic nanoseconds).
    func startEcho(window: Int, deadline: UInt64) {
        guard let context, state == .ready else { return }
        echoDeadline = deadline
        for _ in 0..<window { sendMessage(context: context) }
    }

    private func sendMessage(context: ChannelHandlerContext) {
        guard let room else { return }
        sentCount += 1
        stats.sent &+= 1
        let now = MonotonicClock.nanos()
        if raw {
            // What the hub relays must look like the chat server's `message` frame.
            writeText(#"{"type":"message","text":"\#(index).\#(sentCount).\#(now)"}"#, context: context)
            return
        }
        writeText(
            #"{"type":"send","room":"\#(room)","text":"\#(index).\#(sentCount).\#(now)","cid":"\#(sentCount)"}"#,
            context: context)
    }

    private func writeText(_ text: String, context: ChannelHandlerContext) {
        let text = sockJS ? SockJSFraming.clientFrame(text) : text
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}

@available(*, unavailable)
extension BenchClientHandler: Sendable {}

/// A load run that could not do what it was asked, with the reason.
package struct BenchError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}
