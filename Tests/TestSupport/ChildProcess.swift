import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a command line tool the tests need (`rabbitmqctl`, a Python script, a script that starts
/// daemons) and collects what it printed; every wait is bounded.
///
/// Not Foundation's `Process`: on Linux it learns that a child exited when a socket it hands
/// the child closes, and every daemon the child starts inherits that socket (RabbitMQ nodes,
/// `epmd`). `waitUntilExit` then never returns although the child exited long ago (it stays a
/// zombie). Here the child is spawned with only stdin, stdout and stderr open, its output goes to
/// files (a daemon holding them cannot block a reader), and its exit is polled with `waitpid`
/// against a deadline. The command runs under coreutils' `timeout` in a process group of its
/// own, which is killed whole if even `timeout` overstays.
public enum ChildProcess {
    /// How a run ended.
    public struct Outcome: Sendable {
        /// The exit status (124 when `timeout` stopped it, 128 + the signal when one killed it).
        public var status: Int32
        /// Its standard output.
        public var output: String
        /// Its standard error.
        public var errorOutput: String
    }

    /// A child that could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// How long past its `timeout` a child may take before its process group is killed.
    static let overstay = 10.0

    /// Runs `executable` with `arguments`, blocking the calling thread until it exits.
    /// Only for places that cannot await (a `defer`); tests use `run(_:_:timeoutSeconds:)`.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], timeoutSeconds: Int = 60
    ) throws -> Outcome {
        let base = NSTemporaryDirectory() + "rabbitchat-child-\(UUID().uuidString.prefix(12))"
        let outputPath = base + ".out"
        let errorPath = base + ".err"
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errorFD = open(errorPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            if outputFD >= 0 { close(outputFD) }
            if errorFD >= 0 { close(errorFD) }
            unlink(outputPath)
            unlink(errorPath)
        }
        guard outputFD >= 0, errorFD >= 0 else {
            throw Failure(description: "cannot create \(base).out/.err: errno \(errno)")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, errorFD, 2)
        // Nothing else of the test process (its sockets, listening ports) reaches the child.
        // (glibc's `addclosefrom_np` is not visible to Swift: close what is open now.)
        let openDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in openDescriptors.compactMap({ Int32($0) }) where fd > 2 && fcntl(fd, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own (led by `timeout`), so all of it can be killed at once.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        let argv = ["/usr/bin/timeout", "\(timeoutSeconds)", executable] + arguments
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(executable): errno \(spawned)")
        }

        let deadline = Date().addingTimeInterval(Double(timeoutSeconds) + overstay)
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited == -1, errno != EINTR {
                throw Failure(description: "waitpid for \(executable) failed: errno \(errno)")
            }
            if Date() > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(20_000)
        }
        let signal = status & 0x7f
        let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Outcome(
            status: exitStatus,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            errorOutput: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }

    /// Runs `executable` with `arguments` on a thread of its own (`BlockingWork`).
    public static func run(
        _ executable: String, _ arguments: [String], timeoutSeconds: Int = 60
    ) async throws -> Outcome {
        try await BlockingWork.run { try runBlocking(executable, arguments, timeoutSeconds: timeoutSeconds) }
    }
}
