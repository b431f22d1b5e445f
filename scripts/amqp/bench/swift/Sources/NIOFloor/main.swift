// The RSS floor of a Swift NIO client on this machine, to read AMQPBench's RSS against:
// one event-loop thread, one TCP connection to the broker, the AMQP protocol header sent and
// the broker's first frame (connection.start) read; then prints max RSS as JSON.
// Usage: NIOFloor [host] [port]
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class FirstFrame: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received: EventLoopPromise<Int>
    init(received: EventLoopPromise<Int>) { self.received = received }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.received.succeed(Self.unwrapInboundIn(data).readableBytes)
    }
}

func maxRSSKiB() -> Int {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss)
}

let arguments = CommandLine.arguments
let host = arguments.count > 1 ? arguments[1] : "127.0.0.1"
let port = arguments.count > 2 ? Int(arguments[2])! : 5672
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let received = group.next().makePromise(of: Int.self)
let channel = try await ClientBootstrap(group: group)
    .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FirstFrame(received: received)) }
    }
    .connect(host: host, port: port).get()
try await channel.writeAndFlush(ByteBuffer(bytes: [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1])).get()
let bytes = try await received.futureResult.get()
try await channel.close().get()
try await group.shutdownGracefully()
print("{\"client\":\"nio-floor\",\"first_frame_bytes\":\(bytes),\"max_rss_kib\":\(maxRSSKiB())}")
