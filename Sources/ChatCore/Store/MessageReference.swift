/// One stored message, by conversation and `seq`: what the in-memory upload tables record as
/// carrying an upload.
struct MessageReference: Hashable, Sendable {
    var conversation: Conversation
    var seq: Int64
}
