import Foundation
import TestSupport
import Testing

/// The committed `Sources/AMQP/Generated` tree is exactly what `scripts/amqp/generate.py`
/// produces from the spec XML, so nobody hand-edits generated code by accident.
@Suite("Generated methods")
struct GeneratedCodeTests {
    static let specPath = TestEnvironment.amqpSpecPath
    static let repositoryRoot = TestEnvironment.repositoryRoot

    @Test("committed output matches the generator byte for byte", .requires(.python3, .amqpSpecs))
    func committedOutputMatchesGenerator() async throws {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("amqp-generated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }

        let arguments = [
            "python3", Self.repositoryRoot.appendingPathComponent("scripts/amqp/generate.py").path,
            "--spec", Self.specPath, "--output", output.path,
        ]
        // On a thread of its own: the generator runs for seconds (see `BlockingWork`).
        let status = try await BlockingWork.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0)

        let committed = Self.repositoryRoot.appendingPathComponent("Sources/AMQP/Generated")
        let generatedFiles = try Self.files(under: output)
        let committedFiles = try Self.files(under: committed)
        #expect(generatedFiles == committedFiles)
        #expect(generatedFiles.count > 60)
        for file in generatedFiles where committedFiles.contains(file) {
            let fresh = try Data(contentsOf: output.appendingPathComponent(file))
            let stored = try Data(contentsOf: committed.appendingPathComponent(file))
            #expect(fresh == stored, "\(file) differs from the generator's output")
        }
    }

    static func files(under root: URL) throws -> Set<String> {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var result: Set<String> = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                result.insert(path)
            }
        }
        return result
    }
}
