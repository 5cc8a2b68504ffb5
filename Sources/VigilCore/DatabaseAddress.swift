/// What a `database:` value names: an SQLite file, or the shared PostgreSQL (`postgres://`) that
/// nodes use for membership and leases. The configuration check, the store and `vigil cluster`
/// tell them apart the same way.
public enum DatabaseAddress {
    public static func isPostgres(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// Why the store and `vigil.yaml` refuse a PostgreSQL address in this version.
    public static let postgresNotForTheStore = """
        in this version PostgreSQL holds the nodes' leases (vigil cluster status), watchlists, alerts, \
        tokens and camera status (vigil watchlist, alerts, tokens, status); the daemon, hooks, cases and \
        crime data need an SQLite file here
        """
}
