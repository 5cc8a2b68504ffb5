import Foundation
import Logging
import ServiceLifecycle
import Testing
import VigilCluster
import VigilCore
import VigilTestSupport

/// A change announced on one connection reaches a feed on another within 2 s, once per change,
/// and a change made while the feed's connection was down is reported when it is back.
@Suite(.serialized, .enabled(if: TestPostgres.usable))
struct ChangeFeedTests {
    let logger = TestPostgres.logger

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var topics: [String] = []
        func add(_ topic: String) { lock.withLock { topics.append(topic) } }
        var all: [String] { lock.withLock { topics } }
    }

    func waitFor(_ heard: Heard, count: Int, upTo timeout: Duration) async throws -> Double? {
        try await Waiting.until(upTo: timeout, every: .milliseconds(10)) { heard.all.count >= count }
    }

    /// The feed's connection: the last statement it ran is its LISTEN or a poll.
    let feedStatements = "(query LIKE 'LISTEN%' OR query LIKE 'SELECT topic, generation%')"

    var feedPID: String { "SELECT coalesce(max(pid), 0)::int8 FROM pg_stat_activity WHERE datname = current_database() AND \(feedStatements)" }

    @Test func anAnnouncedChangeReachesAnotherConnectionOnceAndQuickly() async throws {
        try await TestPostgres.withDatabase { location in
            let database = try await ClusterDatabase.open(location, logger: logger)
            let heard = Heard()
            // Polling slowed to 30 s: what arrives within 2 s came by notification.
            let feed = ChangeFeed(location, pollEvery: .seconds(30), logger: logger, onChange: heard.add)
            let group = ServiceGroup(services: [feed], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            let task = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(500))  // the feed is listening

            try await database.announce(topic: "watchlists")
            let latency = try await waitFor(heard, count: 1, upTo: .seconds(2))
            print("change feed: notification after \(latency.map { String(format: "%.3f", $0) } ?? "more than 2") s")
            #expect(latency != nil)
            try await database.announce(topic: "hooks")
            #expect(try await waitFor(heard, count: 2, upTo: .seconds(2)) != nil)
            try await Task.sleep(for: .milliseconds(300))
            #expect(heard.all == ["watchlists", "hooks"])

            await group.triggerGracefulShutdown()
            _ = await task.result
            await database.close()
        }
    }

    @Test func aChangeMissedWhileDisconnectedIsFoundByPolling() async throws {
        try await TestPostgres.withDatabase { location in
            let database = try await ClusterDatabase.open(location, logger: logger)
            try await database.announce(topic: "watchlists")  // a generation to start from
            let heard = Heard()
            let feed = ChangeFeed(location, pollEvery: .milliseconds(500), logger: logger, onChange: heard.add)
            let group = ServiceGroup(services: [feed], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            let task = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(500))

            // Cut the feed's connection, and change state before it is back.
            let before = try await TestPostgres.integer(feedPID, on: location)
            #expect(before != 0)
            try await TestPostgres.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid() AND \(feedStatements)
                """, on: location)
            try await database.announce(topic: "watchlists")
            #expect(try await waitFor(heard, count: 1, upTo: .seconds(5)) != nil)
            try await Task.sleep(for: .milliseconds(700))
            #expect(heard.all == ["watchlists"])
            #expect(try await TestPostgres.integer("SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = current_database() AND \(feedStatements)", on: location) == 1,
                    "the feed did not reconnect")
            let after = try await TestPostgres.integer(feedPID, on: location)
            #expect(after != before && after != 0, "the feed's connection was not replaced")

            await group.triggerGracefulShutdown()
            _ = await task.result
            await database.close()
        }
    }
}
