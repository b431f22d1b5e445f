import ChatCore
import Foundation

/// One thing `rabbitchat serve` can be told: its flag, its environment variable, its help, its
/// default (read from the type that owns it) and how a given value changes the configuration.
///
/// The table of settings (`ServerSetting.all`) is the only place a setting is described:
/// `Serve` builds its `--help` from it and `ServerConfiguration.resolve` applies it, so the help
/// cannot drift from what the server does.
public struct ServerSetting: Sendable {
    /// The flag's name without dashes: `rate-limit`.
    public let flag: String
    /// The environment variable: `RABBITCHAT_RATE_LIMIT`.
    public let environment: String
    /// Whether the flag takes no value (`--require-auth`); its variable is then `1`, `true` or `yes`.
    public let isSwitch: Bool
    /// What the setting does, for `--help`.
    let summary: String
    /// The default as `--help` prints it, read from a default `ServerConfiguration`; nil when
    /// there is none worth printing.
    let defaultDescription: @Sendable (ServerConfiguration) -> String?
    /// Parses and validates `value` into the configuration; throws the problem, in words.
    let apply: @Sendable (String, inout ServerConfiguration) throws(Problem) -> Void

    /// What is wrong with a value, before it is attributed to a flag or variable.
    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// The help text: summary, variable and default.
    public var help: String {
        let defaultValue = defaultDescription(ServerConfiguration(nodeID: "default")).map { " (default: \($0))" } ?? ""
        return "\(summary) [env: \(environment)\(isSwitch ? "=1" : "")]\(defaultValue)"
    }

    init(
        _ flag: String, summary: String, isSwitch: Bool = false,
        default defaultDescription: @escaping @Sendable (ServerConfiguration) -> String? = { _ in nil },
        apply: @escaping @Sendable (String, inout ServerConfiguration) throws(Problem) -> Void
    ) {
        self.flag = flag
        self.environment = "RABBITCHAT_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
        self.isSwitch = isSwitch
        self.summary = summary
        self.defaultDescription = defaultDescription
        self.apply = apply
    }
}

// MARK: Value parsers shared by the settings

extension ServerSetting {
    static func integer(_ value: String, in range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let number = Int(value) else { throw Problem("must be an integer, not `\(value)`") }
        guard range.contains(number) else {
            throw Problem("must be \(range.lowerBound)...\(range.upperBound), not \(number)")
        }
        return number
    }

    static func number(_ value: String, in range: ClosedRange<Double>) throws(Problem) -> Double {
        guard let number = Double(value), number.isFinite else { throw Problem("must be a number, not `\(value)`") }
        guard range.contains(number) else {
            throw Problem(
                "must be between \(range.lowerBound.compactDescription) and \(range.upperBound.compactDescription), not \(number.compactDescription)"
            )
        }
        return number
    }

    /// A positive rate: above zero, at most `limit`.
    static func rate(_ value: String, limit: Double = 1_000_000) throws(Problem) -> Double {
        guard let number = Double(value), number.isFinite else { throw Problem("must be a number, not `\(value)`") }
        guard number > 0, number <= limit else {
            throw Problem("must be above 0 and at most \(limit.compactDescription), not \(number.compactDescription)")
        }
        return number
    }

    static func seconds(_ value: String, in range: ClosedRange<Double>) throws(Problem) -> Duration {
        .milliseconds(Int64((try number(value, in: range) * 1_000).rounded()))
    }

    static func isOn(_ value: String) -> Bool {
        ["1", "true", "yes"].contains(value.lowercased())
    }
}
