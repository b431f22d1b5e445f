import ChatCore
import ChatServer
import ChatStore
import Foundation
import TestSupport
import Testing

/// `rabbitchat user …` and `rabbitchat room …`: the real built binary on the store a running
/// server uses, on SQLite and PostgreSQL.
@Suite("Admin command line", .timeLimit(.minutes(5)), .requires(.rabbitchat))
struct AdminCommandTests {
    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test(
        "user create, list, reset-password, disable and grant-admin act on a running server's store at once",
        arguments: await TestDatabase.available)
    func users(database: TestDatabase) async throws {
        try await database.with { location in
            // The first admin is made before any server ever ran on the store.
            let created = try await AdminCommand.run(
                ["user", "create", "root", "--admin", "--password-stdin"], on: location, input: "first admin pass\n")
            #expect(created.status == 0, "\(created.errors)")
            #expect(created.lines == ["created root (admin)"], "a password given on stdin is never printed")

            let opened = try location.open()
            try await TestServer.with(ServerConfigurationFactory.make(), store: opened) { port, _ in
                let bobCreated = try await AdminCommand.run(["user", "create", "Bob"], on: location)
                #expect(bobCreated.status == 0, "\(bobCreated.errors)")
                let generated = try #require(
                    bobCreated.lines.first { $0.hasPrefix("password: ") }?.dropFirst("password: ".count))
                #expect(generated.count == 20)
                let duplicate = try await AdminCommand.run(["user", "create", "bob"], on: location)
                #expect(duplicate.status != 0)
                #expect(duplicate.errors.contains("already registered"))
                let badName = try await AdminCommand.run(["user", "create", "no spaces"], on: location)
                #expect(badName.status != 0)
                let shortPassword = try await AdminCommand.run(
                    ["user", "create", "carl", "--password-stdin"], on: location, input: "short\n")
                #expect(shortPassword.status != 0)
                #expect(shortPassword.errors.contains("password must be"))

                let rootToken = try await AccountTestClient.login(port: port, "root", password: "first admin pass")
                let bobToken = try await AccountTestClient.login(port: port, "bob", password: String(generated))
                #expect(
                    try await HTTP.request("GET", port: port, path: "/api/me", headers: Self.bearer(bobToken)).status
                        == 200)

                let list = try await AdminCommand.run(["user", "list"], on: location)
                #expect(list.status == 0)
                #expect(
                    list.lines.map { $0.split(separator: "\t").prefix(3).joined(separator: " ") }
                        == ["name admin disabled", "Bob no no", "root yes no"])

                let disabled = try await AdminCommand.run(["user", "disable", "bob"], on: location)
                #expect(disabled.status == 0, "\(disabled.errors)")
                let me = try await HTTP.request("GET", port: port, path: "/api/me", headers: Self.bearer(bobToken))
                #expect(me.status == 403, "the running server refuses the token at once")
                #expect(me.errorCode == "account_disabled")
                let login = try await HTTP.request(
                    "POST", port: port, path: "/api/login", json: ["name": "bob", "password": String(generated)])
                #expect(login.errorCode == "account_disabled")
                #expect(try await AdminCommand.run(["user", "disable", "bob", "--enable"], on: location).status == 0)
                _ = try await AccountTestClient.login(port: port, "bob", password: String(generated))

                let reset = try await AdminCommand.run(
                    ["user", "reset-password", "ROOT", "--password-stdin"], on: location, input: "second admin pass\n")
                #expect(reset.status == 0, "\(reset.errors)")
                let revoked = try await HTTP.request(
                    "GET", port: port, path: "/api/me", headers: Self.bearer(rootToken))
                #expect(revoked.errorCode == "token_revoked", "a reset signs the account out everywhere")
                _ = try await AccountTestClient.login(port: port, "root", password: "second admin pass")

