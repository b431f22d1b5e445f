/// A setting that cannot be used, named as the operator wrote it (`--port` or `RABBITCHAT_PORT`).
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The flag or environment variable that was given.
    public var setting: String
    /// What is wrong with its value, and what would be right.
    public var problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "\(setting): \(problem)" }
}
