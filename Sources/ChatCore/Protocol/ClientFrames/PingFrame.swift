/// `ping`: an application-level liveness check; answered by `pong` echoing `id`.
public struct PingFrame: Decodable, Sendable, Equatable {
    public var id: String?

    public init(id: String? = nil) { self.id = id }
}
