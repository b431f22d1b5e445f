import ChatCore
import Logging
import NIOCore
import NIOHTTP1
import RFC6455
import SockJS

/// The native WebSocket endpoint: one protocol v1 chat session per connection, served by a
/// `ChatWebSocketHandler` in the channel's pipeline, with no task per connection.
///
/// The endpoint is a `WebSocketTakeover`: `HTTP1CompatibilityHandler` hands it every `/ws`
/// handshake the origin gate let through. It takes a slot of the per-address limit (a 429 with
/// a JSON error when there is none), answers 101, and installs the handler, which from then on
/// owns the connection: frames to and from the `Hub`, the close handshake, the keepalive, the
/// slow-consumer bounds.
struct WebSocketChatEndpoint: Sendable {
    let hub: Hub
    let limits: ChatLimits
    /// Origins and connections per address, also applied by the HTTP layer's handshake gate.
    let handshakePolicy: WebSocketHandshakePolicy
    /// Open connections per client address (`--max-connections-per-ip`).
    var connectionsPerAddress: ConnectionsPerAddress { handshakePolicy.connectionsPerAddress }
    /// `SO_SNDBUF` of each connection (`ServerConfiguration.webSocketSendBufferBytes`); nil
    /// leaves it to the kernel.
    let sendBufferBytes: Int?
    /// Bounds of each connection's queue of frames the socket could not take yet.
    let outbox: SessionOutbox.Configuration
    /// Keepalive ping period.
    let pingInterval: TimeAmount
    let logger: Logger

    /// How long a client has to read the frames queued before our close and to answer it, before
    /// the connection is dropped.
    static let closeGrace: TimeAmount = .seconds(5)

    var takeover: WebSocketTakeover {
        let chatPath = handshakePolicy.chatPath
        let connectionsPerAddress = self.connectionsPerAddress
        let maxFrameBytes = limits.maxFrameBytes
        let handlerConfiguration = ChatWebSocketHandler.Configuration(
            hub: hub, maxFrameBytes: maxFrameBytes, maxMessageBytes: maxFrameBytes, outbox: outbox,
            pingInterval: pingInterval, closeTimeout: Self.closeGrace, connectionsPerAddress: connectionsPerAddress,
            logger: logger)
        let sendBufferBytes = self.sendBufferBytes
        let handshakePolicy = self.handshakePolicy
        return WebSocketTakeover { head, remoteAddress in
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard path == chatPath, let key = head.headers.first(name: "sec-websocket-key") else { return .pass }
            // Taken here, for good: handshakes racing past the gate cannot exceed the limit.
            // The handler releases the same address's slot when the connection ends.
            let address = handshakePolicy.clientAddress(head, peer: remoteAddress)
            guard connectionsPerAddress.tryAcquire(address) else {
                return .refuse(
                    WebSocketHandshakeRefusal(
                        status: .tooManyRequests, code: "too_many_connections",
                        message: "too many connections from this address"))
            }
            return .accept(
                .init(
                    headers: HTTPHeaders([("sec-websocket-accept", WebSocketHandshake.acceptValue(for: key))]),
                    maxFrameSize: maxFrameBytes,
                    install: { channel in
                        let handler = ChatWebSocketHandler(configuration: handlerConfiguration, address: address)
                        do {
                            // A fixed send buffer also turns off the kernel's autotuning, which would
                            // let a client that stopped reading hold megabytes before its outbox sees any.
                            if let sendBufferBytes {
                                try channel.syncOptions?.setOption(
                                    ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(sendBufferBytes))
                            }
                            try channel.pipeline.syncOperations.addHandler(handler)
                        } catch {
                            connectionsPerAddress.release(address)
                            throw error
                        }
                    }))
        }
    }

    /// The TCP peer's IP address (without the port); `/ws` counts the client's address instead
    /// (`WebSocketHandshakePolicy.clientAddress`), which differs behind a trusted proxy.
    static func address(_ remoteAddress: SocketAddress?) -> String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}
