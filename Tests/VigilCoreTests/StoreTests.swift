import Foundation
import VigilTestSupport
import GRDB
import Testing
import VigilCore
import VigilStore

/// The watchlist database on a real SQLite file.
@Suite struct StoreTests {
    let directory: URL
    let path: String

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        path = directory.appendingPathComponent("vigil.sqlite").path
    }

    func encoding(_ seed: Float) -> FaceEncoding {
        FaceEncoding((0..<128).map { Float($0) * 0.001 + seed })!
    }

    func enrolment(_ name: String, _ seed: Float) -> NewEnrolment {
        NewEnrolment(sha256: String(repeating: name.first.map(String.init) ?? "0", count: 64), sourcePath: "/photos/\(name).jpg",
                     encoding: encoding(seed), box: BoundingBox(x: 1, y: 2, width: 30, height: 30), detector: "hog")
    }

    @Test func createEnrolListRemoveWithAudit() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        _ = try db.createWatchlist(name: "gate-1", threshold: 0.5, actor: "cli:alice")
        let outcome = try db.enrol(watchlist: "gate-1", subject: SubjectInput(id: "s1", displayName: "Subject One"),
                                   images: [enrolment("a", 0), enrolment("b", 0.1), enrolment("a", 0)], actor: "cli:alice")
        #expect(outcome.subjectCreated && outcome.added.count == 2 && outcome.alreadyEnrolled.count == 1)

        // Reopening sees the same data: it is on disk, not in memory.
        let reopened = try VigilDatabase(path: path)
        let detail = try reopened.watchlist(named: "gate-1")
        #expect(detail.watchlist.threshold == 0.5 && detail.watchlist.subjects == 1 && detail.watchlist.enrolments == 2)
        #expect(detail.subjects.first?.name == "Subject One")
        let faces = try reopened.faceEnrolments(watchlists: ["gate-1"])
        #expect(faces.count == 2 && faces[0].encoding == encoding(0) && faces[0].threshold == 0.5)

        try reopened.removeSubject(watchlist: "gate-1", subject: "s1", actor: "cli:bob")
        #expect(try reopened.faceEnrolments().isEmpty)   // encodings are deleted with the subject
        try reopened.removeWatchlist(name: "gate-1", actor: "cli:bob")
        #expect(try reopened.watchlists().isEmpty)

        let audit = try reopened.auditLog()
        #expect(audit.map(\.action) == ["watchlist.remove", "subject.remove", "enrolment.add", "enrolment.add",
                                        "subject.create", "watchlist.create"])
        #expect(audit.first?.actor == "cli:bob" && audit.last?.actor == "cli:alice")
    }

    @Test func badNamesThresholdsAndDuplicatesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        #expect(throws: StoreError.invalidName(kind: "watchlist name", value: "bad name")) {
            try db.createWatchlist(name: "bad name", actor: "t")
        }
        #expect(throws: StoreError.invalidThreshold(0)) { try db.createWatchlist(name: "w", threshold: 0, actor: "t") }
        _ = try db.createWatchlist(name: "w", actor: "t")
        #expect(throws: StoreError.watchlistExists("w")) { try db.createWatchlist(name: "w", actor: "t") }
        #expect(throws: StoreError.watchlistNotFound("nope")) {
            try db.enrol(watchlist: "nope", subject: SubjectInput(id: "s"), images: [], actor: "t")
        }
        #expect(throws: StoreError.subjectNotFound(watchlist: "w", subject: "ghost")) {
            try db.removeSubject(watchlist: "w", subject: "ghost", actor: "t")
        }
        #expect(throws: StoreError.watchlistNotFound("other")) { try db.faceEnrolments(watchlists: ["w", "other"]) }
    }

    @Test func importIsAllOrNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        // The second subject's id is invalid: nothing of the first may be stored either.
        #expect(throws: StoreError.self) {
            try db.importWatchlist(name: "imp", threshold: nil, subjects: [
                (SubjectInput(id: "ok"), [enrolment("a", 0)]), (SubjectInput(id: "no good"), [enrolment("b", 0)]),
            ], actor: "t")
        }
        #expect(try db.watchlists().isEmpty)
        #expect(try db.auditLog().isEmpty)
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
