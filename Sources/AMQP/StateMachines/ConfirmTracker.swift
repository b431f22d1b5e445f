import NIOCore

/// Matches publisher confirms (`basic.ack` / `basic.nack` from the broker) to publishes.
///
/// In confirm mode the broker numbers publishes 1, 2, 3, … per channel and confirms them,
/// possibly several at once (`multiple`). The tracker assigns the numbers and hands back the
/// tokens (promises, in the handler) to complete. A value type with mutating transitions, so it
/// is tested without a socket. Sequence numbers only grow, so pending publishes stay sorted and
/// a `multiple` confirm pops from the front.
struct ConfirmTracker<Token> {
    /// The sequence number the next publish will get.
    private(set) var nextSequenceNumber: UInt64 = 1
    private var pending = CircularBuffer<(sequenceNumber: UInt64, token: Token)>()

    /// The number of publishes waiting for their confirm.
    var outstanding: Int { self.pending.count }

    /// Records a publish and returns its sequence number (the delivery tag of its confirm).
    mutating func published(_ token: Token) -> UInt64 {
        let sequenceNumber = self.nextSequenceNumber
        self.nextSequenceNumber += 1
        self.pending.append((sequenceNumber, token))
        return sequenceNumber
    }

    /// Records a publish whose confirm nobody awaits, keeping the numbering right.
    mutating func skipped() {
        self.nextSequenceNumber += 1
    }

    /// Removes and returns the tokens a confirm for `deliveryTag` settles.
    ///
    /// With `multiple`, every publish up to and including `deliveryTag`; otherwise just that
    /// one. Unknown tags (already settled, or publishes nobody awaits) settle nothing.
    mutating func settle(deliveryTag: UInt64, multiple: Bool) -> [Token] {
        var settled: [Token] = []
        if multiple {
            while let first = self.pending.first, first.sequenceNumber <= deliveryTag {
                settled.append(self.pending.removeFirst().token)
            }
        } else if let first = self.pending.first, first.sequenceNumber == deliveryTag {
            settled.append(self.pending.removeFirst().token)
        } else if let index = self.pending.firstIndex(where: { $0.sequenceNumber == deliveryTag }) {
            settled.append(self.pending.remove(at: index).token)
        }
        return settled
    }

    /// Removes and returns every pending token, when the channel or connection goes away.
    mutating func removeAll() -> [Token] {
        let tokens = self.pending.map(\.token)
        self.pending.removeAll()
        return tokens
    }
}
