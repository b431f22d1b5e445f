/// The SockJS transports a session can be reached over.
public enum SockJSTransport: String, Sendable, CaseIterable {
    /// `/<server>/<session>/websocket`: WebSocket with SockJS framing.
    case websocket
    /// `/websocket`: WebSocket without any framing, for non-browser clients.
    case rawWebSocket = "raw_websocket"
    /// `xhr` (+ `xhr_send`): long polling.
    case xhrPolling = "xhr"
    /// `xhr_streaming` (+ `xhr_send`).
    case xhrStreaming = "xhr_streaming"
    /// `eventsource` (+ `xhr_send`).
    case eventSource = "eventsource"
    /// `htmlfile` (+ `xhr_send`): the old IE streaming trick.
    case htmlFile = "htmlfile"
    /// `jsonp` (+ `jsonp_send`): polling through script tags.
    case jsonpPolling = "jsonp"
}
