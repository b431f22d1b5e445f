/// A refusal from an `AccountStore` that the HTTP layer turns into a specific answer.
public struct AccountStoreError: Error, Sendable, Equatable {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// An account with this name (case-insensitively) already exists.
        public static let nameTaken = Code(rawValue: "name_taken")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
