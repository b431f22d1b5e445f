import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

// Downstream: the receiving transports (`xhr`, `xhr_streaming`, `eventsource`, `htmlfile`,
// `jsonp`), the requests on which the server sends a session's frames to the client.
extension SockJSServer {
    /// Why a receiving request found no session to attach to.
    enum SessionUnavailable: Error {
        /// `maxSessions` sessions exist.
        case full
        /// The cluster could not route the new session to this node.
        case unroutable

        var response: Response {
            switch self {
            case .full: SockJSServer.plain(.serviceUnavailable, "Too many sessions.")
            case .unroutable: SockJSServer.plain(.serviceUnavailable, "Session routing unavailable.")
            }
        }
    }

    /// The session a receiving request attaches to, opened (and its handler launched) if unknown.
    ///
    /// In a cluster a new session is announced before its first frame goes out, so the client's
    /// next request finds it from any node.
    private func receivingSession(
        _ id: String, transport: SockJSTransport, request: Request
    ) async -> Result<
        SockJSSession, SessionUnavailable
    > {
        switch registry.findOrCreate(
            id,
            make: {
                SockJSSession(
                    id: id, transport: transport, requestHeaders: request.headers, configuration: configuration)
            })
        {
        case .existing(let session):
            return .success(session)
        case .created(let session):
            if let cluster {
                do {
                    try await cluster.sessionCreated(id)
                } catch {
                    logger.warning("cannot route new SockJS session", metadata: ["error": "\(error)"])
                    registry.forget(id, session)
                    session.close(code: 1011, reason: "Session routing unavailable")
                    return .failure(.unroutable)
                }
            }
            launcher.launch(session)
            return .success(session)
        case .full:
            return .failure(.full)
        }
    }

    /// Attaches a receiver, giving a receiver that just vanished a moment to be noticed first.
    ///
    /// A client that aborts a request and at once sends the next one races its own FIN: the new
    /// request could see the old receiver still attached and get `c[2010]` instead of the
    /// `c[1002]` the abort deserves. A genuine second receiver only waits those few milliseconds.
    private func attachReceiver(to session: SockJSSession) async -> SessionStateMachine.AttachAction {
        for _ in 0..<5 {
            let action = session.attachReceiver()
            if case .attached = action { return action }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return session.attachReceiver()
    }

    private func receiverHeaders(_ request: Request, contentType: String) -> HTTPFields {
        var headers: HTTPFields = [.contentType: contentType]
        SockJSHeaders.cors(for: request, into: &headers)
        SockJSHeaders.noCache(into: &headers)
        SockJSHeaders.cookie(for: request, needed: configuration.cookieNeeded, into: &headers)
        return headers
    }

    /// `xhr` and `jsonp`: one frame per request; a request that finds nothing to send waits up
    /// to the heartbeat interval.
    func poll(
        _ request: Request, sessionID: String, transport: SockJSTransport, envelope: TransportEnvelope
    ) async -> Response {
        let headers = receiverHeaders(request, contentType: "application/javascript; charset=UTF-8")
        let session: SockJSSession
        switch await receivingSession(sessionID, transport: transport, request: request) {
        case .success(let found): session = found
        case .failure(let unavailable): return unavailable.response
        }
        let frame: SockJSFrame
        switch await attachReceiver(to: session) {
        case .anotherConnectionOpen:
            frame = .anotherConnectionOpen
        case .attached(let receiver):
            let heartbeat = configuration.heartbeatInterval
            // A client that gives up on the request (network error, page closed) aborts the
            // session: the spec's "Connection interrupted".
            let received = try? await Self.watchingInboundClose(of: request) {
                let frame = await withGracefulShutdownHandler {
                    await session.nextFrame(for: receiver, heartbeat: heartbeat)
                } onGracefulShutdown: {
                    session.close(code: 1001, reason: "Server shutting down")
                }
                session.detachReceiver(receiver)
                return frame
            } onInboundClosed: {
                session.abortReceiver(receiver)
            }
            frame = received.flatMap { $0 } ?? .connectionInterrupted
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: envelope.wrap(frame)))
    }

    /// `xhr_streaming`, `eventsource` and `htmlfile`: frames as they come, until the session
    /// closes or the response limit is reached (the client then opens a new request).
    func stream(
        _ request: Request, sessionID: String, transport: SockJSTransport, envelope: TransportEnvelope
    ) async -> Response {
        let contentType =
            switch envelope {
            case .eventSource: "text/event-stream"
            case .htmlFile: "text/html; charset=UTF-8"
            case .xhr, .jsonp: "application/javascript; charset=UTF-8"
            }
        var headers = receiverHeaders(request, contentType: contentType)
        if case .htmlFile = envelope { framingPolicy(into: &headers) }
        let session: SockJSSession
        switch await receivingSession(sessionID, transport: transport, request: request) {
        case .success(let found): session = found
        case .failure(let unavailable): return unavailable.response
        }
        let heartbeat = configuration.heartbeatInterval
        let responseLimit = configuration.responseLimit
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let prelude = envelope.prelude
                if prelude.readableBytes > 0 { try await writer.write(prelude) }
                switch await attachReceiver(to: session) {
                case .anotherConnectionOpen:
                    try await writer.write(envelope.wrap(.anotherConnectionOpen))
                case .attached(let receiver):
                    try await Self.watchingInboundClose(of: request) {
                        try await withGracefulShutdownHandler {
                            var sent = 0
                            while let frame = await session.nextFrame(for: receiver, heartbeat: heartbeat) {
                                let bytes = envelope.wrap(frame)
                                do {
                                    try await writer.write(bytes)
                                } catch {
                                    session.abortReceiver(receiver)
                                    throw error
                                }
                                sent += bytes.readableBytes
                                if case .close = frame { break }
                                if sent >= responseLimit { break }
                            }
                            session.detachReceiver(receiver)
                        } onGracefulShutdown: {
                            session.close(code: 1001, reason: "Server shutting down")
                        }
                    } onInboundClosed: {
                        session.abortReceiver(receiver)
                    }
                }
                try await writer.finish(nil)
            })
    }
}
