import ChatCore
import Hummingbird

/// `GET /api/rooms`: the public rooms with someone online, and how many are online in each.
struct RoomsController: Sendable {
    let hub: Hub

    struct Room: ResponseEncodable {
        var name: String
        var online: Int
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/api/rooms") { _, _ -> [Room] in
            await hub.roomCounts().map { Room(name: $0.room, online: $0.online) }
        }
    }
}
