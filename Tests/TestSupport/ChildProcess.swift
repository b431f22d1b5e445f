import Foundation

/// Runs a command line tool the tests need (`rabbitmqctl`, a Python script) and collects what
/// it printed, bounded by coreutils' `timeout` so a hung tool cannot hang the test run.
public enum ChildProcess {
    /// How a run ended.
    public struct Outcome: Sendable {
        /// The exit status (124 when `timeout` stopped it).
        public var status: Int32
        /// Its standard output.
        public var output: String
    }

    /// Runs `executable` with `arguments`, blocking the calling thread until it exits.
    /// Only for places that cannot await (a `defer`); tests use `run(_:_:timeoutSeconds:)`.
    public static func runBlocking(_ executable: String, _ arguments: [String], timeoutSeconds: Int = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["\(timeoutSeconds)", executable] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Runs `executable` with `arguments` on a thread of its own (`BlockingWork`).
    public static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Int = 60) async throws -> Outcome {
        try await BlockingWork.run { try runBlocking(executable, arguments, timeoutSeconds: timeoutSeconds) }
    }
}
