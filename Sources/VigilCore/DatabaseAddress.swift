import Foundation
/// What a `database:` value names: an SQLite file, or the shared PostgreSQL (`postgres://`) that
/// nodes use for membership and leases. The configuration check, the store and `vigil cluster`
/// tell them apart the same way.
public enum DatabaseAddress {
    public static func isPostgres(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// What still needs the SQLite database in this version, for the refusals that say so.
    public static let sqliteOnly = """
        cases and crime data are kept in an SQLite database only in this version
        """

    /// Why a command that needs one of those refuses a PostgreSQL address.
    public static let postgresNotForTheStore = """
        in this version PostgreSQL holds the nodes' leases, watchlists, alerts with the hooks' outbox, \
        tokens and camera status (vigil run, watchlist, alerts, hooks, tokens, status, cluster); \(sqliteOnly)
        """

    /// Why a `postgres://` address cannot be used at all, or nil: it must name host and database.
    public static func postgresProblem(_ value: String) -> String? {
        guard let url = URLComponents(string: value), let host = url.host, !host.isEmpty else {
            return "expected postgres://user[:password]@host[:port]/database"
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        return database.isEmpty ? "name the database: postgres://user@\(host)/DATABASE" : nil
    }
}
