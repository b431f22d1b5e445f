import ChatCore

extension ServerSetting {
    /// The settings of bots and incoming webhooks (`BotsConfiguration`); bursts keep their defaults.
    static let botSettings: [ServerSetting] = [botPostRate, hookPostRate, botMaxBodyBytes]

    public static let botPostRate = ServerSetting(
        "bot-post-rate",
        summary: "Sustained posts per minute per bot over POST /api/rooms/:room/messages (beyond: 429).",
        default: { $0.bots.postsPerBot.perMinute.compactDescription }
    ) { value, configuration throws(Problem) in
        configuration.bots.postsPerBot.perMinute = try rate(value, limit: 60_000)
    }

    public static let hookPostRate = ServerSetting(
        "hook-post-rate", summary: "Sustained posts per minute per incoming webhook (beyond: 429).",
        default: { $0.bots.postsPerHook.perMinute.compactDescription }
    ) { value, configuration throws(Problem) in
        configuration.bots.postsPerHook.perMinute = try rate(value, limit: 60_000)
    }

    public static let botMaxBodyBytes = ServerSetting(
        "bot-max-body-bytes", summary: "Largest request body of a bot post or a webhook, in bytes (larger: 413).",
        default: { "\($0.bots.maxBodyBytes)" }
    ) { value, configuration throws(Problem) in
        configuration.bots.maxBodyBytes = try integer(value, in: 1_024...(16 << 20))
    }
}
