import ChatStore
import Foundation
import Synchronization
import TestSupport

/// Runs the built `rabbitchat user …` / `rabbitchat room …` as an operator would, feeding it
/// standard input and collecting what it printed.
enum AdminCommand {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var errors: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// The `--database-url` of a test location: the SQLite file, or the test PostgreSQL with
    /// the location's schema.
    static func databaseURL(_ location: TestDatabase.Location) -> String {
        if let path = location.sqlitePath { return "sqlite://\(path)" }
        let base = TestDatabase.postgresURL
        return base + (base.contains("?") ? "&" : "?") + "schema=\(location.postgres!.schema!)"
    }

    /// Runs `rabbitchat <arguments> --database-url <location>` with `input` on standard input,
    /// bounded by coreutils' `timeout`.
    static func run(
        _ arguments: [String], on location: TestDatabase.Location, input: String = ""
    ) async throws -> Outcome {
        try await run(arguments, databaseURL: databaseURL(location), input: input)
    }

    /// Runs `rabbitchat <arguments> --database-url <url>` with `input` on standard input.
    static func run(_ arguments: [String], databaseURL url: String, input: String = "") async throws -> Outcome {
        try await BlockingWork.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["60", TestEnvironment.rabbitchatBinary] + arguments + ["--database-url", url]
            let stdin = Pipe()
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            // Read both pipes to their end before waiting, so a chatty child never blocks on a full pipe.
            let errors = Mutex<Data>(Data())
            let reader = Thread { errors.withLock { $0 = stderr.fileHandleForReading.readDataToEndOfFile() } }
            reader.start()
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            while reader.isExecuting || !reader.isFinished { usleep(1_000) }
            return Outcome(
                status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                errors: String(decoding: errors.withLock { $0 }, as: UTF8.self))
        }
    }
}
