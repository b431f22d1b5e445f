import ArgumentParser
import ChatCore
import ChatServer
import ChatStore
import Foundation
import Logging

/// `rabbitchat prune`: removes history older than an age now, whatever the retention settings
/// say; `--dry-run` shows what would go (docs/OPERATIONS.md, "Retention and pruning").
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract:
            "Prune messages older than an age (30d, 12h), in every conversation or one room; --dry-run shows what would go."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "The age: a number of days (30d) or hours (12h).") var olderThan: String
    @Option(help: "Only this room (any case).") var room: String?
    @Flag(help: "Show what would be pruned, per conversation; prune nothing.") var dryRun = false
    @Option(help: "Most messages one transaction deletes (the server's pruning uses 500).") var batchSize = 500
    @Option(help: "Milliseconds to wait after a full batch (the server's pruning waits 50).") var pauseMs = 50

    /// `olderThan` in milliseconds.
    var age: Int64 {
        get throws {
            let units: [Character: Int64] = ["d": 86_400_000, "h": 3_600_000]
            guard let unit = olderThan.last.flatMap({ units[$0] }), let count = Int64(olderThan.dropLast()),
                (1...Int64(RetentionPolicy.maxDays) * 24).contains(unit == 3_600_000 ? count : count * 24)
            else {
                throw ValidationError(
                    "--older-than: a whole number of days or hours, like 30d or 12h, not `\(olderThan)`")
            }
            return count * unit
        }
    }

    func validate() throws {
        _ = try age
        guard batchSize >= 1 else { throw ValidationError("--batch-size: at least 1") }
        guard pauseMs >= 0 else { throw ValidationError("--pause-ms: 0 or more") }
    }

    func run() async throws {
        let cutoff = ChatClock.wallMillis() - (try age)
        let lines = try await store.withStore { store in
            guard let retention = store as? any MessageRetention else {
                throw CommandFailure("this store cannot prune")
            }
            if dryRun {
                let previews = try await retention.prunePreview(before: cutoff, room: room)
                var lines = ["conversation\tmessages\tthrough seq"]
                lines += previews.map { "\($0.conversation.key)\t\($0.count)\t\($0.throughSeq)" }
                lines.append(
                    "would prune \(previews.reduce(0) { $0 + $1.count }) message(s) stored before \(Timestamp.iso(cutoff)) in \(previews.count) conversation(s)"
                )
                return lines
            }
            var logger = Logger(label: "rabbitchat-prune")
            logger.logLevel = .warning
            var pace = RetentionService.Configuration()
            pace.batchSize = batchSize
            pace.pauseBetweenBatches = .milliseconds(pauseMs)
            let pruned = try await RetentionService(store: retention, configuration: pace, logger: logger)
                .prune(before: cutoff, room: room)
            var lines = ["conversation\tmessages"]
            lines += pruned.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value)" }
            lines.append(
                "pruned \(pruned.values.reduce(0, +)) message(s) stored before \(Timestamp.iso(cutoff)) in \(pruned.count) conversation(s)"
            )
            return lines
        }
        for line in lines { print(line) }
    }
}
