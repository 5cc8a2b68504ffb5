import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One PostgreSQL connection, opened with errors that name the server.
///
/// A node needs a single connection for its membership and leases: one statement at a time, on one
/// task. Keeping it single (not a pool) makes "the database is gone" an error on the next statement
/// rather than a request that waits in a pool's queue while leases run out.
public enum ClusterConnection {
    /// Connects, failing within `timeout` with `ClusterError.unreachable` naming host and port.
    public static func open(_ location: DatabaseLocation, timeout: Duration = .seconds(5),
                            logger: Logger) async throws(ClusterError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration(location, timeout: timeout),
                id: Int.random(in: 1...Int(Int32.max)), logger: logger)
        } catch {
            throw .unreachable(host: location.host, port: location.port, reason: ClusterError.reason(error))
        }
    }

    /// `open` for a caller on a thread that may block (the synchronous store): the same connection,
    /// waited for on the calling thread.
    public static func openBlocking(_ location: DatabaseLocation, timeout: Duration = .seconds(5),
                                    logger: Logger) throws(ClusterError) -> PostgresConnection {
        do {
            return try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration(location, timeout: timeout),
                id: Int.random(in: 1...Int(Int32.max)), logger: logger).wait()
        } catch {
            throw .unreachable(host: location.host, port: location.port, reason: ClusterError.reason(error))
        }
    }

    private static func configuration(_ location: DatabaseLocation, timeout: Duration) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password, database: location.database, tls: .disable)
        configuration.options.connectTimeout = TimeAmount(timeout)
        return configuration
    }

    /// Runs one statement and collects its rows, translating failures into `ClusterError.query`.
    static func rows(_ connection: PostgresConnection, _ query: PostgresQuery, operation: String,
                     logger: Logger) async throws(ClusterError) -> [PostgresRow] {
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw .query(operation: operation, reason: ClusterError.reason(error))
        }
    }

    /// Runs `body` in one transaction; a failure anywhere rolls all of it back.
    public static func transaction<T>(_ connection: PostgresConnection, operation: String, logger: Logger,
                               _ body: (PostgresConnection) async throws -> sending T) async throws(ClusterError) -> sending T {
        do {
            return try await connection.withTransaction(logger: logger, body)
        } catch let error as ClusterError {
            throw error
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? ClusterError { throw inner }
            throw .query(operation: operation, reason: ClusterError.reason(error))
        } catch {
            throw .query(operation: operation, reason: ClusterError.reason(error))
        }
    }

}
