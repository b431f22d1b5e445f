public import NIOCore

/// The recipients of one event, grouped so that delivering it costs one hop per event loop.
///
/// Fan-out is the server's hottest path: in a broadcast every socket gets one frame per event.
/// Collect the recipients with `add`, then `send` encodes the frame once per wire encoding and
/// hands each event loop its sinks in one `execute`; that loop writes the shared bytes to each
/// socket and flushes each once. Sinks without a loop get the frame directly.
public struct FanOut {
    private struct LoopGroup {
        let loop: any EventLoop
        var sinks: [any SessionSink]
    }

    private var groups: [LoopGroup] = []
    private var direct: [any SessionSink] = []

    /// An empty fan-out.
    public init() {}

    /// The number of recipients added.
    public var count: Int { direct.count + groups.reduce(0) { $0 + $1.sinks.count } }

    /// Adds one recipient; a closing sink is skipped.
    public mutating func add(_ sink: any SessionSink) {
        guard !sink.isClosing else { return }
        guard let loop = sink.eventLoop else {
            direct.append(sink)
            return
        }
        // A server has a handful of loops (one per core): a linear scan beats hashing.
        if let index = groups.firstIndex(where: { $0.loop === loop }) {
            groups[index].sinks.append(sink)
        } else {
            groups.append(LoopGroup(loop: loop, sinks: [sink]))
        }
    }

    /// Delivers `json` to every recipient added.
    ///
    /// - Parameters:
    ///   - json: the server frame's JSON, encoded once by the caller.
    ///   - ephemeral: whether slow clients may drop it (typing, presence).
    /// - Returns: how many recipients it was handed to.
    @discardableResult
    public func send(_ json: ByteBuffer, ephemeral: Bool = false) -> Int {
        var encoded = EncodingCache(json: json)
        for sink in direct {
            sink.deliver(encoded.bytes(for: sink.wireEncoding), ephemeral: ephemeral)
            sink.flush()
        }
        for group in groups {
            // Encoded here, before the hop: every loop shares the same bytes.
            let wire = encoded.bytes(for: group.sinks[0].wireEncoding)
            let sameEncoding = group.sinks.allSatisfy { $0.wireEncoding.id == group.sinks[0].wireEncoding.id }
            let sinks = group.sinks
            if sameEncoding {
                group.loop.execute {
                    for sink in sinks { sink.deliver(wire, ephemeral: ephemeral) }
                    for sink in sinks { sink.flush() }
                }
            } else {
                var perSink: [ByteBuffer] = []
                perSink.reserveCapacity(sinks.count)
                for sink in sinks { perSink.append(encoded.bytes(for: sink.wireEncoding)) }
                let frames = perSink
                group.loop.execute {
                    for (sink, frame) in zip(sinks, frames) { sink.deliver(frame, ephemeral: ephemeral) }
                    for sink in sinks { sink.flush() }
                }
            }
        }
        return count
    }

    /// One frame's bytes in each encoding asked for, computed at most once each.
    private struct EncodingCache {
        let json: ByteBuffer
        var encoded: [(id: Int, bytes: ByteBuffer)] = []

        init(json: ByteBuffer) { self.json = json }

        mutating func bytes(for encoding: WireEncoding) -> ByteBuffer {
            if encoding.id == WireEncoding.json.id { return json }
            if let hit = encoded.first(where: { $0.id == encoding.id }) { return hit.bytes }
            let bytes = encoding.encode(json)
            encoded.append((encoding.id, bytes))
            return bytes
        }
    }
}
