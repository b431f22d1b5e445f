import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the node's metrics in the Prometheus text format, for scraping.
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
