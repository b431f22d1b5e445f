import ChatCore
import ChatServer
import ChatStore
import Foundation
import TestSupport
import Testing

/// `rabbitchat bot …`: the real built binary on the store a running server uses, on SQLite and
/// PostgreSQL. What it makes works on the server at once, and its revokes hold at once.
@Suite("Bot command line", .timeLimit(.minutes(5)), .requires(.rabbitchat))
struct BotCommandTests {
    @Test(
        "bot create, list, hook create, hook list, hook revoke and revoke act on a running server's store",
        arguments: await TestDatabase.available)
    func bots(database: TestDatabase) async throws {
        try await database.with { location in
            let opened = try location.open()
            try await TestServer.with(ServerConfigurationFactory.make(), store: opened) { port, _ in
                let aliceToken = try await AccountTestClient.register(port: port, "alice")
                let alice = try await TestChatClient.connect(port: port, name: "alice")
                try await alice.hello(token: aliceToken)
                try await alice.join("deploys")

                let created = try await AdminCommand.run(
                    ["bot", "create", "ci", "--room", "deploys", "--room", "Releases"], on: location)
                #expect(created.status == 0, "\(created.errors)")
                #expect(created.lines.first == "created bot ci: posts to deploys, Releases")
                let token = try #require(
                    created.lines.first { $0.hasPrefix("token: ") }.map { String($0.dropFirst("token: ".count)) })
                #expect(token.hasPrefix("rcbot_") && token.count == 6 + 43)
                let taken = try await AdminCommand.run(["bot", "create", "ALICE", "--room", "deploys"], on: location)
                #expect(taken.status != 0)
                #expect(taken.errors.contains("name_taken"))
                let noRoom = try await AdminCommand.run(["bot", "create", "lonely"], on: location)
                #expect(noRoom.status != 0)
                #expect(noRoom.errors.contains("invalid_room"))

                let posted = try await HTTP.request(
                    "POST", port: port, path: "/api/rooms/deploys/messages", json: ["text": "shipped", "cid": "s1"],
                    headers: BotAPITests.bearer(token))
                #expect(posted.status == 201, "\(posted.body)")
                #expect(try await alice.expect("message").string("from") == "ci")

                let list = try await AdminCommand.run(["bot", "list"], on: location)
                #expect(list.status == 0)
                #expect(
                    list.lines.map { $0.split(separator: "\t").prefix(4).joined(separator: " ") }
                        == ["name rooms read state", "ci deploys,Releases no live"])

                let outside = try await AdminCommand.run(
                    ["bot", "hook", "create", "ci", "--room", "random"], on: location)
                #expect(outside.status != 0)
                #expect(outside.errors.contains("room_out_of_scope"))
                let hook = try await AdminCommand.run(
                    ["bot", "hook", "create", "ci", "--room", "DEPLOYS"], on: location)
                #expect(hook.status == 0, "\(hook.errors)")
                let path = try #require(
                    hook.lines.first { $0.hasPrefix("path: ") }.map { String($0.dropFirst("path: ".count)) })
                let id = try #require(
                    hook.lines.first?.split(separator: " ").dropFirst(2).first.map { String($0.dropLast()) })
                let viaHook = try await HTTP.request("POST", port: port, path: path, json: ["text": "from the hook"])
                #expect(viaHook.status == 200, "\(viaHook.body)")
                #expect(try await alice.expect("message").string("text") == "from the hook")
                let hooks = try await AdminCommand.run(["bot", "hook", "list", "--bot", "ci"], on: location)
                #expect(
                    hooks.lines.dropFirst().map { $0.split(separator: "\t").prefix(4).joined(separator: " ") }
                        == ["\(id) ci deploys live"])
                #expect(!hooks.output.contains(path.dropFirst("/hooks/".count)), "a secret is never listed")

                #expect(try await AdminCommand.run(["bot", "hook", "revoke", id], on: location).status == 0)
                #expect(try await HTTP.request("POST", port: port, path: path, json: ["text": "late"]).status == 404)
                let unknownHook = try await AdminCommand.run(["bot", "hook", "revoke", id], on: location)
                #expect(unknownHook.status != 0)
                #expect(unknownHook.errors.contains("no_such_hook"))

                #expect(try await AdminCommand.run(["bot", "revoke", "ci"], on: location).status == 0)
                let refused = try await HTTP.request(
                    "POST", port: port, path: "/api/rooms/deploys/messages", json: ["text": "late", "cid": "s2"],
                    headers: BotAPITests.bearer(token))
                #expect(refused.status == 401, "the running server refuses the revoked token at once")
                #expect(refused.errorCode == "token_revoked")
                let again = try await AdminCommand.run(["bot", "list"], on: location)
                #expect(again.lines.last?.contains("\trevoked\t") == true)
                await alice.close()
            }
        }
    }
}
