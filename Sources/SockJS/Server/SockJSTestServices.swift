public import Hummingbird
public import HummingbirdWebSocket
public import Logging

/// The services the official SockJS protocol spec (sockjs-protocol.py) tests against.
///
/// `/echo` (response limit 4096 bytes), `/close` (closes every session at once with 3000
/// "Go away!"), `/disabled_websocket_echo` and `/cookie_needed_echo` (JSESSIONID cookies).
///
/// The echo services take messages of up to ``maxEchoPayloadBytes`` on every transport, as
/// sockjs-node's do (it has no limit; real SockJS applications send large messages), so a
/// browser test can send 1 MiB through each of them.
public enum SockJSTestServices {
    /// The largest request body or WebSocket message the test services accept: a 1 MiB message
    /// with room for SockJS's JSON escaping.
    public static let maxEchoPayloadBytes = 4 * 1024 * 1024

    /// Mounts the four services under `prefix` (e.g. `""` for the root) and returns the servers
    /// to run as services.
    public static func register<Context: RequestContext & WebSocketRequestContext>(
        on router: Router<Context>, at prefix: String = "", configuration: SockJSServer.Configuration = .init(),
        logger: Logger
    ) -> [SockJSServer] {
        var configuration = configuration
        configuration.maxPayloadBytes = Self.maxEchoPayloadBytes
        // One message always fits the queue, but a few large ones in flight should not wait.
        configuration.maxPendingBytes = max(configuration.maxPendingBytes, 2 * Self.maxEchoPayloadBytes)
        var echo = configuration
        echo.responseLimit = 4096
        var disabledWebSocket = configuration
        disabledWebSocket.webSocketEnabled = false
        var cookieNeeded = configuration
        cookieNeeded.cookieNeeded = true
        let servers = [
            ("/echo", SockJSServer(configuration: echo, logger: logger, handler: Self.echo)),
            ("/close", SockJSServer(configuration: configuration, logger: logger, handler: { $0.close() })),
            (
                "/disabled_websocket_echo",
                SockJSServer(configuration: disabledWebSocket, logger: logger, handler: Self.echo)
            ),
            ("/cookie_needed_echo", SockJSServer(configuration: cookieNeeded, logger: logger, handler: Self.echo)),
        ]
        for (path, server) in servers {
            server.register(on: router, at: prefix + path)
        }
        return servers.map(\.1)
    }

    /// Sends every message back unchanged.
    public static func echo(_ session: SockJSSession) async {
        for await message in session.messages {
            await session.send(message)
        }
    }
}
