package import ChatCore

/// A room's settings as exported: what `import` creates the room with when the target store
/// has no room of that name. Members, invitations, bans and mutes are not history and are not
/// exported (bans and kicks stay visible as room events in the messages).
package struct ArchivedRoom: Codable, Sendable, Equatable {
    package var name: String
    package var topic: String
    package var visibility: RoomVisibility
    package var creator: String
    package var createdAt: Int64
    /// The retention override (`MessageRetention.roomRetention`); nil: the server's setting.
    package var retentionDays: Int?

    package init(_ room: Room, retentionDays: Int?) {
        name = room.name
        topic = room.topic
        visibility = room.visibility
        creator = room.creator
        createdAt = room.createdAt
        self.retentionDays = retentionDays
    }
}
