import ArgumentParser
import ChatCore
import ChatStore
import Foundation

/// `rabbitchat import`: reads a `rabbitchat export` file into the store (docs/OPERATIONS.md,
/// "Export and import").
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import an export file: its rooms and conversations with their seqs, epochs and every message's state.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The export file (JSON Lines); - reads standard input.") var path: String

    func run() async throws {
        let reader = try LineReader(path: path)
        let summary = try await store.withStore { store in
            guard let archivable = store as? any ArchivableStore else {
                throw CommandFailure("this store cannot import")
            }
            do {
                return try await HistoryImporter(store: archivable).importLines(
                    now: ChatClock.wallMillis(), reader.next)
            } catch let error as ArchiveError {
                throw CommandFailure("\(path): \(error.description)")
            }
        }
        print(
            "imported \(summary.conversations) conversation(s), \(summary.messages) message(s); rooms created: "
                + "\(summary.roomsCreated), kept as they were: \(summary.roomsKept); authored room messages skipped: \(summary.skipped)"
        )
    }
}
