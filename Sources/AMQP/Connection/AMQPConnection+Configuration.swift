public import NIOCore

extension AMQPConnection {
    /// Everything needed to connect: address, credentials, tuning and recovery policy.
    ///
    /// Build it from a URL (`amqp://user:pass@host:port/vhost`) or field by field; every field
    /// has a default that works against a local RabbitMQ.
    public struct Configuration: Sendable {
        /// The broker's host name or IP address.
        public var host: String
        /// The broker's AMQP port.
        public var port: Int
        /// Other members of the same RabbitMQ cluster, tried in turn after `host:port` when it
        /// cannot be reached at connect time or is lost later.
        ///
        /// They share the user, password and virtual host of the first: a cluster's users and
        /// virtual hosts are cluster-wide.
        public var failoverEndpoints: [Endpoint] = []
        /// The user name for PLAIN authentication.
        public var user: String
        /// The password for PLAIN authentication.
        public var password: String
        /// The virtual host to open.
        public var virtualHost: String
        /// A name shown in the RabbitMQ management UI and `rabbitmqctl list_connections`.
        public var connectionName: String?
        /// The most channels the client asks for (the broker may lower it).
        public var channelMax: UInt16
        /// The largest frame the client accepts, framing included (the broker may lower it).
        ///
        /// Bodies larger than this are split into several body frames.
        public var frameMax: UInt32
        /// The heartbeat interval in seconds the client asks for; 0 defers to the broker.
        ///
        /// Two intervals without a frame from the broker close the connection as dead.
        public var heartbeat: UInt16
        /// How long TCP connect plus the AMQP handshake may take.
        public var connectTimeout: TimeAmount
        /// How the connection recovers when the socket drops or the broker restarts.
        public var recovery: Recovery

        /// One broker address.
        public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
            /// The broker's host name or IP address.
            public var host: String
            /// The broker's AMQP port.
            public var port: Int

            /// Creates an address.
            public init(host: String, port: Int) {
                self.host = host
                self.port = port
            }

            /// `host:port`, for logs and errors.
            public var description: String { "\(host):\(port)" }
        }

        /// Every broker address in the order they are tried: `host:port`, then the failover ones.
        public var endpoints: [Endpoint] {
            [Endpoint(host: self.host, port: self.port)] + self.failoverEndpoints
        }

        /// Automatic recovery policy: capped exponential backoff with jitter.
        ///
        /// Two kinds of failed attempt back off differently. A broker that refuses the TCP
        /// connection (stopped, or its listener not up yet) costs nothing to ask again, so those
        /// attempts repeat every `probeInterval`: the connection is back within that interval of
        /// the broker's return. An attempt that reached the broker and still failed (handshake,
        /// topology) backs off exponentially from `initialBackoff` to `maximumBackoff`, so a
        /// struggling broker is not hammered.
        public struct Recovery: Sendable {
            /// Whether to reconnect, reopen channels, redeclare topology and resume consumers.
            public var isEnabled: Bool
            /// The delay before the first reconnect attempt.
            public var initialBackoff: TimeAmount
            /// The cap on the delay between attempts.
            public var maximumBackoff: TimeAmount
            /// The number of attempts before giving up; nil retries forever.
            public var maximumAttempts: Int?
            /// The delay (±50 % jitter) between attempts while every endpoint refuses the TCP
            /// connection; never more than `maximumBackoff`.
            public var probeInterval: TimeAmount

            /// Creates a policy; the defaults retry forever: every 250 ms while the broker
            /// refuses connections, otherwise from 100 ms up to 10 s.
            public init(
                isEnabled: Bool = true,
                initialBackoff: TimeAmount = .milliseconds(100),
                maximumBackoff: TimeAmount = .seconds(10),
                maximumAttempts: Int? = nil,
                probeInterval: TimeAmount = .milliseconds(250)
            ) {
                self.isEnabled = isEnabled
                self.initialBackoff = initialBackoff
                self.maximumBackoff = maximumBackoff
                self.maximumAttempts = maximumAttempts
                self.probeInterval = probeInterval
            }

