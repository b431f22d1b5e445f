import Synchronization
import Testing

@testable import ChatCore

@Suite("DeadlineTimer: one sleeper for every armed deadline")
struct DeadlineTimerTests {
    /// The names of the entries that fired, in order.
    final class FiringLog: Sendable {
        private let names = Mutex<[String]>([])
        var fired: [String] { names.withLock { $0 } }
        func record(_ name: String) { names.withLock { $0.append(name) } }
    }

    /// An entry that records when it fired, and can be finished before.
    final class Probe: DeadlineTimer.Entry {
        private let state = Mutex<(finished: Bool, firedAt: ContinuousClock.Instant?)>((false, nil))
        let name: String
        let log: FiringLog

        init(_ name: String, log: FiringLog) {
            self.name = name
            self.log = log
        }

        var isFinished: Bool { state.withLock { $0.finished } }
        var firedAt: ContinuousClock.Instant? { state.withLock { $0.firedAt } }

        func finish() { state.withLock { $0.finished = true } }

        func expire() {
            state.withLock {
                $0.firedAt = .now
                $0.finished = true
            }
            log.record(name)
        }
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test("fires entries in deadline order, none before its instant, whatever order they were armed in")
    func firesInOrder() async throws {
        let timer = DeadlineTimer()
        let log = FiringLog()
        let start = ContinuousClock.now
        let late = Probe("late", log: log)
        let early = Probe("early", log: log)
        let middle = Probe("middle", log: log)
        // The late one first: the earlier ones need a sleeper of their own.
        timer.arm(late, at: start + .milliseconds(600))
        timer.arm(early, at: start + .milliseconds(200))
        timer.arm(middle, at: start + .milliseconds(400))
        try await eventually { log.fired.count == 3 }
        #expect(log.fired == ["early", "middle", "late"])
        #expect(early.firedAt! >= start + .milliseconds(200))
        #expect(middle.firedAt! >= start + .milliseconds(400))
        #expect(late.firedAt! >= start + .milliseconds(600))
        #expect(timer.armedCount == 0)
    }

    @Test("an entry finished before its deadline never fires, and is dropped when the next is armed")
    func finishedEntriesAreDropped() async throws {
        let timer = DeadlineTimer()
        let log = FiringLog()
        let start = ContinuousClock.now
        var answered: [Probe] = []
        for index in 0..<100 {
            let probe = Probe("answered \(index)", log: log)
            timer.arm(probe, at: start + .milliseconds(300))
            probe.finish()
            answered.append(probe)
        }
        // Arming drops the finished head: only the newest one is left besides the new entry.
        let stuck = Probe("stuck", log: log)
        timer.arm(stuck, at: start + .milliseconds(400))
        #expect(timer.armedCount == 1)
        try await eventually { stuck.firedAt != nil }
        #expect(log.fired == ["stuck"])
        #expect(answered.allSatisfy { $0.firedAt == nil })
    }

    @Test("Deadline.run still times out a stuck call through its timer, and a quick one leaves nothing armed")
    func deadlineUsesTheTimer() async throws {
        // A timer of its own: the shared one is armed by every other test running in parallel.
        let timer = DeadlineTimer()
        let stuck = DeadlineTests.StuckCall()
        let start = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await Deadline(in: .milliseconds(300)).run("stuck call", timer: timer) { await stuck.call() }
        }
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        stuck.release()
        for _ in 0..<1_000 { _ = try await Deadline(in: .seconds(60)).run("quick", timer: timer) { 1 } }
        // Each was finished before the next was armed: at most the last is still held.
        #expect(timer.armedCount <= 1)
    }

    @Test("run(inline: true) calls in place, and refuses without calling once the deadline passed")
    func inlineRun() async throws {
        let value = try await Deadline(in: .seconds(60)).run("in-process", inline: true) { 5 }
        #expect(value == 5)
        let called = Mutex(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await Deadline(in: .zero).run("late", inline: true) { called.withLock { $0 = true } }
        }
        #expect(!called.withLock { $0 })
    }
}
