import TestSupport
import Testing

/// The conformance tests take their `postgres` cases from `StoreKind.available`, which drops
/// them where PostgreSQL is missing: Swift Testing cannot report one case of a parameterized
/// test as skipped. This test makes the missing server visible in the report instead.
@Suite("PostgreSQL for the store conformance cases")
struct PostgresAvailabilityTests {
    @Test("PostgreSQL is there for the postgres cases", .requires(.postgreSQL))
    func postgresCasesRun() async {
        #expect(await StoreKind.available.contains(.postgres))
    }
}
