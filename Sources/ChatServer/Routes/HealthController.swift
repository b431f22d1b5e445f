import ChatCore
import Hummingbird

/// `GET /healthz`: liveness for load balancers and process supervisors.
struct HealthController: Sendable {
    let hub: Hub

    struct Health: ResponseEncodable {
        var status: String
        var node: String
        var sessions: Int
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ -> Health in
            Health(status: "ok", node: hub.nodeID, sessions: await hub.sessionCount)
        }
    }
}
