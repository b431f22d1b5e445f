package import NIOCore

/// The frames of one server WebSocket connection (`/ws`, SockJS's WebSocket) that the socket could not take yet, without I/O.
///
/// While the channel is writable frames go straight to it; NIO buffers up to its high-water mark
/// (64 KiB) and the kernel's fixed send buffer holds as much again. Beyond that they wait here,
/// bounded in frames and bytes: when full, queued ephemeral frames (typing, presence) are dropped
/// first, then the client is declared too slow and closed with 1013. Lives on the channel's loop.
package struct WebSocketOutbox {
    /// Bounds of one outbox.
    package struct Configuration: Sendable, Equatable {
        /// Most frames queued.
        package var maxFrames: Int
        /// Most bytes queued.
        package var maxBytes: Int

        package init(maxFrames: Int = 1_024, maxBytes: Int = 4 * 1024 * 1024) {
            self.maxFrames = maxFrames
            self.maxBytes = maxBytes
        }
    }

    /// What the handler does with a frame handed to `enqueue`.
    package enum EnqueueAction: Equatable {
        /// The socket takes it now: write it.
        case write
        /// Queued until the socket drains.
        case queued
        /// Dropped: an ephemeral frame with no room, or the outbox is closing.
        case dropped
        /// No room even after dropping every ephemeral frame: close with 1013. Everything
        /// queued was discarded; the handler counts the slow consumer.
        case overflow
    }

    private struct Entry {
        var bytes: ByteBuffer
        var ephemeral: Bool
    }

    private let configuration: Configuration
    /// Starts at one entry, not `CircularBuffer`'s sixteen: most sockets are idle most of the
    /// time, and sixteen cost each of them ~0.4 KiB.
    private var entries = CircularBuffer<Entry>(initialCapacity: 1)
    private var bytes = 0
    private var ephemeralCount = 0
    /// Set by an overflow or a close: no more frames are accepted.
    package private(set) var isClosing = false
    /// How many ephemeral frames were dropped for a slow client.
    package private(set) var droppedEphemeral = 0

    package init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether frames wait for the socket to drain.
    package var isEmpty: Bool { entries.isEmpty }

    /// How many frames wait.
    package var count: Int { entries.count }

    /// Decides what happens to one frame.
    ///
    /// - Parameters:
    ///   - frame: the complete wire frame.
    ///   - ephemeral: whether it may be dropped for a slow client.
    ///   - writable: whether the channel takes writes now.
    package mutating func enqueue(_ frame: ByteBuffer, ephemeral: Bool, writable: Bool) -> EnqueueAction {
        guard !isClosing else { return .dropped }
        if writable, entries.isEmpty { return .write }
        let size = frame.readableBytes
        while entries.count >= configuration.maxFrames || bytes + size > configuration.maxBytes {
            if ephemeral {
                droppedEphemeral += 1
                return .dropped
            }
            guard ephemeralCount > 0, let index = entries.firstIndex(where: \.ephemeral) else {
                isClosing = true
                entries.removeAll()
                bytes = 0
                ephemeralCount = 0
                return .overflow
            }
            let dropped = entries.remove(at: index)
            bytes -= dropped.bytes.readableBytes
            ephemeralCount -= 1
            droppedEphemeral += 1
        }
        entries.append(Entry(bytes: frame, ephemeral: ephemeral))
        bytes += size
        if ephemeral { ephemeralCount += 1 }
        return .queued
    }

    /// Takes the oldest waiting frame, when the socket can take it.
    package mutating func next() -> ByteBuffer? {
        guard let entry = entries.popFirst() else { return nil }
        bytes -= entry.bytes.readableBytes
        if entry.ephemeral { ephemeralCount -= 1 }
        return entry.bytes
    }

    /// Accepts no more frames; those already queued still go out before the close.
    package mutating func close() {
        isClosing = true
    }
}
