import Foundation
public import Testing

/// Runs a suite only in the test phase its tag names (see `TestPhase`).
public struct OwnPhaseTrait: SuiteTrait, TestTrait {
    public func prepare(for test: Test) async throws {
        let phases = TestPhase.allCases.filter { $0.tag.map(test.tags.contains) ?? false }
        guard phases.count == 1, let own = phases.first else {
            throw Misuse(description: "\(test.name) has .ownPhase, so it needs exactly one phase tag, not \(phases)")
        }
        let selected: TestPhase?
        if let name = TestEnvironment.phase {
            guard let phase = TestPhase(rawValue: name) else {
                throw Misuse(
                    description: "RABBITCHAT_TEST_PHASE=\(name) is none of \(TestPhase.allCases.map(\.rawValue))")
            }
            selected = phase
        } else {
            selected = nil
        }
        if selected == own || (selected == nil && own.runsByDefault) { return }
        if selected == .shared { try Self.list(test, in: own) }
        let reason =
            selected == nil
            ? "stops the RabbitMQ everyone on this machine shares: runs only with RABBITCHAT_TEST_PHASE=\(own.rawValue)"
            : "runs in its own phase, RABBITCHAT_TEST_PHASE=\(own.rawValue)"
        // Skips the way `.enabled(if:)` does, with the reason in the report.
        try await ConditionTrait.enabled(if: false, Comment(rawValue: reason)).prepare(for: test)
    }

    /// Writes `test`'s filter into the manifest directory of `phase`, one file per suite.
    static func list(_ test: Test, in phase: TestPhase) throws {
        guard let manifest = TestEnvironment.phaseManifest else { return }
        let directory = URL(fileURLWithPath: manifest).appendingPathComponent(phase.rawValue)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The ID as an anchored regular expression: `swift test --filter` matches it against
        // the IDs of each test and its suites.
        let filter = "^" + NSRegularExpression.escapedPattern(for: "\(test.id)") + "$"
        try Data((filter + "\n").utf8).write(to: directory.appendingPathComponent(UUID().uuidString))
    }

    /// `.ownPhase` on a suite without exactly one phase tag, or an unknown phase.
    struct Misuse: Error, CustomStringConvertible {
        var description: String
    }
}

extension Trait where Self == OwnPhaseTrait {
    /// Runs the suite only in the test phase its tag names (see `TestPhase`).
    public static var ownPhase: Self { OwnPhaseTrait() }
}
