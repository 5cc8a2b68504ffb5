import Foundation
import Logging
import PostgresNIO

/// One `vigil run` per shared database, until the daemon claims cameras and hooks through leases
/// (`ClusterNode`): two daemons on one database would both analyse every camera and both send
/// every hook's deliveries.
///
/// A session-level advisory lock on a connection of its own, held for the daemon's life. The
/// server releases it when the connection ends, so a daemon that dies (even `kill -9`) frees the
/// database at once.
public final class SoleDaemonLock: Sendable {
    /// An arbitrary constant naming the lock among the server's advisory locks.
    static let key: Int64 = 0x5649_4749_4C02
    private let connection: PostgresConnection

    private init(connection: PostgresConnection) { self.connection = connection }

    /// Takes the lock, or fails with `ClusterError.daemonRunning` when another daemon holds it.
    public static func take(_ location: DatabaseLocation, logger: Logger) async throws(ClusterError) -> SoleDaemonLock {
        let connection = try await ClusterConnection.open(location, logger: logger)
        let rows = try await ClusterConnection.rows(connection, "SELECT pg_try_advisory_lock(\(key))",
                                                    operation: "taking the one-daemon lock", logger: logger)
        let taken = (try? rows.first?.decode(Bool.self)) ?? false
        guard taken else {
            try? await connection.close()
            throw .daemonRunning(database: location.description)
        }
        return SoleDaemonLock(connection: connection)
    }

    deinit {
        let connection = connection
        if !connection.isClosed { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
    }
}
