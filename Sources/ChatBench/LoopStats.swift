import NIOCore

/// The counters of every client on one event loop.
///
/// Only that event loop touches it (handlers run there, and the load generator reads it through
/// `EventLoop.submit`), so the hot path counts without locks or atomics.
package final class LoopStats: @unchecked Sendable {
    /// Live messages received for the first time.
    var deliveries: UInt64 = 0
    /// Live messages whose `seq` was not above the last one the client saw.
    var duplicates: UInt64 = 0
    /// Send-to-receipt latency of every delivery (µs); echo: the round trip.
    var latency = LatencyHistogram()
    var framesReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0
    var sent: UInt64 = 0
    var acks: UInt64 = 0
    var errors: UInt64 = 0
    var presence: UInt64 = 0
    var closedByServer: UInt64 = 0
    var disconnects: UInt64 = 0
    var firstError: String?
    /// Clients that send on a timer or in a loop, started together by the load generator.
    var senders: [BenchClientHandler] = []

    package init() {}

    func snapshot() -> LoopSnapshot {
        LoopSnapshot(
            deliveries: deliveries, duplicates: duplicates, latency: latency, framesReceived: framesReceived,
            bytesReceived: bytesReceived, sent: sent, acks: acks, errors: errors, presence: presence,
            closedByServer: closedByServer, disconnects: disconnects, firstError: firstError)
    }
}

/// A copy of the counters, to merge across loops and processes.
package struct LoopSnapshot: Sendable, Codable, Equatable {
    package var deliveries: UInt64 = 0
    package var duplicates: UInt64 = 0
    package var latency = LatencyHistogram()
    package var framesReceived: UInt64 = 0
    package var bytesReceived: UInt64 = 0
    package var sent: UInt64 = 0
    package var acks: UInt64 = 0
    package var errors: UInt64 = 0
    package var presence: UInt64 = 0
    package var closedByServer: UInt64 = 0
    package var disconnects: UInt64 = 0
    package var firstError: String?

    package mutating func merge(_ other: LoopSnapshot) {
        deliveries += other.deliveries
        duplicates += other.duplicates
        latency.merge(other.latency)
        framesReceived += other.framesReceived
        bytesReceived += other.bytesReceived
        sent += other.sent
        acks += other.acks
        errors += other.errors
        presence += other.presence
        closedByServer += other.closedByServer
        disconnects += other.disconnects
        firstError = firstError ?? other.firstError
    }
}
