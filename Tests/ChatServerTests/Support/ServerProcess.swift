import Foundation
import TestSupport

/// A real `rabbitchat serve` process, for tests that need several nodes, signals and crashes.
final class ServerProcess: Sendable {
    let port: Int
    let nodeID: String
    private let process: Process
    let logPath: String

    /// The built executable (`TestEnvironment.rabbitchatBinary`).
    static var binary: String { TestEnvironment.rabbitchatBinary }

    /// Starts a node on a free port and waits until `/healthz` answers.
    static func start(nodeID: String, arguments: [String]) async throws -> ServerProcess {
        let port = try FreePort.find()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["serve", "--host", "127.0.0.1", "--port", "\(port)", "--node-id", nodeID, "--log-level", "info"]
            + arguments
        let logPath = NSTemporaryDirectory() + "rabbitchat-\(nodeID)-\(port).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = ServerProcess(port: port, nodeID: nodeID, process: process, logPath: logPath)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                throw TestChatClient.Failure(description: "node \(nodeID) exited: \(server.log)")
            }
            if let health = try? await HTTP.get(port: port, path: "/healthz"), health.status == 200 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.kill()
        throw TestChatClient.Failure(description: "node \(nodeID) did not become healthy: \(server.log)")
    }

    private init(port: Int, nodeID: String, process: Process, logPath: String) {
        self.port = port
        self.nodeID = nodeID
        self.process = process
        self.logPath = logPath
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool { process.isRunning }

    /// The process's resident memory in KiB (`VmRSS` of /proc), or nil once it exited.
    var residentKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// SIGTERM, then waits for the exit status.
    func terminate() async -> Int32 {
        process.terminate()
        return await waitForExit()
    }

    /// SIGKILL: the node dies without a goodbye.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    func waitForExit() async -> Int32 {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Finds a free TCP port on the loopback interface.
enum FreePort {
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestChatClient.Failure(description: "bind failed") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `rabbitmqctl` and returns its output, on a thread of its own (`BlockingWork`).
enum RabbitMQCtl {
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        try await ChildProcess.run(TestEnvironment.rabbitmqctlPath, arguments).output
    }
}
