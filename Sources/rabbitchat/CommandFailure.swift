/// A command-line failure in words: printed as it is (`ValidationError` would print usage).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
