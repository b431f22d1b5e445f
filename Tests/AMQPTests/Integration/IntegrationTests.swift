import TestSupport
import Testing

/// Every test against the real RabbitMQ, serialized: some of them raise resource alarms or
/// restart the broker, which would disturb tests running beside them: scripts/test runs them
/// alone, in the `amqpIntegration` phase.
@Suite(
    "RabbitMQ integration", .tags(.amqpIntegration), .ownPhase, .serialized,
    .requires(.rabbitMQ, .rabbitmqctl)
)
struct IntegrationTests {}
