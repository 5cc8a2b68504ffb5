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
    /// repeating the password. An address without a password takes `PGPASSWORD` from the
    /// environment, as libpq does: a systemd `EnvironmentFile` or a Kubernetes Secret then holds
    /// the password, and `vigil.yaml` none.
    public init(parsing value: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ClusterError) {
        let parts: DatabaseAddress.PostgresParts
        do { parts = try DatabaseAddress.postgresParts(value) } catch {
            throw .badLocation(Redaction.url(value), reason: error.reason)
        }
        let fromEnvironment = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(host: parts.host, port: parts.port, user: parts.user, password: parts.password ?? fromEnvironment,
                  database: parts.database)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(shownHost):\(port)/\(database)"
    }
}
