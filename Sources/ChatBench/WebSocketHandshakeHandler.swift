import NIOCore
import NIOWebSocket

/// Opens the WebSocket: writes the HTTP/1.1 upgrade request, waits for `101`, then replaces
/// itself with NIOWebSocket's frame codec and the chat client handler.
///
/// A hand-written handshake keeps a connection's pipeline at three handlers and its setup free
/// of HTTP codec allocations; the bench needs nothing else of HTTP.
final class WebSocketHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let client: BenchClientHandler
    private var response: ByteBuffer?

    init(host: String, port: Int, path: String, client: BenchClientHandler) {
        self.request =
            "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        self.client = client
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: request.utf8.count)
        buffer.writeString(request)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if response == nil {
            response = bytes
        } else {
            response!.writeBuffer(&bytes)
        }
        guard var response, let end = response.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else {
            return
        }
        let headerLength = end.upperBound - response.readerIndex
        let head = response.readString(length: headerLength) ?? ""
        guard head.hasPrefix("HTTP/1.1 101") else {
            let status = head.split(separator: "\r\n").first.map(String.init) ?? "no status line"
            client.fail(context: context, "handshake refused: \(status)")
            context.close(promise: nil)
            return
        }
        do {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(
                ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 26)), position: .after(self))
            let decoder = try pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
            try pipeline.addHandler(WebSocketFrameEncoder(), position: .after(decoder))
            let encoder = try pipeline.handler(type: WebSocketFrameEncoder.self)
            try pipeline.addHandler(client, position: .after(encoder))
        } catch {
            client.fail(context: context, "pipeline: \(error)")
            context.close(promise: nil)
            return
        }
        self.response = nil
        if response.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(response)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.fail(context: context, "closed during the handshake")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        client.fail(context: context, "handshake: \(error)")
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension WebSocketHandshakeHandler: Sendable {}
