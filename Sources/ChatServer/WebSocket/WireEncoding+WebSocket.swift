import ChatCore
import NIOCore
import RFC6455
import SockJS

extension WireEncoding {
    /// Server frames as complete WebSocket text frames: `/ws` and SockJS's raw `/websocket`.
    static let webSocketText = WireEncoding(id: 1) { WebSocketServerFrame.text($0) }

    /// Server frames as SockJS message frames (`a["…"]`, the JSON escaped as a string) inside
    /// complete WebSocket text frames: SockJS's WebSocket transport. Built once per event, like
    /// `webSocketText`.
    static let sockJSWebSocket = WireEncoding(id: 2) { json in
        WebSocketServerFrame.text(SockJSFrame.messages([json]).encoded)
    }
}
