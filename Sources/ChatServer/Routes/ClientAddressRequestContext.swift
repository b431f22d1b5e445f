import Hummingbird

/// A request context that knows the client's address, as `ClientAddressMiddleware` resolved it
/// from the TCP peer and a trusted proxy's `X-Forwarded-For`.
protocol ClientAddressRequestContext: RemoteAddressRequestContext {
    /// The client's IP address (no port); nil when the peer has none (a Unix socket).
    var clientAddress: String? { get set }
}
