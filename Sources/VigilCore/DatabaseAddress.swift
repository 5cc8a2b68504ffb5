import Foundation
/// What a `database:` value names: an SQLite file, or the shared PostgreSQL (`postgres://`) that
/// nodes use for membership and leases. The configuration check, the store and `vigil cluster`
/// tell them apart the same way.
public enum DatabaseAddress {
    public static func isPostgres(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// Why an SQLite file cannot be opened at a `postgres://` address (a caller that should have
    /// opened the shared store instead).
    public static let postgresNotForTheStore = "a postgres:// address is a shared database, not an SQLite file"

    /// The parts of a `postgres://user[:password]@host[:port]/database` address.
    public struct PostgresParts: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
    }

    /// Why a `postgres://` address cannot be used, in words that never repeat its password.
    public struct Problem: Error, Sendable, Equatable {
        public var reason: String
    }

    /// Parses a `postgres://` or `postgresql://` address: the one parser behind the configuration
    /// check and every connection (`DatabaseLocation`), so what the check accepts can be opened.
    public static func postgresParts(_ value: String) throws(Problem) -> PostgresParts {
        guard isPostgres(value), let components = URLComponents(string: value) else {
            throw Problem(reason: "expected postgres://user[:password]@host[:port]/database")
        }
        guard let host = components.host, !host.isEmpty else { throw Problem(reason: "no host") }
        guard let user = components.user, !user.isEmpty else { throw Problem(reason: "no user (postgres://user@host/database)") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Problem(reason: "no database name after the host (postgres://user@host/database)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw Problem(reason: "port \(port) is out of range 1-65535")
        }
        if let query = components.query, !query.isEmpty {
            // The options themselves are not repeated: they may hold a password (`?password=`).
            throw Problem(reason: "options after '?' are not supported")
        }
        return PostgresParts(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: components.port ?? 5432,
                             user: user.removingPercentEncoding ?? user,
                             password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database)
    }

    /// Why a `postgres://` address cannot be used, or nil.
    public static func postgresProblem(_ value: String) -> String? {
        do {
            _ = try postgresParts(value)
            return nil
        } catch {
            return error.reason
        }
    }
}
