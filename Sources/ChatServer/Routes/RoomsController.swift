import ChatCore
import Hummingbird

/// `GET /api/rooms`: the room directory.
///
/// It lists the rooms the store lists (`public` and `invite` ones, never `private`), each with
/// its topic and how many are online in it on this node's view, plus rooms with someone online
/// that the store does not know yet (made by a hub that does not record rooms). Without a room
/// store (`--database-url memory:`) it lists the rooms with someone online, as before.
struct RoomsController: Sendable {
    let hub: Hub
    let rooms: (any RoomStore)?

    struct Room: ResponseEncodable {
        var name: String
        var topic: String
        var visibility: String
        var online: Int
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/api/rooms") { _, _ -> [Room] in
            let online = await hub.roomCounts()
            guard let rooms else {
                return online.map {
                    Room(name: $0.room, topic: "", visibility: RoomVisibility.public.rawValue, online: $0.online)
                }
            }
            do {
                return try await directory(rooms, online: online)
            } catch {
                throw APIError(.serviceUnavailable, "unavailable", "the room store is unavailable; try again")
            }
        }
    }

    func directory(_ rooms: any RoomStore, online: [(room: String, online: Int)]) async throws -> [Room] {
        // Online counts by case-insensitive name: the hub may spell a room as its first joiner did.
        var counts: [String: (name: String, online: Int)] = [:]
        for entry in online {
            counts[ChatCore.Room.key(for: entry.room), default: (entry.room, 0)].online += entry.online
        }
        var listed = try await rooms.directoryRooms().map { room in
            Room(
                name: room.name, topic: room.topic, visibility: room.visibility.rawValue,
                online: counts.removeValue(forKey: ChatCore.Room.key(for: room.name))?.online ?? 0)
        }
        for (_, entry) in counts where try await rooms.room(named: entry.name) == nil {
            listed.append(
                Room(name: entry.name, topic: "", visibility: RoomVisibility.public.rawValue, online: entry.online))
        }
        return listed.sorted { ChatCore.Room.key(for: $0.name) < ChatCore.Room.key(for: $1.name) }
    }
}
