public import ChatCore
public import Logging
public import ServiceLifecycle

/// Prunes history older than its retention in the background: `--retention-days` and each
/// room's override (`RetentionPolicy`).
///
/// Every `interval` it walks the store's conversations (a page at a time) and prunes each one's
/// old prefix in batches of `batchSize` rows, one short transaction each, waiting
/// `pauseBetweenBatches` between two full batches so that appends (which need the same
/// writer on SQLite and the conversation's row on PostgreSQL) get through: a prune of a
/// million messages is two thousand short stalls, not one long one. Every node runs it; two
/// nodes pruning at once delete each row once (PostgreSQL's row locks), which only wastes
/// work.
public struct RetentionService: Service {
    /// What to prune and at what pace.
    public struct Configuration: Sendable {
        /// The server's retention (0: keep forever; rooms may override it).
        public var policy = RetentionPolicy()
        /// Time between two passes over the store; the first pass starts after `initialDelay`.
        public var interval: Duration = .seconds(600)
        /// Time from start to the first pass (the node settles first).
        public var initialDelay: Duration = .seconds(30)
        /// Most messages one transaction deletes.
        public var batchSize = 500
        /// The wait after a full batch before the next one.
        public var pauseBetweenBatches: Duration = .milliseconds(50)
        /// Conversations read per page of the walk.
        public var scopePageSize = 500

        public init() {}
    }

    let store: any MessageRetention
    let configuration: Configuration
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// - Parameters:
    ///   - store: the history to prune.
    ///   - configuration: policy and pace.
    ///   - logger: a pass that pruned something logs what at `info`; a failed one at `warning`.
    ///   - clock: milliseconds since 1970 (tests move it).
    public init(
        store: any MessageRetention, configuration: Configuration, logger: Logger,
        clock: @escaping @Sendable () -> Int64 = ChatClock.wallMillis
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await Task.sleep(for: configuration.initialDelay)
                while !Task.isCancelled {
                    do {
                        _ = try await prunePass()
                    } catch is CancellationError {
                        return
                    } catch {
                        // The store may be down (a PostgreSQL restart): the next pass tries again.
                        logger.warning("retention pass failed", metadata: ["error": "\(error)"])
                    }
                    try await Task.sleep(for: configuration.interval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown between two batches: what was pruned is committed.
        }
    }

    /// One pass over every conversation at `clock()`, each by its own retention.
    ///
    /// - Returns: how many messages were pruned, by conversation key (only those that lost some).
    public func prunePass() async throws -> [String: Int] {
        let now = clock()
        let pruned = try await prune { configuration.policy.cutoff(for: $0, now: now) }
        if !pruned.isEmpty {
            logger.info(
                "retention pruned old messages",
                metadata: ["messages": "\(pruned.values.reduce(0, +))", "conversations": "\(pruned.count)"])
        }
        return pruned
    }

    /// Prunes every conversation (or only room `room`'s) before `cutoff`, whatever the
    /// retention settings say, at the same pace: `rabbitchat prune`.
    ///
    /// - Returns: how many messages were pruned, by conversation key.
    public func prune(before cutoff: Int64, room: String?) async throws -> [String: Int] {
        try await prune { scope in
            if let room {
                guard case .room(let name) = scope.conversation, Room.key(for: name) == Room.key(for: room) else {
                    return nil
                }
            }
            return cutoff
        }
    }

    /// Walks the store's conversations and prunes each one before `cutoff(scope)` (nil: skip it).
    func prune(cutoff: (RetentionScope) -> Int64?) async throws -> [String: Int] {
        var pruned: [String: Int] = [:]
        var after: String?
        while true {
            let scopes = try await store.retentionScopes(after: after, limit: configuration.scopePageSize)
            for scope in scopes {
                guard let before = cutoff(scope) else { continue }
                let count = try await prune(scope.conversation, before: before)
                if count > 0 { pruned[scope.conversation.key] = count }
            }
            guard scopes.count == configuration.scopePageSize, let last = scopes.last else { return pruned }
            after = last.conversation.key
        }
    }

    /// Prunes `conversation` before `cutoff` in paced batches; returns how many went.
    func prune(_ conversation: Conversation, before cutoff: Int64) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let count = try await store.pruneOldest(of: conversation, before: cutoff, limit: configuration.batchSize)
            total += count
            guard count == configuration.batchSize else { return total }
            try await Task.sleep(for: configuration.pauseBetweenBatches)
        }
    }
}
