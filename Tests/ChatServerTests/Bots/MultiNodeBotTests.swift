import Foundation
import TestSupport
import Testing

/// Bots across two `rabbitchat serve` processes on RabbitMQ and PostgreSQL: a post or a hook
/// taken by one node reaches a member on the other, and a revoke made at the command line holds
/// on both at once.
@Suite("MultiNode: bots across server processes", MultiNodeCluster.required, .timeLimit(.minutes(3)))
struct MultiNodeBotTests {
    @Test("a bot's post and a hook's post on node 0 reach a member on node 1; a revoke holds on both")
    func botsAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("ops")
            let botName = MultiNodeCluster.unique("bot")
            let bob = try await TestChatClient.connect(port: nodes[1].port, name: "bob")
            try await bob.hello(MultiNodeCluster.unique("bob"))
            try await bob.join(room)

            let created = try await AdminCommand.run(
                ["bot", "create", botName, "--room", room], databaseURL: MultiNodeCluster.databaseURL)
            #expect(created.status == 0, "\(created.errors)")
            let token = try #require(
                created.lines.first { $0.hasPrefix("token: ") }.map { String($0.dropFirst("token: ".count)) })
            let hook = try await AdminCommand.run(
                ["bot", "hook", "create", botName, "--room", room], databaseURL: MultiNodeCluster.databaseURL)
            #expect(hook.status == 0, "\(hook.errors)")
            let path = try #require(
                hook.lines.first { $0.hasPrefix("path: ") }.map { String($0.dropFirst("path: ".count)) })

            let posted = try await HTTP.request(
                "POST", port: nodes[0].port, path: "/api/rooms/\(room)/messages",
                json: ["text": "from node 0", "cid": "x1"], headers: BotAPITests.bearer(token))
            #expect(posted.status == 201, "\(posted.body)")
            let seen = try await bob.expect("message")
            #expect(seen.string("from") == botName)
            #expect(seen.int("seq") == (posted["seq"] as? NSNumber)?.intValue)
            let viaHook = try await HTTP.request("POST", port: nodes[0].port, path: path, json: ["text": "hooked"])
            #expect(viaHook.status == 200, "\(viaHook.body)")
            #expect(try await bob.expect("message").string("text") == "hooked")

            #expect(
                try await AdminCommand.run(["bot", "revoke", botName], databaseURL: MultiNodeCluster.databaseURL).status
                    == 0)
            for node in nodes {
                let refused = try await HTTP.request(
                    "POST", port: node.port, path: "/api/rooms/\(room)/messages",
                    json: ["text": "late", "cid": "x2"], headers: BotAPITests.bearer(token))
                #expect(refused.errorCode == "token_revoked", "node \(node.nodeID)")
                #expect(
                    try await HTTP.request("POST", port: node.port, path: path, json: ["text": "late"]).status == 404)
            }
            await bob.close()
        }
    }
}
