import ArgumentParser
import ChatCore
import ChatStore
import Foundation

/// `rabbitchat export`: a room's or a user's history as JSON Lines (docs/OPERATIONS.md,
/// "Export and import").
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a room's history, or a user's direct conversations and room messages, as JSON Lines.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The room to export (any case).") var room: String?
    @Option(help: "The user to export: their direct conversations and the messages they sent in rooms.") var user:
        String?
    @Option(help: "The format: jsonl (one JSON object per line).") var format = "jsonl"
    @Option(name: .shortAndLong, help: "The file to write; standard output when not given.") var output: String?

    func validate() throws {
        guard (room == nil) != (user == nil) else { throw ValidationError("give --room or --user (one of them)") }
        guard format == "jsonl" else { throw ValidationError("--format: only jsonl is supported, not `\(format)`") }
    }

    func run() async throws {
        let writer = try LineWriter(path: output)
        let summary = try await store.withStore { store in
            guard let archivable = store as? any ArchivableStore else {
                throw CommandFailure("this store cannot export")
            }
            let exporter = HistoryExporter(store: archivable)
            let now = ChatClock.wallMillis()
            do {
                if let room {
                    return try await exporter.exportRoom(room, now: now, to: writer.write)
                }
                return try await exporter.exportUser(user ?? "", now: now, to: writer.write)
            } catch let error as ArchiveError {
                throw CommandFailure(error.description)
            }
        }
        try writer.close()
        // Standard output may be the export itself: the summary goes to standard error.
        FileHandle.standardError.write(
            Data(
                "exported \(summary.conversations) conversation(s), \(summary.messages) message(s), \(summary.authored) authored room message(s)\n"
                    .utf8))
    }
}
