import ChatCore
import Hummingbird
import Logging

/// `GET /readyz`: whether the node can serve chat now, for load balancers.
///
/// Unlike `/healthz` (the process is alive), it probes the broker and the store and answers 503
/// with the reason when either does not answer, so traffic moves to another node meanwhile.
struct ReadinessController: Sendable {
    let hub: Hub

    struct Readiness: ResponseEncodable {
        var status: String
        var node: String
        var broker: String
        var store: String
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/readyz") { request, context -> Response in
            let readiness = await hub.readiness()
            if !readiness.isReady {
                // The reasons go to the log only: error texts may name hosts and users.
                context.logger.warning(
                    "not ready",
                    metadata: [
                        "broker": "\(readiness.brokerProblem ?? "ok")", "store": "\(readiness.storeProblem ?? "ok")",
                    ])
            }
            let body = Readiness(
                status: readiness.isReady ? "ready" : "not_ready", node: hub.nodeID,
                broker: readiness.brokerProblem == nil ? "ok" : "unavailable",
                store: readiness.storeProblem == nil ? "ok" : "unavailable")
            var response = try body.response(from: request, context: context)
            if !readiness.isReady { response.status = .serviceUnavailable }
            return response
        }
    }
}
