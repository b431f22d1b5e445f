import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension SockJSServer {
    /// Set while this node serves a request another node forwarded: the client's abort arrives
    /// through it, and the request is never forwarded again.
    @TaskLocal static var forwardedAbort: ForwardedAbort?

    /// Runs `operation`, calling `onInboundClosed` if the client goes away meanwhile.
    ///
    /// For a local request that is Hummingbird's inbound-close handler; for a forwarded one, the
    /// receiving node's abort message.
    static func watchingInboundClose<Value: Sendable>(
        of request: Request, _ operation: () async throws -> Value, onInboundClosed: @escaping @Sendable () -> Void
    ) async throws -> Value {
        if let abort = forwardedAbort {
            let token = abort.register(onInboundClosed)
            defer { abort.remove(token) }
            return try await operation()
        }
        return try await request.body.consumeWithInboundCloseHandler(
            { _ in try await operation() }, onInboundClosed: onInboundClosed)
    }

    /// Forwards an HTTP-transport request for a session this node does not hold to the node that
    /// does; nil when no node holds it (then this node serves it: opens it or answers 404).
    func forwardIfRemote(
        _ request: Request, session: String, endpoint: SockJSRoute.Endpoint, cluster: any SockJSCluster
    )
        async -> Response?
    {
        guard Self.forwardedAbort == nil, registry.find(session) == nil else { return nil }
        let kind: ForwardedKind
        switch (endpoint, request.method) {
        case (.xhr, .post), (.jsonp, .get): kind = .poll
        case (.xhrStreaming, .post), (.eventSource, .get), (.htmlFile, .get): kind = .stream
        case (.xhrSend, .post), (.jsonpSend, .post): kind = .send
        default: return nil  // preflights and wrong methods are answered locally
        }
        var body = ByteBuffer()
        if kind == .send {
            do {
                body = try await request.body.collect(upTo: configuration.maxPayloadBytes)
            } catch {
                var headers: HTTPFields = [:]
                SockJSHeaders.cors(for: request, into: &headers)
                return Self.plain(.contentTooLarge, "Payload too large.", headers: headers)
            }
        }
        let forwarded = SockJSForwardedRequest(
            id: UUID().uuidString, origin: cluster.nodeID, session: session, method: request.method.rawValue,
            path: request.head.path ?? "",
            headers: [SockJSHeaderField(name: "Host", value: request.head.authority ?? "")]
                + request.headers.map { SockJSHeaderField(name: $0.name.canonicalName, value: $0.value) },
            body: body)
        do {
            switch kind {
            case .send:
                // The body was consumed above; the owner answers at once.
                guard let forwarding = try await cluster.forward(forwarded) else {
                    return await respondHTTP(
                        to: Request(head: request.head, body: RequestBody(buffer: body)), session: session,
                        endpoint: endpoint)
                }
                return try await Self.collect(
                    forwarding, limit: configuration.maxPayloadBytes + configuration.responseLimit)
            case .poll:
                guard let forwarding = try await cluster.forward(forwarded) else { return nil }
                // A poll waits up to a heartbeat on the owner: watch this client meanwhile.
                return try await Self.watchingInboundClose(of: request) {
                    try await Self.collect(
                        forwarding, limit: configuration.maxPayloadBytes + configuration.responseLimit)
                } onInboundClosed: {
                    forwarding.abort()
                }
            case .stream:
                guard let forwarding = try await cluster.forward(forwarded) else { return nil }
                return try await Self.relayStreaming(forwarding, request: request)
            }
        } catch {
            logger.debug(
                "forwarding a SockJS request failed", metadata: ["session": "\(session)", "error": "\(error)"])
            var headers: HTTPFields = [:]
            SockJSHeaders.cors(for: request, into: &headers)
            return Self.plain(.badGateway, "Session owner unreachable.", headers: headers)
        }
    }

    enum ForwardedKind {
        case poll, stream, send
    }

    /// The whole relayed response of a poll or a send (one frame, bounded).
    static func collect(_ forwarding: SockJSForwarding, limit: Int) async throws -> Response {
        let head = try await firstHead(forwarding)
        var body = ByteBuffer()
        for try await var chunk in forwarding.body {
            guard body.readableBytes + chunk.readableBytes <= limit else {
                forwarding.abort()
                throw SockJSClusterError(.overflow, "relayed response exceeds \(limit) bytes")
            }
            body.writeBuffer(&chunk)
        }
        return Response(status: .init(code: head.status), headers: fields(head.headers), body: .init(byteBuffer: body))
    }

    /// A streaming response relayed chunk by chunk as the owner writes it.
    static func relayStreaming(_ forwarding: SockJSForwarding, request: Request) async throws -> Response {
        let head = try await firstHead(forwarding)
        return Response(
            status: .init(code: head.status), headers: fields(head.headers),
            body: ResponseBody { writer in
                try await watchingInboundClose(of: request) {
                    do {
                        for try await chunk in forwarding.body {
                            try await writer.write(chunk)
                        }
                    } catch {
                        forwarding.abort()
                        throw error
                    }
                } onInboundClosed: {
                    forwarding.abort()
                }
                try await writer.finish(nil)
            })
    }

    private static func firstHead(_ forwarding: SockJSForwarding) async throws -> SockJSResponseHead {
        for try await head in forwarding.head { return head }
        throw SockJSClusterError(.unavailable, "the owner ended the response without a head")
    }

    static func fields(_ headers: [SockJSHeaderField]) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        return fields
    }

    /// Serves a request another node forwarded to one of our sessions and relays the answer.
    func serveForwarded(_ exchange: SockJSForwardedExchange) async {
        let forwarded = exchange.request
        // The receiving node sends the request's authority as `Host` (HTTPTypes keeps it apart).
        let authority = forwarded.headers.first { $0.name == "Host" }?.value
        let fields = Self.fields(forwarded.headers.filter { $0.name != "Host" })
        let head = HTTPRequest(
            method: HTTPRequest.Method(forwarded.method) ?? .get, scheme: "http",
            authority: authority, path: forwarded.path, headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: forwarded.body))
        // The forwarding node parsed the path: its last three components are server/session/transport.
        let components = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).suffix(3)
        guard components.count == 3,
            case .session(_, let session, let endpoint) = SockJSRoute(
                path: "/" + components.joined(separator: "/")[...]),
            String(session) == forwarded.session
        else {
            try? await exchange.reply.head(
                SockJSResponseHead(
                    status: 404, headers: [.init(name: "Content-Type", value: "text/plain; charset=UTF-8")]))
            try? await exchange.reply.chunk(ByteBuffer(string: "Not found."))
            try? await exchange.reply.end()
            return
        }
        await Self.$forwardedAbort.withValue(exchange.aborted) {
            let response = await respondHTTP(to: request, session: forwarded.session, endpoint: endpoint)
            let headers = response.headers.filter {
                ![.contentLength, .transferEncoding, .connection].contains($0.name)
            }
            .map { SockJSHeaderField(name: $0.name.canonicalName, value: $0.value) }
            do {
                try await exchange.reply.head(SockJSResponseHead(status: response.status.code, headers: headers))
                try await response.body.write(RelayBodyWriter(reply: exchange.reply))
            } catch {
                // The relay is gone (broker lost): the receiving node times the request out.
                logger.debug("relaying a forwarded SockJS response failed", metadata: ["error": "\(error)"])
                exchange.aborted.fire()
            }
        }
    }
}

/// Writes a response body into the relay back to the node that forwarded the request.
struct RelayBodyWriter: ResponseBodyWriter {
    let reply: any SockJSForwardedReply

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await reply.chunk(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await reply.end()
    }
}
