import Foundation
import Logging
import PostgresNIO

/// The shared database's schema, as named, append-only migrations (the PostgreSQL counterpart of
/// `VigilStore`'s GRDB migrator). A migration, once released, is never edited: a change is a new
/// entry at the end.
///
/// Nodes that start together migrate one at a time: each holds a transaction-scoped advisory lock
/// while it reads what is applied and applies the rest.
enum ClusterMigrations {
    static let all: [(name: String, sql: [String])] = [
        ("cluster-1-nodes-and-leases", [
            """
            CREATE TABLE nodes (
                name        text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 63),
                instance    uuid NOT NULL,
                camera_capacity integer NOT NULL CHECK (camera_capacity >= 0),
                started_at  timestamptz NOT NULL,
                seen_at     timestamptz NOT NULL,
                expires_at  timestamptz NOT NULL
            )
            """,
            // What can be leased: every camera and every hook of the installation, one row each.
            """
            CREATE TABLE leasables (
                kind text NOT NULL CHECK (kind IN ('camera', 'hook')),
                key  text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
                PRIMARY KEY (kind, key)
            )
            """,
            // At most one holder per leasable, by the primary key. `holder` is the node process
            // (instance), so a restarted node with the same name never renews its predecessor's leases.
            """
            CREATE TABLE leases (
                kind        text NOT NULL,
                key         text NOT NULL,
                node        text NOT NULL,
                holder      uuid NOT NULL,
                acquired_at timestamptz NOT NULL,
                expires_at  timestamptz NOT NULL,
                PRIMARY KEY (kind, key),
                FOREIGN KEY (kind, key) REFERENCES leasables (kind, key) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX leases_by_holder ON leases (holder, kind)",
            // One counter per topic of shared state (watchlists, hooks, ...), raised in the same
            // transaction as the change: what a node polls when notifications may have been missed.
            """
            CREATE TABLE change_generations (
                topic      text PRIMARY KEY CHECK (length(topic) BETWEEN 1 AND 63),
                generation bigint NOT NULL
            )
            """,
        ]),
    ]

    /// An arbitrary constant naming Vigil's migration lock among the server's advisory locks.
    static let lockKey: Int64 = 0x5649_4749_4C00  // "VIGIL"

    /// Applies what is missing; refuses a database that knows migrations this build does not.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws(ClusterError) {
        let known = Set(all.map(\.name))
        let lockKey = Self.lockKey
        let unknown: [String] = try await ClusterConnection.transaction(connection, operation: "migrating the schema", logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS vigil_migrations (
                    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM vigil_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let unknown = applied.subtracting(known).sorted()
            guard unknown.isEmpty else { return unknown }
            for migration in all where !applied.contains(migration.name) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO vigil_migrations (name) VALUES (\(migration.name))", logger: logger)
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            }
            return []
        }
        if !unknown.isEmpty { throw .newerSchema(unknownMigrations: unknown) }
    }
}