            /// The delay before the next probe of brokers that refused the connection.
            public func probeDelay() -> TimeAmount {
                let capped = max(min(self.probeInterval.nanoseconds, self.maximumBackoff.nanoseconds), 0)
                return .nanoseconds(Int64(Double(capped) * Double.random(in: 0.5...1.5)))
            }

            /// The delay before attempt `attempt` (1-based): exponential, capped, with ±50 % jitter
            /// so that many clients do not reconnect in lockstep after a broker restart.
            public func backoff(attempt: Int) -> TimeAmount {
                let exponent = min(max(attempt - 1, 0), 30)
                let base = min(
                    self.initialBackoff.nanoseconds.multipliedReportingOverflow(by: 1 << exponent).partialValue,
                    self.maximumBackoff.nanoseconds)
                let capped = max(base, 0)
                let jittered = Double(capped) * Double.random(in: 0.5...1.5)
                return .nanoseconds(min(Int64(jittered), self.maximumBackoff.nanoseconds))
            }
        }

        /// Creates a configuration; the defaults connect as guest to a local broker.
        public init(
            host: String = "127.0.0.1",
            port: Int = AMQPConstants.port,
            user: String = "guest",
            password: String = "guest",
            virtualHost: String = "/",
            connectionName: String? = nil,
            channelMax: UInt16 = 2047,
            frameMax: UInt32 = 131_072,
            heartbeat: UInt16 = 60,
            connectTimeout: TimeAmount = .seconds(10),
            recovery: Recovery = Recovery()
        ) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.virtualHost = virtualHost
            self.connectionName = connectionName
            self.channelMax = channelMax
            self.frameMax = frameMax
            self.heartbeat = heartbeat
            self.connectTimeout = connectTimeout
            self.recovery = recovery
        }

        /// Parses `amqp://user:pass@host:port/vhost?heartbeat=10&frame_max=131072&channel_max=100`.
        ///
        /// User, password and virtual host are percent-decoded (`%2f` is `/`); an empty path
        /// means the default virtual host `/`. Missing parts keep the defaults of `init()`.
        /// Throws `AMQPError` with code `.invalidConfiguration` for anything else (including
        /// `amqps`, which this client does not implement).
        public init(url: String) throws {
            self.init()
            let schemeEnd = url.firstRange(of: "://")
            guard let schemeEnd, url[..<schemeEnd.lowerBound].lowercased() == "amqp" else {
                throw AMQPError(code: .invalidConfiguration, message: "URL must start with amqp:// (\(url))")
            }
            var rest = Substring(url[schemeEnd.upperBound...])
            var query: Substring = ""
            if let mark = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...]
                rest = rest[..<mark]
            }
            var authority = rest
            var path: Substring?
            if let slash = rest.firstIndex(of: "/") {
                authority = rest[..<slash]
                path = rest[rest.index(after: slash)...]
            }
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
                if let colon = userInfo.firstIndex(of: ":") {
                    self.user = try Self.percentDecode(userInfo[..<colon])
                    self.password = try Self.percentDecode(userInfo[userInfo.index(after: colon)...])
                } else {
                    self.user = try Self.percentDecode(userInfo)
                }
            }
            var hostPart = authority
            var portPart: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else {
                    throw AMQPError(code: .invalidConfiguration, message: "unterminated IPv6 address in \(url)")
                }
                hostPart = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { portPart = after.dropFirst() }
            } else if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            }
            if !hostPart.isEmpty {
                self.host = try Self.percentDecode(hostPart)
            }
            if let portPart, !portPart.isEmpty {
                guard let port = Int(portPart), (1...65535).contains(port) else {
                    throw AMQPError(code: .invalidConfiguration, message: "invalid port \(portPart) in \(url)")
                }
                self.port = port
            }
            if let path, !path.isEmpty {
                self.virtualHost = try Self.percentDecode(path)
            }
            for item in query.split(separator: "&") where !item.isEmpty {
                let pair = item.split(separator: "=", maxSplits: 1)
                let key = pair[0]
                let value = pair.count > 1 ? pair[1] : ""
                switch key {
                case "heartbeat":
                    guard let number = UInt16(value) else { throw Self.badQuery(key, value) }
                    self.heartbeat = number
                case "frame_max":
                    guard let number = UInt32(value) else { throw Self.badQuery(key, value) }
                    self.frameMax = number
                case "channel_max":
                    guard let number = UInt16(value) else { throw Self.badQuery(key, value) }
                    self.channelMax = number
                case "connection_timeout":
                    guard let number = Int64(value) else { throw Self.badQuery(key, value) }
                    self.connectTimeout = .milliseconds(number)
                case "connection_name":
                    self.connectionName = try Self.percentDecode(value)
                default:
                    break  // unknown options are ignored, as other clients do
                }
            }
        }

        /// Parses several URLs of one RabbitMQ cluster: the first gives host, port, credentials,
        /// virtual host and options; the others add failover endpoints.
        ///
        /// Throws `.invalidConfiguration` when the list is empty, or when a URL names another
        /// user, password or virtual host than the first (they are cluster-wide), or repeats an
        /// endpoint.
        public init(urls: [String]) throws {
            guard let first = urls.first else {
                throw AMQPError(code: .invalidConfiguration, message: "no AMQP URL given")
            }
            try self.init(url: first)
            var seen: Set<Endpoint> = [Endpoint(host: self.host, port: self.port)]
            for url in urls.dropFirst() {
                let other = try Self(url: url)
                guard other.user == self.user, other.password == self.password, other.virtualHost == self.virtualHost
                else {
                    throw AMQPError(
                        code: .invalidConfiguration,
                        message: "every URL of a cluster needs the same user, password and virtual host as the first")
                }
                let endpoint = Endpoint(host: other.host, port: other.port)
                guard seen.insert(endpoint).inserted else {
                    throw AMQPError(code: .invalidConfiguration, message: "endpoint \(endpoint) is listed twice")
                }
                self.failoverEndpoints.append(endpoint)
            }
        }

        /// Splits a list of URLs given as one string (comma-separated, as `--amqp-url` and
        /// `RABBITCHAT_AMQP_URL` take it), dropping blanks.
        public static func splitURLList(_ list: String) -> [String] {
            list.split(separator: ",").compactMap { item in
                let trimmed = item.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }
                return trimmed.isEmpty ? nil : String(trimmed.reversed())
            }
        }

        private static func badQuery(_ key: Substring, _ value: Substring) -> AMQPError {
            AMQPError(code: .invalidConfiguration, message: "invalid value \(value) for \(key)")
        }

        static func percentDecode(_ text: Substring) throws(AMQPError) -> String {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            var iterator = text.utf8.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "%") else {
                    bytes.append(byte)
                    continue
                }
                guard let high = iterator.next().flatMap(Self.hexValue),
                    let low = iterator.next().flatMap(Self.hexValue)
                else {
                    throw AMQPError(code: .invalidConfiguration, message: "invalid percent escape in \(text)")
                }
                bytes.append(high << 4 | low)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        private static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        /// The client properties sent in `connection.start-ok`.
        ///
        /// The capabilities tell RabbitMQ which extensions this client understands; without
        /// them the broker would not send basic.nack, consumer cancel notifications,
        /// connection.blocked, or an explicit ACCESS_REFUSED on a wrong password.
        var clientProperties: AMQPTable {
            var properties: AMQPTable = [
                "product": "RabbitChat AMQP",
                "platform": "Swift",
                "version": "0.1.0",
                "capabilities": .table([
                    "publisher_confirms": true,
                    "consumer_cancel_notify": true,
                    "connection.blocked": true,
                    "basic.nack": true,
                    "authentication_failure_close": true,
                    "exchange_exchange_bindings": true,
                    "per_consumer_qos": true,
                ]),
            ]
            if let connectionName {
                properties["connection_name"] = .string(connectionName)
            }
            return properties
        }

        var parameters: ConnectionStateMachine.Parameters {
            ConnectionStateMachine.Parameters(
                user: self.user,
                password: self.password,
                virtualHost: self.virtualHost,
                clientProperties: self.clientProperties,
                channelMax: self.channelMax,
                frameMax: self.frameMax,
                heartbeat: self.heartbeat
            )
        }
    }
}
