import ChatCore
import ChatStore
import Testing

/// The behaviour every `BotStore` promises (migration 9), run against SQLite, PostgreSQL and
/// memory alike.
@Suite("BotStore conformance", .timeLimit(.minutes(2)))
struct BotStoreConformanceTests {
    static let scope = BotScope(rooms: ["Deploys", "alerts"], mayRead: false)

    static func makeBot(_ name: String, scope: BotScope = scope, at time: Int64 = 1_000) -> (Bot, Account) {
        (
            Bot(name: name, scope: scope, createdBy: "root", createdAt: time),
            Account(name: name, passwordHash: "$2b$10$unusable", createdAt: time)
        )
    }

    @Test(
        "a bot is an account of its name, found in any case by name and by token hash",
        arguments: await StoreKind.available)
    func botIsAnAccount(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let (ci, ciAccount) = Self.makeBot("CI")
                try await store.createBot(ci, account: ciAccount, tokenHash: "hash-ci")
                #expect(try await store.bot(named: "ci") == ci)
                #expect(
                    try await store.account(named: "ci")?.name == "CI",
                    "the bot's name is an account: no one else gets it")
                #expect(try await store.lookUpBotToken(hash: "hash-ci") == .valid(ci))
                #expect(try await store.lookUpBotToken(hash: "hash-other") == .unknown)
                #expect(
                    try await store.lookUpToken(hash: "hash-ci", now: 2_000) == .unknown,
                    "a bot token is no account token")

                await #expect(throws: BotStoreError.self) {
                    try await store.createBot(ci, account: ciAccount, tokenHash: "hash-ci-2")
                }
                try await store.createAccount(Account(name: "alice", passwordHash: "h", createdAt: 1))
                let (alice, aliceAccount) = Self.makeBot("Alice")
                await #expect(
                    throws: BotStoreError(.nameTaken, "the name `Alice` is already taken by an account or a bot")
                ) {
                    try await store.createBot(alice, account: aliceAccount, tokenHash: "hash-alice")
                }
                #expect(
                    try await store.lookUpBotToken(hash: "hash-alice") == .unknown,
                    "nothing of the refused bot was kept")

                let (reader, readerAccount) = Self.makeBot("a-reader", scope: BotScope(rooms: ["news"], mayRead: true))
                try await store.createBot(reader, account: readerAccount, tokenHash: "hash-reader")
                #expect(try await store.allBots() == [reader, ci])
                #expect(try await store.bot(named: "a-reader")?.scope.mayRead("NEWS") == true)
            }
        }
    }

    @Test("hooks post as a live bot; revoking a hook or its bot refuses it", arguments: await StoreKind.available)
    func hooksAndRevocation(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let (ci, ciAccount) = Self.makeBot("ci")
                try await store.createBot(ci, account: ciAccount, tokenHash: "token-ci")
                let first = Webhook(id: "aaaaaaaaaaaa", bot: "ci", room: "Deploys", createdBy: "root", createdAt: 2_000)
                let second = Webhook(
                    id: "bbbbbbbbbbbb", bot: "CI", room: "alerts", createdBy: "(operator)", createdAt: 3_000)
                try await store.createWebhook(first, secretHash: "secret-1")
                try await store.createWebhook(second, secretHash: "secret-2")
                var secondAsStored = second
                secondAsStored.bot = "ci"
                #expect(
                    try await store.webhooks(of: "CI") == [first, secondAsStored],
                    "oldest first, the bot as spelt when made")
                #expect(try await store.webhooks(of: nil) == [first, secondAsStored])
                #expect(try await store.webhooks(of: "nobody").isEmpty)
                #expect(try await store.lookUpWebhook(secretHash: "secret-1") == .valid(first, ci))
                #expect(try await store.lookUpWebhook(secretHash: "secret-9") == .unknown)

                #expect(try await store.revokeWebhook(id: "aaaaaaaaaaaa", now: 4_000))
                #expect(
                    try await store.revokeWebhook(id: "aaaaaaaaaaaa", now: 4_001) == false,
                    "revoking twice changes nothing")
                #expect(try await store.revokeWebhook(id: "cccccccccccc", now: 4_001) == false)
                #expect(try await store.lookUpWebhook(secretHash: "secret-1") == .revoked)
                #expect(try await store.lookUpWebhook(secretHash: "secret-2") == .valid(secondAsStored, ci))

                #expect(try await store.revokeBot(named: "CI", now: 5_000))
                #expect(try await store.revokeBot(named: "ci", now: 5_001) == false)
                #expect(try await store.revokeBot(named: "nobody", now: 5_001) == false)
                #expect(try await store.lookUpBotToken(hash: "token-ci") == .revoked)
                #expect(
                    try await store.lookUpWebhook(secretHash: "secret-2") == .revoked, "a bot's revoke takes its hooks")
                #expect(try await store.webhooks(of: "ci").map(\.revokedAt) == [4_000, 5_000])
                #expect(try await store.bot(named: "ci")?.revokedAt == 5_000)
                await #expect(throws: BotStoreError.self) {
                    try await store.createWebhook(
                        Webhook(id: "dddddddddddd", bot: "ci", room: "alerts", createdBy: "root", createdAt: 6_000),
                        secretHash: "secret-3")
                }
                await #expect(throws: BotStoreError.self) {
                    try await store.createWebhook(
                        Webhook(id: "eeeeeeeeeeee", bot: "ghost", room: "alerts", createdBy: "root", createdAt: 6_000),
                        secretHash: "secret-4")
                }
            }
        }
    }

    @Test("a disabled bot account refuses its token and hooks", arguments: await StoreKind.available)
    func disabledAccount(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let (ci, ciAccount) = Self.makeBot("ci")
                try await store.createBot(ci, account: ciAccount, tokenHash: "token-ci")
                try await store.createWebhook(
                    Webhook(id: "aaaaaaaaaaaa", bot: "ci", room: "alerts", createdBy: "root", createdAt: 2_000),
                    secretHash: "secret-1")
                #expect(try await store.setDisabled(true, name: "ci", now: 3_000))
                #expect(try await store.lookUpBotToken(hash: "token-ci") == .revoked)
                #expect(try await store.lookUpWebhook(secretHash: "secret-1") == .revoked)
            }
        }
    }

    @Test("bots and hooks survive reopening", arguments: await StoreKind.availableDurable)
    func survivesReopening(kind: StoreKind) async throws {
        let (ci, ciAccount) = Self.makeBot("ci")
        let hook = Webhook(id: "aaaaaaaaaaaa", bot: "ci", room: "alerts", createdBy: "root", createdAt: 2_000)
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await store.createBot(ci, account: ciAccount, tokenHash: "token-ci")
                try await store.createWebhook(hook, secretHash: "secret-1")
            }
            try await fixture.openRoomStore { (store) async throws -> Void in
                #expect(try await store.lookUpBotToken(hash: "token-ci") == .valid(ci))
                #expect(try await store.lookUpWebhook(secretHash: "secret-1") == .valid(hook, ci))
                #expect(try await store.allBots() == [ci])
            }
        }
    }
}
