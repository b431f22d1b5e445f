import TestSupport
import Testing

/// The stores the conformance suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The stores whose data outlives the store object (reopen tests).
    static let durable: [StoreKind] = [.sqlite, .postgres]

    /// What the store needs from the machine.
    var services: [TestEnvironment.Service] {
        self == .postgres ? [.postgreSQL] : []
    }

    /// The stores this machine can run: `postgres` only with PostgreSQL there, or under CI
    /// (where its absence fails). `PostgresAvailabilityTests` reports it missing as skipped.
    static var available: [StoreKind] {
        get async { await TestEnvironment.available(allCases, needing: \.services) }
    }

    /// The durable stores this machine can run.
    static var availableDurable: [StoreKind] {
        get async { await TestEnvironment.available(durable, needing: \.services) }
    }
}
