import ChatCore
import ChatStore
import Testing

/// The behaviour every `AccountStore` promises, run against SQLite, PostgreSQL and memory alike.
@Suite("AccountStore conformance", .timeLimit(.minutes(2)))
struct AccountStoreConformanceTests {
    @Test("names are unique case-insensitively and keep their spelling", arguments: await StoreKind.available)
    func accountsAreUnique(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { _, accounts in
                let alice = Account(name: "Alice", passwordHash: "$2b$10$hash", createdAt: 1_700_000_000_000)
                try await accounts.createAccount(alice)
                #expect(try await accounts.account(named: "alice") == alice)
                #expect(try await accounts.account(named: "ALICE")?.name == "Alice")
                #expect(try await accounts.account(named: "bob") == nil)
                await #expect(throws: AccountStoreError(.nameTaken, "the name `aLiCe` is already registered")) {
                    try await accounts.createAccount(Account(name: "aLiCe", passwordHash: "x", createdAt: 1))
                }
                #expect(try await accounts.account(named: "alice")?.passwordHash == "$2b$10$hash")
            }
        }
    }

    @Test("tokens are valid until they expire or are revoked, and say which", arguments: await StoreKind.available)
    func tokenLifecycle(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { _, accounts in
                try await accounts.createAccount(Account(name: "bob", passwordHash: "h", createdAt: 1))
                let token = AccessTokenRecord(tokenHash: "aa11", user: "bob", createdAt: 1_000, expiresAt: 5_000)
                try await accounts.storeToken(token)
                #expect(try await accounts.lookUpToken(hash: "aa11", now: 4_999) == .valid(user: "bob"))
                #expect(try await accounts.lookUpToken(hash: "aa11", now: 5_000) == .expired)
                #expect(try await accounts.lookUpToken(hash: "bb22", now: 2_000) == .unknown)
                #expect(try await accounts.revokeToken(hash: "aa11", now: 2_000))
                #expect(try await accounts.lookUpToken(hash: "aa11", now: 2_001) == .revoked)
                #expect(
                    try await accounts.revokeToken(hash: "aa11", now: 2_002) == false, "revoking twice changes nothing")
                #expect(try await accounts.revokeToken(hash: "cc33", now: 2_002) == false)
            }
        }
    }

    @Test("accounts and tokens survive reopening", arguments: await StoreKind.availableDurable)
    func accountsSurviveReopening(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { _, accounts in
                try await accounts.createAccount(Account(name: "carol", passwordHash: "hash", createdAt: 7))
                try await accounts.storeToken(
                    AccessTokenRecord(tokenHash: "t1", user: "carol", createdAt: 1, expiresAt: .max))
            }
            try await fixture.open { (_, accounts) async throws -> Void in
                #expect(
                    try await accounts.account(named: "carol")
                        == Account(name: "carol", passwordHash: "hash", createdAt: 7))
                #expect(try await accounts.lookUpToken(hash: "t1", now: 2) == .valid(user: "carol"))
            }
        }
    }
}

/// The operator's account changes (`rabbitchat user …`), on every store.
@Suite("AccountStore administration", .timeLimit(.minutes(2)))
struct AccountAdministrationConformanceTests {
    @Test("admin and disabled flags, password resets, and the list", arguments: await StoreKind.available)
    func administration(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { _, accounts in
                try await accounts.createAccount(Account(name: "Bob", passwordHash: "h1", createdAt: 2))
                try await accounts.createAccount(Account(name: "alice", passwordHash: "h0", createdAt: 1))
                #expect(try await accounts.allAccounts().map(\.name) == ["alice", "Bob"])
                #expect(try await accounts.account(named: "bob")?.isAdmin == false)

                #expect(try await accounts.setAdmin(true, name: "BOB"))
                #expect(try await accounts.account(named: "bob")?.isAdmin == true)
                #expect(try await accounts.setAdmin(true, name: "nobody") == false)

                try await accounts.storeToken(
                    AccessTokenRecord(tokenHash: "b1", user: "Bob", createdAt: 10, expiresAt: .max))
                try await accounts.storeToken(
                    AccessTokenRecord(tokenHash: "a1", user: "alice", createdAt: 10, expiresAt: .max))
                #expect(try await accounts.setDisabled(true, name: "bob", now: 20))
                #expect(try await accounts.lookUpToken(hash: "b1", now: 21) == .disabled, "refused at once")
                #expect(
                    try await accounts.lookUpToken(hash: "a1", now: 21) == .valid(user: "alice"), "others are untouched"
                )
                #expect(try await accounts.account(named: "bob")?.isDisabled == true)
                #expect(try await accounts.setDisabled(false, name: "bob", now: 30))
                #expect(
                    try await accounts.lookUpToken(hash: "b1", now: 31) == .revoked,
                    "enabling again does not revive old tokens")
                #expect(try await accounts.setDisabled(true, name: "nobody", now: 30) == false)

                #expect(try await accounts.updatePasswordHash("h2", of: "ALICE", now: 40))
                #expect(try await accounts.account(named: "alice")?.passwordHash == "h2")
                #expect(
                    try await accounts.lookUpToken(hash: "a1", now: 41) == .revoked, "a reset signs out every device")
                #expect(try await accounts.updatePasswordHash("h3", of: "nobody", now: 40) == false)
                #expect(
                    try await accounts.allAccounts().map { [$0.name, "\($0.isAdmin)", "\($0.isDisabled)"] }
                        == [["alice", "false", "false"], ["Bob", "true", "false"]])
            }
        }
    }
}
