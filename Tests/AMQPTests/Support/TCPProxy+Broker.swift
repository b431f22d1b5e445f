import Foundation
import TestSupport

extension TCPProxy {
    /// A proxy in front of the test RabbitMQ.
    static func start() async throws -> TCPProxy {
        try await start(targetPort: URLComponents(string: TestBroker.url)?.port ?? 5672)
    }

    /// The URL of the broker through this proxy.
    var url: String { "amqp://guest:guest@127.0.0.1:\(self.port)/" }
}
