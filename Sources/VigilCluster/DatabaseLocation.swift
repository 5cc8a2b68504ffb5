import Foundation
import VigilCore

/// Where the shared PostgreSQL is: parsed from `database: postgres://user[:password]@host[:port]/db`
/// in `vigil.yaml` or `VIGIL_DB`.
///
/// `description` never shows the password, so a location can be logged and put in error messages.
public struct DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// Parses a `postgres://` or `postgresql://` address; the error names what is wrong without
    /// repeating the password.
    public init(parsing value: String) throws(ClusterError) {
        let shown = Redaction.url(value)
        guard DatabaseAddress.isPostgres(value), let components = URLComponents(string: value) else {
            throw .badLocation(shown, reason: "expected postgres://user[:password]@host[:port]/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .badLocation(shown, reason: "no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .badLocation(shown, reason: "no user (postgres://user@host/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw .badLocation(shown, reason: "no database name after the host (postgres://user@host/database)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .badLocation(shown, reason: "port \(port) is out of range 1-65535")
        }
        if let query = components.query, !query.isEmpty {
            // The options themselves are not repeated: they may hold a password (`?password=`).
            throw .badLocation(shown, reason: "options after '?' are not supported")
        }
        self.init(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
                  port: components.port ?? 5432,
                  user: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 },
                  database: database)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(shownHost):\(port)/\(database)"
    }
}
