import Foundation
import VigilTestSupport
import GRDB
import Testing
import VigilCore
import VigilStore

/// What only the SQLite file has: its triggers, locks, schema versions and file errors. The
/// watchlist API itself is tested on every backend in `VigilStoreTests`.
@Suite struct StoreTests {
    let directory: URL
    let path: String

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        path = directory.appendingPathComponent("vigil.sqlite").path
    }

    @Test func auditLogIsAppendOnly() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try VigilDatabase(path: path).createWatchlist(name: "w", actor: "t")
        let raw = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM auditLog") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE auditLog SET actor = 'x'") } }
    }

    @Test func newerSchemaIsRefusedAndLeftIntact() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try VigilDatabase(path: path).createWatchlist(name: "w", actor: "t")
        let raw = try DatabaseQueue(path: path)
        try raw.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        #expect(throws: StoreError.newerSchema(path: path, unknownMigrations: ["v99-future"])) {
            try VigilDatabase(path: path)
        }
        #expect(try raw.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM watchlist") } == 1)
    }

    @Test func lockedDatabaseGivesAClearErrorAndLosesNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path, busyTimeout: 0.2)
        _ = try db.createWatchlist(name: "kept", actor: "t")
        let other = try DatabaseQueue(path: path)
        try other.inDatabase { holder in
            try holder.execute(sql: "BEGIN EXCLUSIVE")
            #expect(throws: StoreError.locked(path: path)) { try db.createWatchlist(name: "blocked", actor: "t") }
            try holder.execute(sql: "ROLLBACK")
        }
        #expect(try db.watchlists().map(\.name) == ["kept"])
        #expect(try db.integrityCheck() == "ok")
    }

    @Test func notADatabaseIsNamed() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.cannotOpen(path: path, reason: "not a Vigil database (not SQLite)")) {
            try VigilDatabase(path: path)
        }
    }
}
