import Foundation
import PostgresNIO

/// Everything that can go wrong between a node and the shared database, worded for the operator
/// who reads it in the log or on the terminal. A database location is always shown without its
/// password.
public enum ClusterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The `database:` value is not a usable `postgres://` address.
    case badLocation(String, reason: String)
    /// The server could not be reached or refused the connection.
    case unreachable(host: String, port: Int, reason: String)
    /// A statement failed on the server.
    case query(operation: String, reason: String)
    /// The database holds migrations this Vigil does not know: it was set up by a newer Vigil.
    case newerSchema(unknownMigrations: [String])
    /// Another live node already uses this name.
    case nodeNameInUse(name: String, lastSeenSecondsAgo: Double)
    /// This node's row was taken over by another process with the same name while this one was cut off.
    case evicted(name: String)
    /// A node name that cannot be stored or shown.
    case badNodeName(String, reason: String)
    /// Leases that would lapse before a node had two chances to renew them.
    case badLeaseTiming(ttl: String, renewEvery: String)

    public var description: String {
        switch self {
        case let .badLocation(location, reason):
            return "database \(location): \(reason)"
        case let .unreachable(host, port, reason):
            return "cannot reach PostgreSQL at \(host):\(port): \(reason)"
        case let .query(operation, reason):
            return "PostgreSQL: \(operation) failed: \(reason)"
        case let .newerSchema(unknown):
            return "the database was set up by a newer Vigil (unknown migrations: \(unknown.joined(separator: ", "))); upgrade this node"
        case let .nodeNameInUse(name, seconds):
            return "node name \"\(name)\" is in use by a live node (seen \(String(format: "%.1f", seconds)) s ago); give this node another --node name"
        case let .evicted(name):
            return "node \"\(name)\" was taken over by another process with the same name while this one could not reach the database"
        case let .badNodeName(name, reason):
            return "node name \"\(name)\": \(reason)"
        case let .badLeaseTiming(ttl, renewEvery):
            return "lease time \(ttl) must be at least twice the renewal interval \(renewEvery), or one late renewal loses the lease"
        }
    }

    /// Words for a PostgreSQL error: the server's own message and SQLSTATE when there is one
    /// (`PSQLError`'s description hides them on purpose), else the transport failure.
    public static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = error.underlying { return String(describing: underlying) }
            return String(describing: error.code)
        }
        if let error = error as? PostgresTransactionError {
            return reason(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        return String(describing: error)
    }
}