                #expect(try await AdminCommand.run(["user", "grant-admin", "bob"], on: location).status == 0)
                let accounts = try #require(opened as? any AccountStore)
                #expect(try await accounts.account(named: "bob")?.isAdmin == true)
                #expect(
                    try await AdminCommand.run(["user", "grant-admin", "bob", "--revoke"], on: location).status == 0)
                #expect(try await accounts.account(named: "bob")?.isAdmin == false)

                for command in [
                    ["user", "disable", "nobody"], ["user", "grant-admin", "nobody"],
                    ["user", "reset-password", "nobody"],
                ] {
                    let missing = try await AdminCommand.run(command, on: location)
                    #expect(missing.status != 0, "\(command)")
                    #expect(missing.errors.contains("no account `nobody`"), "\(command): \(missing.errors)")
                }
            }
        }
    }

    @Test("room list, show, set-owner and delete act as the operator", arguments: await TestDatabase.available)
    func rooms(database: TestDatabase) async throws {
        try await database.with { location in
            for name in ["alice", "bob"] {
                #expect(try await AdminCommand.run(["user", "create", name], on: location).status == 0)
            }
            let opened = try location.open()
            try await TestServer.with(ServerConfigurationFactory.make(), store: opened) { _, _ in
                let store = try #require(opened as? any DatabaseURL.DurableStore)
                _ = try await store.createRoom(
                    Room(name: "Lobby", topic: "say hi", visibility: .private, creator: "alice", createdAt: 1))
                _ = try await store.join(room: "plaza", user: "guest1", now: 2)
                try await store.ban("troll", from: "lobby", until: nil, reason: "spam", by: .user("alice"), now: 3)

                let list = try await AdminCommand.run(["room", "list"], on: location)
                #expect(list.status == 0, "\(list.errors)")
                #expect(
                    list.lines == [
                        "name\tvisibility\tmembers\ttopic", "Lobby\tprivate\t1\tsay hi", "plaza\tpublic\t0\t",
                    ])

                let setOwner = try await AdminCommand.run(["room", "set-owner", "LOBBY", "bob"], on: location)
                #expect(setOwner.status == 0, "\(setOwner.errors)")
                #expect(try await store.role(of: "bob", in: "lobby") == .owner, "the running server's store sees it")
                let ghost = try await AdminCommand.run(["room", "set-owner", "lobby", "ghost"], on: location)
                #expect(ghost.status != 0)
                #expect(ghost.errors.contains("no_such_user"))

                let show = try await AdminCommand.run(["room", "show", "lobby"], on: location)
                #expect(show.status == 0, "\(show.errors)")
                #expect(show.lines.prefix(3) == ["name: Lobby", "visibility: private", "topic: say hi"])
                #expect(show.lines.contains("  alice\towner") && show.lines.contains("  bob\towner"))
                #expect(show.lines.contains { $0.hasPrefix("  troll\tuntil forever\tby alice\tspam") })
                #expect(show.lines.contains { $0.contains("\t(operator)\trole\tbob\towner") })

                let delete = try await AdminCommand.run(["room", "delete", "Lobby"], on: location)
                #expect(delete.status == 0, "\(delete.errors)")
                #expect(try await store.room(named: "lobby") == nil)
                let again = try await AdminCommand.run(["room", "show", "lobby"], on: location)
                #expect(again.status != 0)
                #expect(again.errors.contains("no_such_room"))
                #expect(
                    try await AdminCommand.run(["room", "delete", "lobby"], on: location).errors.contains(
                        "no_such_room"))
            }
            let afterwards = try await AdminCommand.run(["user", "list"], on: location)
            #expect(afterwards.lines.count == 3, "the store is there with no server running: \(afterwards.errors)")
        }
    }

    @Test("the command line refuses the memory store, which keeps nothing to administer")
    func memoryRefused() async throws {
        let outcome = try await BlockingWork.run {
            try ChildProcess.runBlocking(
                TestEnvironment.rabbitchatBinary, ["user", "list", "--database-url", "memory:"])
        }
        #expect(outcome.status != 0)
    }
}
