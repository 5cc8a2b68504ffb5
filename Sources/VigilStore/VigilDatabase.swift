import Foundation
import GRDB
import Logging
import VigilCore

/// Vigil's SQLite database: one GRDB `DatabasePool` in WAL mode, so the daemon
/// reads (watchlists, alerts) while the CLI or API writes.
///
/// Every write goes through an intent-level method (`createWatchlist`,
/// `enrol`, ...) that validates, writes, and appends to the audit log in one
/// transaction: either the whole intent is stored or nothing is.
public final class VigilDatabase: Sendable {
    public let path: String
    let pool: DatabasePool
    let logger: Logger

    /// Opens (creating if needed) and migrates the database at `path`.
    /// Refuses a database written by a newer Vigil rather than guessing at its schema.
    public init(path: String, logger: Logger = Logger(label: "vigil.store"), busyTimeout: TimeInterval = 5) throws {
        self.path = path
        self.logger = logger
        if DatabaseAddress.isPostgres(path) {
            // Said plainly rather than failing on a "directory postgres:" that does not exist.
            throw StoreError.cannotOpen(path: Redaction.url(path), reason: DatabaseAddress.postgresNotForTheStore)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            throw StoreError.cannotOpen(path: path, reason: "directory \(directory) does not exist")
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "vigil"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.translate(error, path: path)
        }
        if isNew { Self.giveToFolderOwner(path) }
        try migrate()
    }

    /// A database root creates in a folder a service account owns (`vigil watchlist list` as root
    /// on a packaged server, in /var/lib/vigil) is handed to that account, or the daemon could no
    /// longer write it. SQLite already does the same for the -wal and -shm files it makes as root.
    private static func giveToFolderOwner(_ path: String) {
        guard geteuid() == 0 else { return }
        let folder = (path as NSString).deletingLastPathComponent
        var owner = stat()
        guard stat(folder.isEmpty ? "." : folder, &owner) == 0, owner.st_uid != 0 else { return }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            _ = chown(file, owner.st_uid, owner.st_gid)
        }
    }

    private func migrate() throws {
        let migrator = Migrations.migrator()
        do {
            let unknown = try pool.read { db -> [String] in
                guard try db.tableExists("grdb_migrations") else { return [] }
                let applied = try migrator.appliedIdentifiers(db)
                return applied.subtracting(migrator.migrations).sorted()
            }
            if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknownMigrations: unknown) }
            try migrator.migrate(pool)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// Runs a write transaction, translating SQLite errors into `StoreError`s that name the file.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// The one place SQLite result codes become messages.
    static func translate(_ error: any Error, path: String) -> any Error {
        if error is StoreError { return error }
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError.locked(path: path)
        case .SQLITE_NOTADB:
            return StoreError.cannotOpen(path: path, reason: "not a Vigil database (not SQLite)")
        case .SQLITE_CANTOPEN:
            return StoreError.cannotOpen(path: path, reason: error.message ?? "cannot open")
        case .SQLITE_READONLY:
            return StoreError.cannotOpen(path: path, reason: "read-only")
        case .SQLITE_CORRUPT:
            return StoreError.cannotOpen(path: path, reason: "file is corrupt")
        default:
            return StoreError.database(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }
}
