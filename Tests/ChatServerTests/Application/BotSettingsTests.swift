import ChatServer
import Testing

/// The bots' limits as `rabbitchat serve` reads them: flags, variables, help and bad values.
@Suite("Bot settings")
struct BotSettingsTests {
    @Test("flags and variables set the bot and hook rates and the body limit; bad values are refused by name")
    func settings() throws {
        let configuration = try ServerConfiguration.resolve(
            flags: ["bot-post-rate": "6", "bot-max-body-bytes": "2048"],
            environment: ["RABBITCHAT_HOOK_POST_RATE": "2.5"])
        #expect(configuration.bots.postsPerBot.perMinute == 6)
        #expect(configuration.bots.postsPerHook.perMinute == 2.5)
        #expect(configuration.bots.maxBodyBytes == 2_048)
        #expect(
            configuration.bots.postsPerBot.burst == BotsConfiguration().postsPerBot.burst, "bursts keep their defaults")
        #expect(ServerSetting.botPostRate.help.hasSuffix("[env: RABBITCHAT_BOT_POST_RATE] (default: 60)"))
        #expect(ServerSetting.all.contains { $0.flag == "hook-post-rate" }, "listed in --help and the config file")
        #expect {
            _ = try ServerConfiguration.resolve(flags: ["bot-max-body-bytes": "12"], environment: [:])
        } throws: { error in
            "\(error)".contains("bot-max-body-bytes")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.resolve(flags: [:], environment: ["RABBITCHAT_BOT_POST_RATE": "0"])
        }
    }
}
