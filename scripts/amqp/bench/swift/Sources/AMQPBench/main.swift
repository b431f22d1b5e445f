// AMQP client benchmark: confirmed-publish and consume throughput, CPU per message, RSS.
// Prints one JSON object per run. Usage: AMQPBench URL SCENARIO COUNT
//   SCENARIO: publish-1 | publish-100 | consume | soak   (soak: COUNT is the duration in seconds)
//
// Imports Glibc, not Foundation: Foundation alone adds several MiB of resident memory (its
// libraries and ICU data) that is not the client's. One event-loop thread, like the other
// clients' single connection goroutine/thread.
import AMQP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func maxRSSKiB() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss)
}

/// Current resident set size from /proc/self/statm (Linux), in KiB.
func currentRSSKiB() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // "size resident shared text lib data dt", in pages.
    let fields = text.split(separator: " ")
    guard fields.count >= 2, let resident = Int(fields[1]) else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

/// `value` with `digits` decimals (no Foundation `String(format:)`).
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(abs(scaled) % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return digits == 0 ? "\(whole)" : "\(scaled < 0 && whole == 0 ? "-" : "")\(whole).\(fraction)"
}

let arguments = CommandLine.arguments
let url = arguments.count > 1 ? arguments[1] : "amqp://guest:guest@127.0.0.1:5672/"
let scenario = arguments.count > 2 ? arguments[2] : "publish-100"
let count = arguments.count > 3 ? Int(arguments[3])! : 20_000

let body = ByteBuffer(repeating: 0x61, count: 1024)
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

let connection = try await AMQPConnection.connect(to: url, eventLoopGroup: group)
let channel = try await connection.openChannel()
let queue = try await channel.declareQueue(exclusive: true)

func publish(window: Int, count: Int) async throws {
    var pending: [AMQPConfirmation] = []
    pending.reserveCapacity(window)
    for _ in 0..<count {
        pending.append(try channel.enqueuePublish(body, routingKey: queue.name))
        if pending.count == window {
            try await AMQPConfirmation.waitForAll(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }
    try await AMQPConfirmation.waitForAll(pending)
}

/// Consumes `count` messages, acking each. A nonisolated function, like the publishers: the
/// top-level code of main.swift runs on the main actor, and `AsyncThrowingStream.next` hops to
/// the global executor and back on every call from an actor (a stdlib limitation), which would
/// measure that hop instead of the client. A server consumes from a task, as here.
func consume(from consuming: AMQPChannel, count: Int) async throws {
    let consumer = try await consuming.consume(queue: queue.name)
    var received = 0
    for try await delivery in consumer {
        try await delivery.ack()
        received += 1
        if received == count { break }
    }
}

/// 60 s (COUNT s) of publishing (window 100) and consuming (prefetch 200, ack each) at once,
/// sampling RSS every second. The publisher stays at most 10,000 messages ahead of the
/// consumer so the broker's queue (and memory) stays bounded.
func soak(seconds: Int) async throws {
    let consumed = NIOLockedValueBox(0)
    let rssLog = NIOLockedValueBox<[Int]>([])
    let consuming = try await connection.openChannel()
    try await consuming.qos(prefetchCount: 200)
    let consumer = try await consuming.consume(queue: queue.name)
    let deadline = ContinuousClock.now + .seconds(seconds)
    var samples: [Int] = [currentRSSKiB()]
    let cpuStart = cpuSeconds()
    let started = ContinuousClock.now
    let published = try await withThrowingTaskGroup(of: Int.self) { tasks in
        tasks.addTask {
            var received = 0
            for try await delivery in consumer {
                try await delivery.ack()
                received += 1
                if received % 100 == 0 { consumed.withLockedValue { $0 = received } }
                if received % 1000 == 0, ContinuousClock.now >= deadline { break }
            }
            consumed.withLockedValue { $0 = received }
            return -received
        }
        tasks.addTask {
            var sent = 0
            var pending: [AMQPConfirmation] = []
            pending.reserveCapacity(100)
            while ContinuousClock.now < deadline {
                while sent - consumed.withLockedValue({ $0 }) > 10_000 {
                    try await Task.sleep(for: .milliseconds(5))
                }
                for _ in 0..<100 {
                    pending.append(try channel.enqueuePublish(body, routingKey: queue.name))
                }
                try await AMQPConfirmation.waitForAll(pending)
                pending.removeAll(keepingCapacity: true)
                sent += 100
            }
            // Enough extra messages for the consumer to reach its next multiple of 1000 and stop.
            for _ in 0..<1000 {
                pending.append(try channel.enqueuePublish(body, routingKey: queue.name))
            }
            try await AMQPConfirmation.waitForAll(pending)
            return sent + 1000
        }
        tasks.addTask {
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                let rss = currentRSSKiB()
                rssLog.withLockedValue { $0.append(rss) }
            }
            return 0
        }
        var published = 0
        for try await value in tasks where value > 0 { published = value }
        return published
    }
    _ = published
    let elapsed = ContinuousClock.now - started
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = cpuSeconds() - cpuStart
    let received = consumed.withLockedValue { $0 }
    samples.append(contentsOf: rssLog.withLockedValue { $0 })
    samples.append(currentRSSKiB())
    let tenSeconds = samples.count > 10 ? samples[10] : samples[samples.count - 1]
    print(
        "{\"client\":\"swift-amqp\",\"scenario\":\"soak\",\"seconds\":\(fixed(wall, 3)),\"consumed\":\(received),"
            + "\"msgs_per_s\":\(Int(Double(received) / wall)),\"cpu_us_per_msg\":\(fixed(cpu / Double(max(received, 1)) * 1e6, 1)),"
            + "\"rss_start_kib\":\(samples[0]),\"rss_10s_kib\":\(tenSeconds),\"rss_peak_kib\":\(samples.max()!),"
            + "\"rss_end_kib\":\(samples[samples.count - 1]),\"max_rss_kib\":\(maxRSSKiB()),"
            + "\"rss_samples_kib\":[\(samples.map(String.init).joined(separator: ","))]}"
    )
}

try await channel.enableConfirms()
if scenario == "soak" {
    try await soak(seconds: count)
    try await connection.close()
    try await group.shutdownGracefully()
    exit(0)
}
let started: ContinuousClock.Instant
let cpuStart: Double
switch scenario {
case "publish-1", "publish-100":
    let window = scenario == "publish-1" ? 1 : 100
    cpuStart = cpuSeconds()
    started = .now
    try await publish(window: window, count: count)
case "consume":
    try await publish(window: 500, count: count)
    let consuming = try await connection.openChannel()
    try await consuming.qos(prefetchCount: 200)
    cpuStart = cpuSeconds()
    started = .now
    try await consume(from: consuming, count: count)
default:
    fatalError("unknown scenario \(scenario)")
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let cpu = cpuSeconds() - cpuStart
print(
    "{\"client\":\"swift-amqp\",\"scenario\":\"\(scenario)\",\"messages\":\(count),"
        + "\"seconds\":\(fixed(seconds, 3)),\"msgs_per_s\":\(Int(Double(count) / seconds)),"
        + "\"cpu_us_per_msg\":\(fixed(cpu / Double(count) * 1e6, 1)),\"max_rss_kib\":\(maxRSSKiB())}"
)
try await connection.close()
try await group.shutdownGracefully()
