import Foundation
import Yams

/// A `rabbitchat serve` configuration file: YAML, one key per setting, named like its flag.
///
/// ```yaml
/// port: 8080
/// database-url: postgres://rabbitchat:secret@db:5432/rabbitchat
/// allowed-origins: [https://chat.example.com]
/// require-auth: true
/// ```
///
/// The file sits below the environment and the flags (`ServerConfiguration.resolve`); an
/// unknown key or a value of the wrong shape is refused with the key's name, so a typo never
/// silently leaves a default in place.
public struct ConfigurationFile: Sendable, Equatable {
    /// The path it was read from, for error messages.
    public var path: String
    /// Each setting's value as its flag would carry it, by flag name.
    public var values: [String: String]

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> ConfigurationFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                setting: path, problem: "cannot read the configuration file: \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// Parses YAML `text` (from `path`, for messages).
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> ConfigurationFile {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError(setting: path, problem: "not valid YAML: \(error)")
        }
        guard let document else { return ConfigurationFile(path: path, values: [:]) }
        guard let mapping = document as? [String: Any] else {
            throw ConfigurationError(setting: path, problem: "must be a mapping of settings, such as `port: 8080`")
        }
        var values: [String: String] = [:]
        for (key, value) in mapping {
            guard ServerSetting.named(key) != nil else {
                let suggestion = ServerSetting.all.map(\.flag).min { distance($0, key) < distance($1, key) }
                throw ConfigurationError(
                    setting: "\(path): \(key)",
                    problem: "unknown setting" + (suggestion.map { "; did you mean `\($0)`?" } ?? ""))
            }
            values[key] = try scalar(value, key: "\(path): \(key)")
        }
        return ConfigurationFile(path: path, values: values)
    }

    /// A YAML value as its flag would carry it: scalars as text, a list of scalars joined with
    /// commas (`allowed-origins`).
    private static func scalar(_ value: Any, key: String) throws(ConfigurationError) -> String {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        case let list as [Any]:
            var items: [String] = []
            for item in list {
                guard !(item is [Any]), !(item is [String: Any]) else {
                    throw ConfigurationError(setting: key, problem: "a list may hold only plain values")
                }
                items.append(try scalar(item, key: key))
            }
            return items.joined(separator: ",")
        default:
            throw ConfigurationError(
                setting: key, problem: "must be a plain value (text, number, true/false) or a list of them")
        }
    }

    /// Levenshtein distance, for "did you mean".
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
