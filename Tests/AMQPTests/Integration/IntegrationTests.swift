import Testing

/// Every test against the real RabbitMQ, serialized: some of them raise resource alarms or
/// restart the broker, which would disturb tests running beside them.
@Suite("RabbitMQ integration", .serialized, TestBroker.required)
struct IntegrationTests {}
