import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Sets each request's client address: the TCP peer, or behind a trusted proxy the address the
/// proxies vouch for in `X-Forwarded-For` (`TrustedProxies`).
///
/// Runs before every route, so the per-address limits of the HTTP API (`AccountService`'s
/// login and registration limit) count clients, not the proxy.
struct ClientAddressMiddleware<Context: ClientAddressRequestContext>: RouterMiddleware {
    let trustedProxies: TrustedProxies

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard !trustedProxies.isEmpty else { return try await next(request, context) }
        var context = context
        context.clientAddress = trustedProxies.clientAddress(
            peer: context.remoteAddress, forwardedFor: request.headers[values: .xForwardedFor])
        return try await next(request, context)
    }
}
