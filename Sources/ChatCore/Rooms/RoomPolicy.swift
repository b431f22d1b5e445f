/// Who may do what in a room: the rules every `RoomStore` applies, in one place.
///
/// A store reads the facts (the actor's role, whether they are a server admin, the target's
/// role) inside its transaction and asks the policy; the policy throws the specific refusal.
public enum RoomPolicy {
    /// What the store knows about the one acting.
    public struct Actor: Sendable, Equatable {
        /// The command-line operator: may do everything.
        public var isOperator: Bool
        /// A server-wide admin account (not disabled): may do everything in every room.
        public var isAdmin: Bool
        /// The actor's role in the room, nil when not a stored member.
        public var role: RoomRole?

        public init(isOperator: Bool = false, isAdmin: Bool = false, role: RoomRole?) {
            self.isOperator = isOperator
            self.isAdmin = isAdmin
            self.role = role
        }

        /// Operator or admin: above every room role.
        public var isSuperuser: Bool { isOperator || isAdmin }
    }

    /// Changing the topic or visibility, deleting the room, or setting roles: owners only.
    public static func authorizeOwnerAction(_ actor: Actor, _ what: String) throws(RoomStoreError) {
        guard actor.isSuperuser || actor.role == .owner else {
            throw RoomStoreError(.forbidden, "only an owner of the room may \(what)")
        }
    }

    /// Setting a room's retention override: server admins and the operator only, since how
    /// long a server keeps what people wrote is the operator's policy, not a room owner's.
    public static func authorizeRetention(_ actor: Actor) throws(RoomStoreError) {
        guard actor.isSuperuser else {
            throw RoomStoreError(.forbidden, "only a server admin may change a room's retention")
        }
    }

    /// Inviting, and lifting bans and mutes: moderators and owners.
    public static func authorizeModerator(_ actor: Actor, _ what: String) throws(RoomStoreError) {
        guard actor.isSuperuser || (actor.role.map { $0 >= .moderator } ?? false) else {
            throw RoomStoreError(.forbidden, "only a moderator or owner of the room may \(what)")
        }
    }

    /// Kicking, banning or muting `target`: a moderator or owner acting on a lower role (or on
    /// a non-member), or a superuser; a server admin can be moderated only by the operator.
    ///
    /// - Parameters:
    ///   - verb: `kick`, `ban` or `mute`, for the refusal's message.
    public static func authorizeModeration(
        _ actor: Actor, target targetRole: RoomRole?, targetIsAdmin: Bool, verb: String
    ) throws(RoomStoreError) {
        if actor.isOperator { return }
        if targetIsAdmin {
            throw RoomStoreError(.forbidden, "you may not \(verb) a server admin")
        }
        if actor.isAdmin { return }
        guard let role = actor.role, role >= .moderator else {
            throw RoomStoreError(.forbidden, "only a moderator or owner of the room may \(verb) someone")
        }
        if let targetRole, targetRole >= role {
            throw RoomStoreError(
                .forbidden, "a \(role.rawValue) may not \(verb) a \(targetRole.rawValue): only lower roles")
        }
    }
}
