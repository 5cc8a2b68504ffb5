import Foundation
import Logging
import PostgresNIO

/// The shared database itself, for what is not one node's business: opening and migrating it,
/// defining what can be leased, and reading who holds what.
public struct ClusterDatabase: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Connects and applies missing migrations.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws(ClusterError) -> ClusterDatabase {
        ClusterDatabase(connection: try await migrated(location, logger: logger), logger: logger)
    }

    /// A connection to a database whose schema (leases and store alike) this build has brought up
    /// to date; refuses one set up by a newer Vigil.
    public static func migrated(_ location: DatabaseLocation, logger: Logger) async throws(ClusterError) -> PostgresConnection {
        let connection = try await ClusterConnection.open(location, logger: logger)
        do {
            try await ClusterMigrations.migrate(connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        return connection
    }

    /// Makes the installation's leasables of `kind` exactly `keys`: new ones become claimable,
    /// removed ones are dropped with their leases. The node that loads the cameras' configuration
    /// calls this; every node then balances over the same set.
    public func define(_ kind: LeaseKind, keys: Set<String>) async throws(ClusterError) {
        let (logger, sorted) = (logger, keys.sorted())
        try await ClusterConnection.transaction(connection, operation: "defining \(kind.rawValue)s", logger: logger) { connection in
            try await connection.query("""
                DELETE FROM leasables WHERE kind = \(kind.rawValue) AND NOT (key = ANY(\(sorted)))
                """, logger: logger)
            try await connection.query("""
                INSERT INTO leasables (kind, key) SELECT \(kind.rawValue), unnest(\(sorted)::text[])
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Adds `keys` to the installation's leasables of `kind`, keeping every other: what a node that
    /// starts does with the cameras and hooks its configuration defines, so a node started with an
    /// older configuration never takes cameras away from the rest. `define` removes.
    public func offer(_ kind: LeaseKind, keys: Set<String>) async throws(ClusterError) {
        let (logger, sorted) = (logger, keys.sorted())
        _ = try await ClusterConnection.rows(connection, """
            INSERT INTO leasables (kind, key) SELECT \(kind.rawValue), unnest(\(sorted)::text[])
            ON CONFLICT DO NOTHING
            """, operation: "offering \(kind.rawValue)s", logger: logger)
    }

    /// Announces a change of shared state (`ChangeFeed`) on its own, for changes made outside a
    /// store transaction.
    public func announce(topic: String) async throws(ClusterError) {
        let logger = logger
        try await ClusterConnection.transaction(connection, operation: "announcing a change of \(topic)", logger: logger) { connection in
            try await ChangeFeed.announce(topic: topic, on: connection, logger: logger)
        }
    }

    /// Nodes, and the holder of every camera and hook.
    public func status() async throws(ClusterError) -> ClusterStatus {
        try await ClusterStatus.read(connection, logger: logger)
    }

    public func close() async {
        try? await connection.close()
    }
}
