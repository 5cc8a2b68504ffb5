import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Tells a node when shared state changed on any node: a watchlist edited through another node's
/// CLI or API must reach every node's matcher within 2 s.
///
/// Writers call `ChangeFeed.announce(topic:)` inside the transaction that makes the change: it raises
/// the topic's generation and sends a PostgreSQL notification, both delivered only if the
/// transaction commits. Readers LISTEN, and also poll the generations every `pollEvery`, so a
/// notification lost while the listening connection was down (or through a pooler that does not
/// pass LISTEN on) is caught by the next poll.
public final class ChangeFeed: Service, Sendable {
    public static let channel = "vigil_changes"

    private let location: DatabaseLocation
    private let pollEvery: Duration
    private let logger: Logger
    private let onChange: @Sendable (String) -> Void

    public init(_ location: DatabaseLocation, pollEvery: Duration = .seconds(1), logger: Logger,
                onChange: @escaping @Sendable (String) -> Void) {
        self.location = location
        self.pollEvery = pollEvery
        self.logger = logger
        self.onChange = onChange
    }

    /// Raises `topic`'s generation and notifies listeners, as part of the caller's transaction.
    public static func announce(topic: String, on connection: PostgresConnection, logger: Logger) async throws {
        for statement in announcement(topic: topic) { try await connection.query(statement, logger: logger) }
    }

    /// The statements `announce` runs, for a writer that drives its transaction without `async`
    /// (the synchronous store).
    public static func announcement(topic: String) -> [PostgresQuery] {
        ["""
            INSERT INTO change_generations (topic, generation) VALUES (\(topic), 1)
            ON CONFLICT (topic) DO UPDATE SET generation = change_generations.generation + 1
            """,
         "SELECT pg_notify(\(channel), \(topic))"]
    }

    public func run() async throws {
        let known = Generations()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let connection = try await ClusterConnection.open(location, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    // Whatever changed while no connection was listening.
                    try await poll(connection, known: known)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { [self] in
                            // A notification triggers a poll, which reports and records the change, so
                            // the timed poll does not report it a second time.
                            for try await _ in notifications { try await poll(connection, known: known) }
                            throw ClusterError.query(operation: "listening on \(Self.channel)", reason: "the connection closed")
                        }
                        group.addTask { [self] in
                            while !Task.isCancelled {
                                try await Task.sleep(for: pollEvery)
                                try await poll(connection, known: known)
                            }
                        }
                        group.addTask {
                            try? await gracefulShutdown()
                            throw CancellationError()
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                logger.warning("change feed interrupted; reconnecting", metadata: ["error": "\(ClusterError.reason(error))"])
                try? await Task.sleep(for: pollEvery)
            }
        }
    }

    /// Reports topics whose generation moved since the last poll, on this connection or an earlier
    /// one. The first poll only learns the generations: a node loads all state when it starts.
    private func poll(_ connection: PostgresConnection, known: Generations) async throws {
        var current: [String: Int64] = [:]
        for try await (topic, generation) in try await connection.query(
            "SELECT topic, generation FROM change_generations", logger: logger).decode((String, Int64).self) {
            current[topic] = generation
        }
        for topic in known.update(current) { onChange(topic) }
    }
}

/// The generations last seen, kept across reconnections.
private final class Generations: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String: Int64]? = nil

    /// Stores `current` and returns the topics that moved (none on the first call).
    func update(_ current: [String: Int64]) -> [String] {
        lock.withLock {
            defer { seen = current }
            guard let seen else { return [] }
            return current.filter { seen[$0.key] != $0.value }.map(\.key).sorted()
        }
    }
}
