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

    /// What `publishCameras` changed.
    public struct Publication: Sendable, Equatable {
        public var added: [String] = []
        public var changed: [String] = []
        public var unchanged: [String] = []
        public var removed: [String] = []
    }

    /// Stores camera definitions (the camera file's text, by id) for every node, in one
    /// transaction: each enabled one becomes a leasable camera (a disabled one stops being one);
    /// with `prune`, definitions (and their leases) not among `definitions` are removed. Every change goes into the audit log as `actor`, and
    /// nodes are told on the change feed (topic `cameras`). The caller has checked the texts.
    public func publishCameras(_ definitions: [(id: String, text: String, enabled: Bool)], prune: Bool,
                               actor: String) async throws(ClusterError) -> Publication {
        let logger = logger
        return try await ClusterConnection.transaction(connection, operation: "publishing camera definitions", logger: logger) { connection in
            var existing: [String: String] = [:]
            for try await (id, text) in try await connection.query("SELECT id, definition FROM camera_definitions", logger: logger)
                .decode((String, String).self) { existing[id] = text }
            var result = Publication()
            for (id, text, enabled) in definitions.sorted(by: { $0.id < $1.id }) {
                switch existing[id] {
                case text?:
                    result.unchanged.append(id)
                    continue
                case nil: result.added.append(id)
                default: result.changed.append(id)
                }
                try await connection.query("""
                    INSERT INTO camera_definitions (id, definition, updated_at, updated_by) VALUES (\(id), \(text), now(), \(actor))
                    ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = now(), updated_by = excluded.updated_by
                    """, logger: logger)
                if enabled {
                    try await connection.query("INSERT INTO leasables (kind, key) VALUES ('camera', \(id)) ON CONFLICT DO NOTHING", logger: logger)
                } else {
                    try await connection.query("DELETE FROM leasables WHERE kind = 'camera' AND key = \(id)", logger: logger)
                }
                try await Self.audit(connection, actor: actor, action: existing[id] == nil ? "camera.publish" : "camera.update",
                                     camera: id, logger: logger)
            }
            if prune {
                let kept = Set(definitions.map(\.id))
                for id in existing.keys.sorted() where !kept.contains(id) {
                    try await connection.query("DELETE FROM camera_definitions WHERE id = \(id)", logger: logger)
                    try await connection.query("DELETE FROM leasables WHERE kind = 'camera' AND key = \(id)", logger: logger)
                    try await Self.audit(connection, actor: actor, action: "camera.remove", camera: id, logger: logger)
                    result.removed.append(id)
                }
            }
            if !(result.added.isEmpty && result.changed.isEmpty && result.removed.isEmpty) {
                try await ChangeFeed.announce(topic: "cameras", on: connection, logger: logger)
            }
            return result
        }
    }

    /// A line of the store's audit log (the table watchlist changes go to), in the caller's transaction.
    private static func audit(_ connection: PostgresConnection, actor: String, action: String, camera: String,
                              logger: Logger) async throws {
        let detail = String(decoding: try JSONSerialization.data(withJSONObject: ["camera": camera], options: [.sortedKeys]), as: UTF8.self)
        try await connection.query("""
            INSERT INTO auditLog (at, actor, action, watchlist, subject, detail) VALUES (now(), \(actor), \(action), NULL, NULL, \(detail))
            """, logger: logger)
    }

    /// The published camera definitions, by id.
    public func cameraDefinitions() async throws(ClusterError) -> [(id: String, text: String)] {
        var definitions: [(id: String, text: String)] = []
        for row in try await ClusterConnection.rows(connection, "SELECT id, definition FROM camera_definitions ORDER BY id",
                                                    operation: "reading camera definitions", logger: logger) {
            do { definitions.append(try row.decode((String, String).self)) } catch {
                throw .query(operation: "reading camera definitions", reason: ClusterError.reason(error))
            }
        }
        return definitions
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
