import TestSupport
import Testing

/// The per-database tests take their `postgres` cases from `TestDatabase.available`, which drops
/// them where PostgreSQL is missing: Swift Testing cannot report one case of a parameterized
/// test as skipped. This test makes the missing server visible in the report instead.
@Suite("PostgreSQL for the per-database cases")
struct PostgresAvailabilityTests {
    @Test("PostgreSQL is there for the postgres cases", .requires(.postgreSQL))
    func postgresCasesRun() async {
        #expect(await TestDatabase.available.contains(.postgres))
    }
}
