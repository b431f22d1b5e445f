/// Who may find and join a room.
///
/// - `public`: listed in the directory; anyone, guests included, joins by name.
/// - `invite`: listed (name and topic), but only invited users join; history is members-only.
/// - `private`: never listed, joined by invitation only, invisible to guests; history is
///   members-only.
public enum RoomVisibility: String, Sendable, Hashable, CaseIterable, Codable {
    case `public`
    case `private`
    case invite

    /// Whether reading the room's history or joining it needs a membership.
    public var requiresMembership: Bool { self != .public }
}
