import Foundation
import Logging
import PostgresNIO
import VigilCluster
import VigilCore

/// The private PostgreSQL that `scripts/test.sh` starts (`scripts/postgres.sh`), at
/// `VIGIL_TEST_POSTGRES`. Each test gets a database of its own, dropped afterwards.
/// Without the variable the tests are disabled, except under `CI=true`, where they fail.
public enum TestPostgres {
    public static let address = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES"]
    public static let usable = Fixtures.isCI || address != nil
    public static let logger = Logger(label: "vigil.cluster.test")

    /// A fresh database; `body` gets its location, and the database is dropped when it returns.
    public static func withDatabase<T>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        guard let address else { throw NotConfigured() }
        let maintenance = try DatabaseLocation(parsing: address)
        let name = "vigil_test_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await ClusterConnection.open(maintenance, logger: logger)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        var location = maintenance
        location.database = name
        do {
            let result = try await body(location)
            try await drop(name, admin)
            return result
        } catch {
            try? await drop(name, admin)
            throw error
        }
    }

    /// A database whose nodes connect as a role of their own, which the test can lock out and let
    /// in again: the database going away for those nodes, without stopping the shared server.
    public struct LockableRole: Sendable {
        /// The test database, reached as the role.
        public let location: DatabaseLocation
        public let role: String
        public let admin: DatabaseLocation

        /// Refuses the role's logins and ends its connections.
        public func lockOut() async throws {
            try await TestPostgres.execute(
                "ALTER ROLE \(role) NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'", on: admin)
        }

        public func letIn() async throws {
            try await TestPostgres.execute("ALTER ROLE \(role) LOGIN", on: admin)
        }
    }

    public static func withLockableRole<T>(_ body: (LockableRole) async throws -> T) async throws -> T {
        let role = "vigil_node_\(UInt32.random(in: 0...UInt32.max))"
        guard let address else { throw NotConfigured() }
        let server = try DatabaseLocation(parsing: address)
        try await execute("CREATE ROLE \(role) LOGIN", on: server)
        let result = try await withDatabase { location in
            try await execute("GRANT ALL ON SCHEMA public TO \(role)", on: location)
            var asRole = location
            asRole.user = role
            return try await body(LockableRole(location: asRole, role: role, admin: location))
        }
        try await execute("DROP ROLE \(role)", on: server)
        return result
    }

    private static func drop(_ name: String, _ admin: PostgresConnection) async throws {
        try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger)
        try await admin.close()
    }

    /// The single integer a query returns.
    public static func integer(_ sql: String, on location: DatabaseLocation) async throws -> Int {
        let connection = try await ClusterConnection.open(location, logger: logger)
        var value = 0
        do {
            for try await result in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) { value = result }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return value
    }

    /// Runs statements, one at a time, as the server's superuser on `location`'s database.
    public static func execute(_ statements: String..., on location: DatabaseLocation) async throws {
        let connection = try await ClusterConnection.open(location, logger: logger)
        do {
            for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// The suite was run without the PostgreSQL that `scripts/test.sh` starts.
    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            "VIGIL_TEST_POSTGRES is not set: run the suite through scripts/test.sh, which starts PostgreSQL"
        }
    }
}
