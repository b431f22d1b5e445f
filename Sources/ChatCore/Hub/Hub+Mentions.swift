/// `@name` mentions: the names in a message that belong to someone, so clients can highlight
/// them and count unread mentions without guessing which `@word` is a person.
extension Hub {
    /// Most mentions one message records.
    static let maxMentions = 20

    /// The `@name` tokens of `text`, unique and in order, at most `maxMentions`: `@` at the
    /// start or after a character that cannot be part of a name, then a valid name.
    public static func mentionCandidates(in text: String, maxNameLength: Int) -> [String] {
        guard text.utf8.contains(UInt8(ascii: "@")) else { return [] }
        var found: [String] = []
        var seen = Set<String>()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
        while index < scalars.count, found.count < maxMentions {
            defer { index += 1 }
            guard scalars[index] == "@", index == 0 || !isNameScalar(scalars[index - 1]) else { continue }
            var end = index + 1
            while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
            let length = end - index - 1
            guard length >= 1, length <= maxNameLength else { continue }
            let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            if seen.insert(name.lowercased()).inserted { found.append(name) }
            index = end - 1
        }
        return found
    }

    /// The names `text` mentions that belong to someone: a user online in the room (or the DM's
    /// parties), or a registered account (asked within `deadline`; an account store that does
    /// not answer leaves the name out rather than holding the send).
    func resolveMentions(in text: String, conversation: Conversation, deadline: Deadline) async -> [String] {
        let candidates = Self.mentionCandidates(in: text, maxNameLength: configuration.limits.maxNameLength)
        guard !candidates.isEmpty else { return [] }
        var mentioned: [String] = []
        for candidate in candidates {
            if case .room(let room) = conversation, presence.roster.contains(candidate, in: room) {
                mentioned.append(candidate)
                continue
            }
            if case .direct(let a, let b) = conversation, candidate == a || candidate == b {
                mentioned.append(candidate)
                continue
            }
            guard let authenticator else { continue }
            if let name = try? await deadline.run(
                "account lookup", { try await authenticator.registeredName(matching: candidate) })
            {
                mentioned.append(name)
            }
        }
        return mentioned
    }
}
