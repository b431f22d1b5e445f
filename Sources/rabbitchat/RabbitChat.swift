import ArgumentParser

/// The `rabbitchat` command: the chat server and its tools.
@main
struct RabbitChat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rabbitchat",
        abstract: "A self-hosted real-time chat server.",
        subcommands: [Serve.self, Bench.self, Config.self, UserCommand.self, RoomCommand.self, BotCommand.self],
        defaultSubcommand: Serve.self
    )
}
