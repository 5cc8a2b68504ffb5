import Foundation
import GRDB
import Testing
import VigilCore
import VigilPlates
import VigilStore
import VigilTestSupport

/// Case records on every backend: the journal is append-only and hash-chained, every change is
/// audited, bad input stores nothing, and search and statistics find what was linked.
@Suite struct CaseRecordStoreTests {
    /// Write access around the store, as someone tampering with the database would have it.
    struct Tamper {
        /// Runs SQL as the database's owner.
        var execute: (String) async throws -> Void
        /// What drops the journal's guard.
        var dropGuard: String
        /// Overwrites a stored attachment's bytes.
        var corrupt: (_ sha256: String, _ with: Data) async throws -> Void
        /// Whether any attachment is stored at all.
        var anyAttachment: () async throws -> Bool
    }

    /// A fresh store of `backend`, a scratch folder, and raw write access to the same data.
    static func withCaseStore(_ backend: Backend, _ body: (any SharedStore, URL, Tamper) async throws -> Void) async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        switch backend {
        case .sqlite:
            let path = directory.appendingPathComponent("vigil.sqlite").path
            let db = try VigilDatabase(path: path)
            let tamper = Tamper(
                execute: { sql in let queue = try DatabaseQueue(path: path); try queue.write { try $0.execute(sql: sql) }; try queue.close() },
                dropGuard: "DROP TRIGGER caseEntry_append_only",
                corrupt: { sha, data in try data.write(to: URL(fileURLWithPath: db.caseFilePath(sha256: sha))) },
                anyAttachment: { FileManager.default.fileExists(atPath: db.caseFilesDirectory) })
            try await body(db, directory, tamper)
        case .postgres:
            try await TestPostgres.withDatabase { location in
                let store = try await PostgresStore.open(location, logger: TestPostgres.logger)
                defer { store.close() }
                let tamper = Tamper(
                    execute: { sql in try await TestPostgres.execute(sql, on: location) },
                    dropGuard: "DROP TRIGGER caseEntry_kept ON caseEntry",
                    corrupt: { sha, data in
                        try await TestPostgres.execute("UPDATE caseAttachment SET data = '\\x\(data.map { String(format: "%02x", $0) }.joined())' WHERE sha256 = '\(sha)'",
                                                       on: location)
                    },
                    anyAttachment: { try await TestPostgres.integer("SELECT count(*)::int8 FROM caseAttachment", on: location) > 0 })
                try await body(store, directory, tamper)
            }
        }
    }

    static func plateAlert(_ db: any SharedStore, plate: String, camera: String) throws -> Alert {
        let entry = PlateEntry(id: 1, watchlist: "stolen", mode: .deny, plate: plate, label: nil, maxEdits: 1)
        let match = try #require(PlateMatcher([entry]).match(plate))
        return try db.recordPlateMatch(PlateMatchEvidence(cameraID: camera, match: match, text: plate, confidence: 0.9,
                                                          box: BoundingBox(x: 1, y: 2, width: 90, height: 30), seenAt: Date()),
                                       cooldown: 60).alert
    }

    @Test(arguments: Backend.available)
    func aCaseFromAnAlertCarriesItsEvidenceJournalAndAudit(_ backend: Backend) async throws {
        try await Self.withCaseStore(backend) { db, directory, _ in
            let alertIDs = try HookFixtures.alerts(2, in: db, routes: [], camera: "lobby")
            let opened = try db.openCase(fromAlert: alertIDs[0], CaseFields(assignee: "dana"), actor: "api:alice")
            let id = try #require(opened.id)
            #expect(opened.title == "Subject 0 on lobby" && opened.type == "person" && opened.status == .open)

            let note = try db.addCaseNote(id, text: "Seen at the lobby twice.\nCalled the owner.", actor: "api:alice")
            let evidence = directory.appendingPathComponent("statement.txt")
            try Data("statement of the witness".utf8).write(to: evidence)
            let attached = try db.attachToCase(id, file: evidence.path, description: "witness statement", actor: "api:bob")
            #expect(note.seq == 1 && attached.seq == 2 && attached.previousHash == note.hash)
            #expect(attached.fileSize == 24 && attached.fileName == "statement.txt" && attached.author == "api:bob")
            #expect(try db.caseAttachment(sha256: attached.fileSHA256!) == Data("statement of the witness".utf8))

            let file = try db.caseFile(id)
            #expect(file.alerts.map(\.id) == [alertIDs[0]])
            #expect(file.parties.map(\.reference) == ["s0"] && file.parties.first?.name == "Subject 0")
            #expect(file.entries == [note, attached])
            #expect(file.relatedAlerts.isEmpty, "the other alert is for subject s1, who is not on the case")
            // A later alert for the same subject shows on the case without being linked.
            let later = try HookFixtures.alerts(1, in: db, routes: [], camera: "gate", watchlist: "other")
            #expect(try db.caseFile(id).relatedAlerts.map(\.id) == later.map { Optional($0) })

            let closed = try db.updateCase(id, CaseFields(status: .closed), actor: "api:alice")
            #expect(closed.status == .closed && closed.closedAt != nil)
            let actions = try db.auditLog(limit: 20).map(\.action).filter { $0.hasPrefix("case.") }
            #expect(actions == ["case.close", "case.attach", "case.note", "case.create"])
            #expect(try db.verifyCases(id).first?.problems == [])
        }
    }

    @Test(arguments: Backend.available)
    func theJournalIsWrittenOnceAndTamperingIsFound(_ backend: Backend) async throws {
        try await Self.withCaseStore(backend) { db, directory, tamper in
            let id = try #require(try db.createCase(CaseFields(title: "Burglary, unit 4", type: "burglary"), actor: "cli:root").id)
            for text in ["first", "second", "third"] { _ = try db.addCaseNote(id, text: text, actor: "cli:root") }
            let photo = directory.appendingPathComponent("door.jpg")
            try Data(repeating: 7, count: 1000).write(to: photo)
            let attached = try db.attachToCase(id, file: photo.path, actor: "cli:root")

            // The database itself refuses edits and deletes of entries, whoever asks.
            await #expect(throws: (any Error).self) { try await tamper.execute("UPDATE caseEntry SET body = 'x' WHERE seq = 2") }
            await #expect(throws: (any Error).self) { try await tamper.execute("DELETE FROM caseEntry WHERE seq = 3") }
            #expect(try db.verifyCases().map(\.problems) == [[]])

            // Someone with write access drops the guard and edits a note: the chain says where.
            try await tamper.execute(tamper.dropGuard)
            try await tamper.execute("UPDATE caseEntry SET body = 'changed' WHERE caseRecordId = \(id) AND seq = 2")
            #expect(try db.verifyCases(id).first?.problems == ["entry 2: its content does not match its hash"])
            // A changed attachment is found too.
            try await tamper.corrupt(attached.fileSHA256!, Data(repeating: 8, count: 1000))
            #expect(try db.verifyCases(id).first?.problems.contains("entry 4: attachment door.jpg was changed") == true)

            // Deleting the case (admin) removes its journal and its attachment with it, and is audited.
            let orphaned = try db.deleteCase(id, actor: "cli:root")
            #expect(orphaned == [attached.fileSHA256!])
            #expect(try db.caseAttachment(sha256: attached.fileSHA256!) == nil)
            #expect(throws: StoreError.caseNotFound(id)) { try db.caseFile(id) }
            #expect(try db.auditLog(limit: 1).first?.action == "case.delete")
            #expect(try db.verifyCases().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func badInputIsRefusedWithItsNameAndStoresNothing(_ backend: Backend) async throws {
        try await Self.withCaseStore(backend) { db, directory, tamper in
            #expect(throws: StoreError.invalidCase(field: "title", reason: "is required")) { try db.createCase(CaseFields(type: "theft"), actor: "t") }
            #expect(throws: StoreError.invalidCase(field: "title", reason: "is empty")) { try db.createCase(CaseFields(title: " ", type: "theft"), actor: "t") }
            let id = try #require(try db.createCase(CaseFields(title: "Theft", type: "theft"), actor: "t").id)
            #expect(throws: StoreError.alertNotFound(999)) { try db.linkToCase(id, CaseLinks(alerts: [999]), actor: "t") }
            #expect(throws: StoreError.incidentIDNotFound(5)) {
                try db.linkToCase(id, CaseLinks(incidents: [5], people: [.init(subjectID: "p1")], vehicles: ["AB123"]), actor: "t")
            }
            #expect(throws: StoreError.caseNotFound(77)) { try db.addCaseNote(77, text: "x", actor: "t") }
            #expect(throws: StoreError.invalidCase(field: "note", reason: "is empty")) { try db.addCaseNote(id, text: "\n ", actor: "t") }
            let big = directory.appendingPathComponent("big.bin")
            try Data(repeating: 1, count: 2048).write(to: big)
            #expect(throws: StoreError.attachmentTooLarge(path: big.path, size: 2048, limit: 1024)) {
                try db.attachToCase(id, file: big.path, limit: 1024, actor: "t")
            }
            let missing = directory.appendingPathComponent("nope.pdf").path
            #expect(throws: StoreError.attachmentUnreadable(path: missing, reason: "no such file")) { try db.attachToCase(id, file: missing, actor: "t") }
            #expect(throws: StoreError.self) { try db.linkToCase(id, CaseLinks(people: [.init(subjectID: "p1")], vehicles: ["AB$12"]), actor: "t") }
            #expect(throws: StoreError.self) { try db.linkToCase(id, CaseLinks(people: [.init(subjectID: "../etc")]), actor: "t") }
            let file = try db.caseFile(id)
            #expect(file.entries.isEmpty && file.parties.isEmpty && file.alerts.isEmpty && file.incidents.isEmpty)
            let stored = try await tamper.anyAttachment()
            #expect(!stored)
            #expect(try db.auditLog(limit: 10).map(\.action) == ["case.create"])
        }
    }

    @Test(arguments: Backend.available)
    func searchAndStatisticsFindWhatWasLinked(_ backend: Backend) async throws {
        try await Self.withCaseStore(backend) { db, _, _ in
            let faces = try HookFixtures.alerts(1, in: db, routes: [], camera: "lobby")
            let plate = try Self.plateAlert(db, plate: "ABC1234", camera: "gate")
            let incident = try db.recordIncident(Incident(source: "lapd", sourceID: "R1", occurredAt: Date(), latitude: 34, longitude: -118,
                                                          area: "Hollywood"))
            let person = try #require(try db.openCase(fromAlert: faces[0], CaseFields(), actor: "t").id)
            let vehicle = try #require(try db.openCase(fromAlert: plate.id!, CaseFields(title: "Stolen van", type: "vehicle theft"), actor: "t").id)
            let other = try #require(try db.createCase(CaseFields(title: "Vandalism", type: "vandalism", area: "Venice"), actor: "t").id)
            try db.linkToCase(other, CaseLinks(incidents: [incident.id!], people: [.init(subjectID: "p-77", name: "Jo Bloggs")]), actor: "t")
            #expect(try db.caseFile(other).incidents.map(\.sourceID) == ["R1"])

            func ids(_ configure: (inout CaseSearch) -> Void) throws -> [Int64] {
                var search = CaseSearch()
                configure(&search)
                return try db.searchCases(search).compactMap(\.id)
            }
            #expect(try ids { _ in } == [other, vehicle, person])
            #expect(try ids { $0.id = vehicle } == [vehicle])
            #expect(try ids { $0.text = "bloggs" } == [other])
            #expect(try ids { $0.text = "s0" } == [person])
            #expect(try ids { $0.text = "VANDAL" } == [other])
            #expect(try ids { $0.plate = "abc-1284" } == [vehicle], "one OCR-style edit away")
            #expect(try ids { $0.plate = "XYZ999" }.isEmpty)
            #expect(try ids { $0.camera = "gate" } == [vehicle])
            #expect(try ids { $0.area = "hollywood" } == [other])
            #expect(try ids { $0.area = "Venice" } == [other])
            #expect(try ids { $0.status = .open; $0.limit = 2 } == [other, vehicle])
            #expect(try ids { $0.from = Date().addingTimeInterval(3600) }.isEmpty)
            #expect(try ids { $0.type = "Vehicle Theft" } == [vehicle])

            let byType = try db.caseStatistics(period: .day, grouping: .type)
            #expect(byType.rows.map(\.group).sorted() == ["person", "vandalism", "vehicle theft"])
            #expect(byType.rows.allSatisfy { $0.cases == 1 })
            #expect(byType.rows.first { $0.group == "person" }?.alerts == 1)
            let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            #expect(byType.rows.allSatisfy { $0.period == today }, "\(byType.rows.map(\.period)) vs \(today)")
            let byCamera = try db.caseStatistics(period: .month, grouping: .camera)
            #expect(byCamera.rows.map { "\($0.group):\($0.cases):\($0.alerts)" } == ["gate:1:1", "lobby:1:1"])
            #expect(byCamera.rows.first?.period == String(today.prefix(8)) + "01")
            let byWeek = try db.caseStatistics(period: .week, grouping: .status)
            let monday = try #require(ISO8601DateFormatter().date(from: (byWeek.rows.first?.period ?? "") + "T00:00:00Z"))
            #expect(Calendar(identifier: .iso8601).component(.weekday, from: monday) == 2 && Date().timeIntervalSince(monday) < 7 * 86_400)
        }
    }
}
