/// `leave`: stop receiving a room's traffic.
public struct LeaveFrame: Decodable, Sendable, Equatable {
    public var room: String

    public init(room: String) { self.room = room }
}
