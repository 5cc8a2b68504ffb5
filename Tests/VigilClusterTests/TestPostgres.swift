import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCluster
import VigilCore
import VigilTestSupport

/// The private PostgreSQL that `scripts/test.sh` starts (`scripts/postgres.sh`), at
/// `VIGIL_TEST_POSTGRES`. Each test gets a database of its own, dropped afterwards.
/// Without the variable the tests are disabled, except under `CI=true`, where they fail.
enum TestPostgres {
    static let address = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES"]
    static let usable = Fixtures.isCI || address != nil
    static let logger = Logger(label: "vigil.cluster.test")

    /// A fresh database; `body` gets its location, and the database is dropped when it returns.
    static func withDatabase<T>(_ body: (DatabaseLocation) async throws -> T) async throws -> T {
        guard let address else {
            Issue.record("VIGIL_TEST_POSTGRES is not set: run the suite through scripts/test.sh, which starts PostgreSQL")
            throw CancellationError()
        }
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
    struct LockableRole: Sendable {
        /// The test database, reached as the role.
        let location: DatabaseLocation
        let role: String
        let admin: DatabaseLocation

        /// Refuses the role's logins and ends its connections.
        func lockOut() async throws {
            try await TestPostgres.execute(
                "ALTER ROLE \(role) NOLOGIN",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'", on: admin)
        }

        func letIn() async throws {
            try await TestPostgres.execute("ALTER ROLE \(role) LOGIN", on: admin)
        }
    }

    static func withLockableRole<T>(_ body: (LockableRole) async throws -> T) async throws -> T {
        let role = "vigil_node_\(UInt32.random(in: 0...UInt32.max))"
        let server = try DatabaseLocation(parsing: try #require(address))
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
    static func integer(_ sql: String, on location: DatabaseLocation) async throws -> Int {
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
    static func execute(_ statements: String..., on location: DatabaseLocation) async throws {
        let connection = try await ClusterConnection.open(location, logger: logger)
        do {
            for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

/// The holdings each node reported last, written from the nodes' tasks and read by the test.
final class HoldingsBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var byNode: [String: Holdings] = [:]
    private var peaks: [String: Int] = [:]

    func callback(for node: String) -> @Sendable (Holdings) -> Void {
        { [self] holdings in
            lock.withLock {
                byNode[node] = holdings
                peaks[node] = max(peaks[node] ?? 0, holdings.cameras.count)
            }
        }
    }

    /// The most cameras each node reported at once since the last `resetPeaks()`.
    var peakCameras: [String: Int] { lock.withLock { peaks } }
    func resetPeaks() { lock.withLock { peaks = [:] } }

    func cameras(_ node: String) -> Set<String> { lock.withLock { byNode[node]?.cameras ?? [] } }
    func hooks(_ node: String) -> Set<String> { lock.withLock { byNode[node]?.hooks ?? [] } }
    func forget(_ node: String) { lock.withLock { byNode[node] = nil } }

    /// Waits until `condition` holds on the reported holdings; returns the seconds it took, or nil at `timeout`.
    func wait(upTo timeout: Duration, _ condition: (HoldingsBoard) -> Bool) async throws -> Double? {
        try await Waiting.until(upTo: timeout) { condition(self) }
    }
}
