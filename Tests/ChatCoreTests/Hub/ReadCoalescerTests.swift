import Testing

@testable import ChatCore

@Suite("ReadCoalescer")
struct ReadCoalescerTests {
    @Test("the first request starts a read; later ones wait for the next read, which serves them all at once")
    func coalesces() {
        var coalescer = ReadCoalescer<String, Int>()
        let first = coalescer.request("lobby", 1)
        let second = coalescer.request("lobby", 2)
        let third = coalescer.request("lobby", 3)
        let otherRoom = coalescer.request("dev", 4)
        #expect(first && !second && !third && otherRoom)
        #expect(coalescer.waiting == 4)

        // The read that started with request 1 serves only it: 2 and 3 asked after it began.
        let firstRead = coalescer.completed("lobby")
        #expect(firstRead.served == [1])
        #expect(firstRead.startNext)
        let late = coalescer.request("lobby", 5)
        #expect(!late)
        let secondRead = coalescer.completed("lobby")
        #expect(secondRead.served == [2, 3])
        #expect(secondRead.startNext)
        let thirdRead = coalescer.completed("lobby")
        #expect(thirdRead.served == [5])
        #expect(!thirdRead.startNext)
        #expect(coalescer.inFlight == 1)
        let devRead = coalescer.completed("dev")
        #expect(devRead.served == [4])
        #expect(coalescer.inFlight == 0)
        // A completion nobody waits for is harmless.
        let stray = coalescer.completed("dev")
        #expect(stray.served.isEmpty && !stray.startNext)
    }
}
