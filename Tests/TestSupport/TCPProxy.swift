public import NIOCore
import NIOPosix

/// A loopback TCP proxy in front of a real server (RabbitMQ, the chat server) that tests can
/// cut, reset and stall, to kill a client's connection the way a network does.
///
/// Every connection accepted on `port` is glued to a new connection to the target. `cut()`
/// closes them with a FIN, `reset()` with an RST, `stall()` silently drops all traffic (and
/// hides the server's close) so that only heartbeats can notice the dead link. All state is
/// confined to one event loop.
public final class TCPProxy: Sendable {
    /// The loopback port clients connect to.
    public let port: Int
    /// The event loop all of the proxy's channels and state live on.
    public let eventLoop: any EventLoop
    private let server: any Channel
    private let state: NIOLoopBoundBox<State>

    struct State {
        var stalled = false
        var connections: [ObjectIdentifier: any Channel] = [:]
        var accepted = 0
    }

    private init(port: Int, eventLoop: any EventLoop, server: any Channel, state: NIOLoopBoundBox<State>) {
        self.port = port
        self.eventLoop = eventLoop
        self.server = server
        self.state = state
    }

    /// Starts a proxy on a free loopback port that forwards to `127.0.0.1:targetPort`.
    public static func start(targetPort: Int) async throws -> TCPProxy {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let state = NIOLoopBoundBox<State>.makeBoxSendingValue(State(), eventLoop: eventLoop)
        let server = try await ServerBootstrap(group: eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMapThrowing { outbound in
                        state.value.accepted += 1
                        state.value.connections[ObjectIdentifier(inbound)] = inbound
                        state.value.connections[ObjectIdentifier(outbound)] = outbound
                        try inbound.pipeline.syncOperations.addHandler(Forwarder(peer: outbound, state: state))
                        try outbound.pipeline.syncOperations.addHandler(Forwarder(peer: inbound, state: state))
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TCPProxy(port: server.localAddress!.port!, eventLoop: eventLoop, server: server, state: state)
    }

    /// How many client connections the proxy accepted so far.
    public func acceptedConnections() async throws -> Int {
        try await self.eventLoop.submit { self.state.value.accepted }.get()
    }

    /// Closes every proxied connection with a FIN.
    public func cut() async throws {
        try await self.eventLoop.submit {
            for channel in self.state.value.connections.values { channel.close(promise: nil) }
        }.get()
    }

    /// Closes every proxied connection with an RST.
    public func reset() async throws {
        try await self.eventLoop.flatSubmit {
            let channels = Array(self.state.value.connections.values)
            let lingers: [EventLoopFuture<Void>] = channels.map { channel in
                guard let provider = channel as? any SocketOptionProvider else { return channel.close() }
                return provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                    .flatMap { channel.close() }
                    .recover { _ in }
            }
            return EventLoopFuture.andAllComplete(lingers, on: self.eventLoop)
        }.get()
    }

    /// Drops all traffic in both directions until `resume()`.
    public func stall() async throws {
        try await self.eventLoop.submit { self.state.value.stalled = true }.get()
    }

    /// Forwards traffic again (for connections made from now on; stalled ones lost bytes).
    public func resume() async throws {
        try await self.eventLoop.submit { self.state.value.stalled = false }.get()
    }

    public func stop() async throws {
        try await self.cut()
        try await self.server.close()
    }

    /// Copies bytes to the peer channel unless the proxy is stalled.
    private final class Forwarder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let peer: any Channel
        let state: NIOLoopBoundBox<State>

        init(peer: any Channel, state: NIOLoopBoundBox<State>) {
            self.peer = peer
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !self.state.value.stalled else { return }
            self.peer.writeAndFlush(self.unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.state.value.connections[ObjectIdentifier(context.channel)] = nil
            // While stalled the close is hidden too: only a heartbeat timeout may notice.
            if !self.state.value.stalled {
                self.peer.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
