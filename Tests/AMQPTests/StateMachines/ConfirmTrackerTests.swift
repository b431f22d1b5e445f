import Testing

@testable import AMQP

/// Publisher confirms are matched to publishes, including `multiple` and out-of-order acks.
@Suite("ConfirmTracker")
struct ConfirmTrackerTests {
    @Test("sequence numbers start at 1 and grow")
    func numbering() {
        var tracker = ConfirmTracker<String>()
        do {
            let result = tracker.published("a")
            #expect(result == 1)
        }
        do {
            let result = tracker.published("b")
            #expect(result == 2)
        }
        tracker.skipped()
        do {
            let result = tracker.published("d")
            #expect(result == 4)
        }
        do {
            let result = tracker.outstanding
            #expect(result == 3)
        }
    }

    @Test("a multiple ack settles everything up to the tag")
    func multiple() {
        var tracker = ConfirmTracker<Int>()
        for value in 1...5 { _ = tracker.published(value) }
        do {
            let result = tracker.settle(deliveryTag: 3, multiple: true)
            #expect(result == [1, 2, 3])
        }
        do {
            let result = tracker.settle(deliveryTag: 3, multiple: true)
            #expect(result == [])
        }
        do {
            let result = tracker.outstanding
            #expect(result == 2)
        }
    }

    @Test("single acks may arrive out of order")
    func outOfOrder() {
        var tracker = ConfirmTracker<Int>()
        for value in 1...3 { _ = tracker.published(value) }
        do {
            let result = tracker.settle(deliveryTag: 2, multiple: false)
            #expect(result == [2])
        }
        do {
            let result = tracker.settle(deliveryTag: 1, multiple: false)
            #expect(result == [1])
        }
        do {
            let result = tracker.settle(deliveryTag: 9, multiple: false)
            #expect(result == [])
        }
        do {
            let result = tracker.removeAll()
            #expect(result == [3])
        }
        do {
            let result = tracker.outstanding
            #expect(result == 0)
        }
    }
}
