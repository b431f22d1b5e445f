import ArgumentParser
import ChatServer

/// `rabbitchat config`: the server's configuration file.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with a configuration file.", subcommands: [Check.self])

    /// `rabbitchat config check FILE`: is the file one `serve --config` would accept?
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a configuration file: every key known, every value valid; names the first bad key.")

        @Argument(help: "The YAML configuration file.")
        var path: String

        func run() async throws {
            do {
                let file = try ConfigurationFile.load(path: path)
                _ = try ServerConfiguration.resolve(flags: [:], environment: [:], file: file)
                print("\(path): ok, \(file.values.count) setting\(file.values.count == 1 ? "" : "s")")
            } catch {
                print("\(error.description)")
                throw ExitCode(1)
            }
        }
    }
}
