import ChatCore
import ChatServer
import Testing

/// `--retention-days` is a setting like every other: flag, variable and configuration file, in
/// that order of precedence, checked when the configuration is resolved.
@Suite("The retention setting")
struct RetentionSettingTests {
    @Test("absent keeps everything; the file, the variable and the flag set it, each over the one before")
    func precedence() throws {
        #expect(try ServerConfiguration.resolve(flags: [:], environment: [:]).retention.policy.defaultDays == 0)
        let file = try ConfigurationFile.parse("retention-days: 30\n", path: "test.yaml")
        #expect(
            try ServerConfiguration.resolve(flags: [:], environment: [:], file: file).retention.policy.defaultDays == 30
        )
        let environment = ["RABBITCHAT_RETENTION_DAYS": "60"]
        #expect(
            try ServerConfiguration.resolve(flags: [:], environment: environment, file: file).retention.policy
                .defaultDays == 60)
        #expect(
            try ServerConfiguration.resolve(flags: ["retention-days": "7"], environment: environment, file: file)
                .retention.policy.defaultDays == 7)
        #expect(ServerSetting.retentionDays.help.hasSuffix("[env: RABBITCHAT_RETENTION_DAYS] (default: 0)"))
    }

    @Test("a bad value names the flag and the range", arguments: ["-1", "36501", "ten"])
    func validation(value: String) {
        do {
            _ = try ServerConfiguration.resolve(flags: ["retention-days": value], environment: [:])
            Issue.record("--retention-days \(value) was accepted")
        } catch {
            #expect(error.description.hasPrefix("--retention-days: must be"), "\(error.description)")
        }
    }
}
