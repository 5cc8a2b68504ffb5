import Foundation
import Testing
import VigilCore
import VigilPlates
import VigilStore
import VigilTestSupport

/// The watchlist API, the same assertions on every backend.
@Suite struct WatchlistStoreTests {
    static func encoding(_ seed: Float) -> FaceEncoding {
        FaceEncoding((0..<128).map { Float($0) * 0.001 + seed })!
    }

    static func enrolment(_ name: String, _ seed: Float) -> NewEnrolment {
        NewEnrolment(sha256: String(repeating: name.first.map(String.init) ?? "0", count: 64), sourcePath: "/photos/\(name).jpg",
                     encoding: encoding(seed), box: BoundingBox(x: 1, y: 2, width: 30, height: 30), detector: "hog")
    }

    @Test(arguments: Backend.available)
    func createEnrolListRemoveWithAudit(_ backend: Backend) async throws {
        try await backend.withStore { db, another in
            _ = try db.createWatchlist(name: "gate-1", threshold: 0.5, actor: "cli:alice")
            let outcome = try db.enrol(watchlist: "gate-1", subject: SubjectInput(id: "s1", displayName: "Subject One"),
                                       images: [Self.enrolment("a", 0), Self.enrolment("b", 0.1), Self.enrolment("a", 0)], actor: "cli:alice")
            #expect(outcome.subjectCreated && outcome.added.count == 2 && outcome.alreadyEnrolled.count == 1)

            // Another handle sees the same data: it is stored, not held in memory.
            let other = try await another()
            let detail = try other.watchlist(named: "gate-1")
            #expect(detail.watchlist.threshold == 0.5 && detail.watchlist.subjects == 1 && detail.watchlist.enrolments == 2)
            #expect(detail.subjects.first?.name == "Subject One")
            #expect(detail.subjects.first?.enrolments.map(\.sourcePath) == ["/photos/a.jpg", "/photos/b.jpg"])
            let faces = try other.faceEnrolments(watchlists: ["gate-1"])
            #expect(faces.count == 2 && faces[0].encoding == Self.encoding(0) && faces[0].threshold == 0.5)
            let image = try other.enrolmentImage(id: faces[1].enrolmentID)
            #expect(image?.path == "/photos/b.jpg" && image?.sha256 == String(repeating: "b", count: 64))
            let generation = try other.watchlistGeneration()
            #expect(generation > 0)

            // A second enrolment updates the name and notes, audited, and adds nothing already there.
            let again = try other.enrol(watchlist: "gate-1", subject: SubjectInput(id: "s1", displayName: "Subject 1", notes: "seen at gate"),
                                        images: [Self.enrolment("b", 0.1)], actor: "cli:carol")
            #expect(!again.subjectCreated && again.added.isEmpty && again.alreadyEnrolled == ["/photos/b.jpg"])
            #expect(try db.watchlist(named: "gate-1").subjects.first?.notes == "seen at gate")

            try other.removeSubject(watchlist: "gate-1", subject: "s1", actor: "cli:bob")
            #expect(try db.faceEnrolments().isEmpty)   // encodings are deleted with the subject
            #expect(try db.enrolmentImage(id: faces[1].enrolmentID) == nil)
            #expect(try db.watchlistGeneration() > generation)   // a running daemon reloads
            try other.removeWatchlist(name: "gate-1", actor: "cli:bob")
            #expect(try db.watchlists().isEmpty)

            let audit = try db.auditLog()
            #expect(audit.map(\.action) == ["watchlist.remove", "subject.remove", "subject.update", "enrolment.add", "enrolment.add",
                                            "subject.create", "watchlist.create"])
            #expect(audit.first?.actor == "cli:bob" && audit.last?.actor == "cli:alice")
            #expect(audit.first(where: { $0.action == "subject.remove" })?.detail == #"{"enrolments":2}"#)
            #expect(try db.auditLog(watchlist: "gate-1", limit: 2).map(\.action) == ["watchlist.remove", "subject.remove"])
        }
    }

    @Test(arguments: Backend.available)
    func badNamesThresholdsAndDuplicatesAreRefused(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
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
            #expect(throws: StoreError.invalidText(field: "notes", limit: 2000)) {
                try db.enrol(watchlist: "w", subject: SubjectInput(id: "s", notes: "forged\u{1B}[2Kline"), images: [], actor: "t")
            }
            // What was refused left nothing behind but the one watchlist and its audit line.
            #expect(try db.watchlists().map(\.name) == ["w"])
            #expect(try db.auditLog().map(\.action) == ["watchlist.create"])
        }
    }

    @Test(arguments: Backend.available)
    func importIsAllOrNothing(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            // The second subject's id is invalid: nothing of the first may be stored either.
            #expect(throws: StoreError.self) {
                try db.importWatchlist(name: "imp", threshold: nil, subjects: [
                    (SubjectInput(id: "ok"), [Self.enrolment("a", 0)]), (SubjectInput(id: "no good"), [Self.enrolment("b", 0)]),
                ], actor: "t")
            }
            #expect(try db.watchlists().isEmpty)
            #expect(try db.auditLog().isEmpty)

            // A valid import creates the list; a second one changes its threshold, audited.
            let first = try db.importWatchlist(name: "imp", threshold: nil, subjects: [(SubjectInput(id: "ok"), [Self.enrolment("a", 0)])], actor: "t")
            #expect(first["ok"]?.added == ["/photos/a.jpg"])
            _ = try db.importWatchlist(name: "imp", threshold: 0.45, subjects: [], actor: "t")
            #expect(try db.watchlist(named: "imp").watchlist.threshold == 0.45)
            #expect(try db.auditLog().first?.detail == #"{"from":0.6,"to":0.45}"#)
        }
    }

    @Test(arguments: Backend.available)
    func plateWatchlists(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            let list = try db.createPlateWatchlist(name: "stolen", mode: .deny, maxEdits: 1, region: "any", actor: "t")
            #expect(list.kind == "plate" && list.plates == 0 && list.mode == "deny")
            let (entry, created) = try db.addPlate(watchlist: "stolen", plate: "ab 12 cd", label: "Blue van", actor: "t")
            #expect(created && entry.plate == "AB12CD" && entry.label == "Blue van")
            #expect(try !db.addPlate(watchlist: "stolen", plate: "AB12CD", label: "Blue van, dented", actor: "t").created)

            // One bad row names its line, and nothing of the file is stored.
            let bad = [PlateRow(line: 2, plate: "XY99ZZ", label: nil), PlateRow(line: 3, plate: "CD34EF", label: nil),
                       PlateRow(line: 4, plate: "cd 34 ef", label: "again")]
            #expect(throws: StoreError.invalidPlateRow(source: "plates.csv", line: 4, reason: "plate 'CD34EF' is already on line 3")) {
                try db.importPlates(watchlist: "stolen", rows: bad, source: "plates.csv", actor: "t")
            }
            #expect(try db.plateEntries().map(\.plate) == ["AB12CD"])

            let outcome = try db.importPlates(watchlist: "stolen", rows: [
                PlateRow(line: 2, plate: "XY99ZZ", label: nil), PlateRow(line: 3, plate: "AB12CD", label: "Blue van, dented"),
                PlateRow(line: 4, plate: "GH5*", label: "pattern"),
            ], source: "plates.csv", actor: "t")
            #expect(outcome.added == ["XY99ZZ", "GH5*"] && outcome.unchanged == ["AB12CD"] && outcome.updated.isEmpty)
            let detail = try db.watchlist(named: "stolen")
            #expect(detail.plates.map(\.plate) == ["AB12CD", "GH5*", "XY99ZZ"] && detail.plates[1].wildcard)
            #expect(try db.plateEntries(watchlists: ["stolen"]).map(\.plate) == ["AB12CD", "XY99ZZ", "GH5*"])

            #expect(throws: StoreError.wrongKind(watchlist: "stolen", kind: "plate", operation: "enrol faces")) {
                try db.enrol(watchlist: "stolen", subject: SubjectInput(id: "s"), images: [], actor: "t")
            }
            #expect(throws: StoreError.plateNotFound(watchlist: "stolen", plate: "ZZ1")) {
                try db.removePlate(watchlist: "stolen", plate: "ZZ1", actor: "t")
            }
            try db.removePlate(watchlist: "stolen", plate: "xy 99 zz", actor: "t")
            #expect(try db.watchlists().first?.plates == 2)
            #expect(try db.auditLog().map(\.action) == ["plate.remove", "plate.add", "plate.add", "plate.update", "plate.add", "watchlist.create"])
        }
    }
}
