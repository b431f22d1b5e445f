/// A refusal from a `BotStore`, with a stable code the command line and the admin API show.
public struct BotStoreError: Error, Sendable, Equatable {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// An account (user or bot) with this name, in any case, already exists.
        public static let nameTaken = Code(rawValue: "name_taken")
        /// No live bot has this name.
        public static let noSuchBot = Code(rawValue: "no_such_bot")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
