import Logging
import NIOCore
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` and collects its rows, failing (instead of hanging) when the connection has
    /// already closed.
    ///
    /// postgres-nio (1.33.2, and its main branch) hands a query to the channel with
    /// `channel.write(HandlerTask.extendedQuery(context), promise: nil)`. Once a channel has
    /// closed, NIO removes its handlers and drops such writes, so the query's promise is never
    /// completed and its `await` never returns (the upstream fix, vapor/postgres-nio#487, was
    /// reverted in #501). A PostgreSQL restart produces exactly that: the pool leases a
    /// connection whose close it has not processed yet, and a transaction writes `ROLLBACK` on
    /// the connection whose death just failed its statement.
    ///
    /// Checking the channel and writing the query in one event-loop tick closes that window:
    /// while the channel is active its handlers are in place, and the connection's state machine
    /// fails every query it was given when the connection closes.
    ///
    /// - Throws: `PostgresConnectionClosed` when the query was not sent because the connection
    ///   had closed (safe to retry on another connection), or the query's `PSQLError`.
    @discardableResult
    func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresQueryResult {
        let eventLoop = self.eventLoop
        return try await eventLoop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
            guard !self.isClosed else {
                logger.debug("query not sent: the connection had closed")
                return eventLoop.makeFailedFuture(PostgresConnectionClosed())
            }
            return self.query(query, logger: logger)
        }.get()
    }
}

/// A query was not sent because its connection had already closed: nothing of it reached the
/// server, so it may be retried on another connection.
struct PostgresConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the PostgreSQL connection had closed before the query was sent" }
}
