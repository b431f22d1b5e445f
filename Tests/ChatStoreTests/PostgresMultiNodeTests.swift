import ChatCore
import ChatStore
import TestSupport
import Testing

/// Several nodes on one PostgreSQL: each with its own client (connection pool), as separate
/// server processes would be.
@Suite("PostgreSQL shared by several nodes", .requires(.postgreSQL), .timeLimit(.minutes(2)))
struct PostgresMultiNodeTests {
    @Test("two nodes appending to one conversation get exactly 1…200, each seq once")
    func seqIsGapFreeAcrossNodes() async throws {
        let configuration = try await PostgresTestDatabase.freshConfiguration()
        do {
            try await run(configuration)
        } catch {
            await PostgresTestDatabase.drop(schema: configuration.schema!, client: configuration.client)
            throw error
        }
        await PostgresTestDatabase.drop(schema: configuration.schema!, client: configuration.client)
    }

    func run(_ configuration: PostgresMessageStore.Configuration) async throws {
        let nodeA = try PostgresMessageStore(configuration: configuration, logger: PostgresTestDatabase.logger)
        let nodeB = try PostgresMessageStore(configuration: configuration, logger: PostgresTestDatabase.logger)
        // Both start (and migrate) at the same moment: the advisory lock keeps that safe.
        let (results, versions): ([AppendResult], [Int]) = try await StoreFixture.running(nodeA) {
            try await StoreFixture.running(nodeB) {
                let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
                    for (index, node) in [nodeA, nodeB, nodeA, nodeB].enumerated() {
                        group.addTask {
                            var results: [AppendResult] = []
                            for n in 0..<50 {
                                results.append(
                                    try await node.append(
                                        MessageDraft(
                                            conversation: .room("shared"), from: "user\(index)", text: "m\(n)",
                                            clientID: "c\(n)", timestamp: ChatClock.wallMillis())))
                            }
                            return results
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                return (results, try await nodeB.appliedMigrations())
            }
        }
        #expect(results.map(\.message.seq).sorted() == Array(1...200))
        #expect(results.allSatisfy { !$0.duplicate })
        #expect(versions == Array(1...12), "each migration recorded once")
    }
}
