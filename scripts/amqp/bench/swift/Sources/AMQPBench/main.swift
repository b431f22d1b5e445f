// AMQP client benchmark: confirmed-publish and consume throughput, CPU per message, max RSS.
// Prints one JSON object per scenario. Usage: AMQPBench URL SCENARIO COUNT
//   SCENARIO: publish-1 | publish-100 | consume
import AMQP
import Foundation
import NIOCore

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
    return usage.ru_maxrss
}

let arguments = CommandLine.arguments
let url = arguments.count > 1 ? arguments[1] : "amqp://guest:guest@127.0.0.1:5672/"
let scenario = arguments.count > 2 ? arguments[2] : "publish-100"
let count = arguments.count > 3 ? Int(arguments[3])! : 20_000

let body = ByteBuffer(repeating: 0x61, count: 1024)

let connection = try await AMQPConnection.connect(to: url)
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

try await channel.enableConfirms()
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
    let consumer = try await consuming.consume(queue: queue.name)
    var received = 0
    for try await delivery in consumer {
        try await delivery.ack()
        received += 1
        if received == count { break }
    }
default:
    fatalError("unknown scenario \(scenario)")
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let cpu = cpuSeconds() - cpuStart
print(
    "{\"client\":\"swift-amqp\",\"scenario\":\"\(scenario)\",\"messages\":\(count),"
        + "\"seconds\":\(String(format: "%.3f", seconds)),\"msgs_per_s\":\(Int(Double(count) / seconds)),"
        + "\"cpu_us_per_msg\":\(String(format: "%.1f", cpu / Double(count) * 1e6)),\"max_rss_kib\":\(maxRSSKiB())}"
)
try await connection.close()

