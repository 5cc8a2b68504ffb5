import Foundation
import GRDB
import Testing
import VigilCore
import VigilPlates
@testable import VigilStore
import VigilTestSupport

/// Case records on a real SQLite file: the journal is append-only and hash-chained, every change
/// is audited, bad input stores nothing, and search and statistics find what was linked.
@Suite struct CaseStoreTests {
    let directory: URL
    let path: String

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        path = directory.appendingPathComponent("vigil.sqlite").path
    }

    func plateAlert(_ db: VigilDatabase, plate: String, camera: String) throws -> Alert {
        let entry = PlateEntry(id: 1, watchlist: "stolen", mode: .deny, plate: plate, label: nil, maxEdits: 1)
        let match = try #require(PlateMatcher([entry]).match(plate))
        return try db.recordPlateMatch(PlateMatchEvidence(cameraID: camera, match: match, text: plate, confidence: 0.9,
                                                          box: BoundingBox(x: 1, y: 2, width: 90, height: 30), seenAt: Date()),
                                       cooldown: 60).alert
    }

    @Test func aCaseFromAnAlertCarriesItsEvidenceJournalAndAudit() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
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
        #expect(FileManager.default.contents(atPath: db.caseFilePath(sha256: attached.fileSHA256!)) == Data("statement of the witness".utf8))

        let file = try db.caseFile(id)
        #expect(file.alerts.map(\.id) == [alertIDs[0]])
        #expect(file.parties.map(\.reference) == ["s0"] && file.parties.first?.name == "Subject 0")
        #expect(file.entries.map(\.kind) == [.note, .attachment])
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

    @Test func theJournalIsWrittenOnceAndTamperingIsFound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        let id = try #require(try db.createCase(CaseFields(title: "Burglary, unit 4", type: "burglary"), actor: "cli:root").id)
        for text in ["first", "second", "third"] { _ = try db.addCaseNote(id, text: text, actor: "cli:root") }
        let photo = directory.appendingPathComponent("door.jpg")
        try Data(repeating: 7, count: 1000).write(to: photo)
        let attached = try db.attachToCase(id, file: photo.path, actor: "cli:root")

        // The database itself refuses edits and deletes of entries.
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE caseEntry SET body = 'x' WHERE seq = 2") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM caseEntry WHERE seq = 3") } }
        #expect(try db.verifyCases().map(\.problems) == [[]])

        // Someone with write access drops the guard and edits a note: the chain says where.
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER caseEntry_append_only")
            try db.execute(sql: "UPDATE caseEntry SET body = 'changed' WHERE caseRecordId = ? AND seq = 2", arguments: [id])
        }
        #expect(try db.verifyCases(id).first?.problems == ["entry 2: its content does not match its hash"])
        // An attachment changed on disk is found too.
        try Data(repeating: 8, count: 1000).write(to: URL(fileURLWithPath: db.caseFilePath(sha256: attached.fileSHA256!)))
        #expect(try db.verifyCases(id).first?.problems.contains("entry 4: attachment door.jpg was changed") == true)
        try queue.close()

        // Deleting the case (admin) removes its journal with it, and is audited.
        let orphaned = try db.deleteCase(id, actor: "cli:root")
        #expect(orphaned == [attached.fileSHA256!])
        #expect(throws: StoreError.caseNotFound(id)) { try db.caseFile(id) }
        #expect(try db.auditLog(limit: 1).first?.action == "case.delete")
        let left = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM caseEntry") }
        #expect(left == 0)
    }

    @Test func badInputIsRefusedWithItsNameAndStoresNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        #expect(throws: StoreError.invalidCase(field: "title", reason: "is required")) { try db.createCase(CaseFields(type: "theft"), actor: "t") }
        #expect(throws: StoreError.invalidCase(field: "title", reason: "is empty")) { try db.createCase(CaseFields(title: " ", type: "theft"), actor: "t") }
        let id = try #require(try db.createCase(CaseFields(title: "Theft", type: "theft"), actor: "t").id)
        #expect(throws: StoreError.alertNotFound(999)) { try db.linkToCase(id, CaseLinks(alerts: [999]), actor: "t") }
        #expect(throws: StoreError.incidentIDNotFound(5)) { try db.linkToCase(id, CaseLinks(incidents: [5], people: [.init(subjectID: "p1")], vehicles: ["AB123"]), actor: "t") }
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
        #expect(!FileManager.default.fileExists(atPath: db.caseFilesDirectory))
        #expect(try db.auditLog(limit: 10).map(\.action) == ["case.create"])
    }

    @Test func searchAndStatisticsFindWhatWasLinked() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: path)
        let faces = try HookFixtures.alerts(1, in: db, routes: [], camera: "lobby")
        let plate = try plateAlert(db, plate: "ABC1234", camera: "gate")
        let incident = try db.recordIncident(Incident(source: "lapd", sourceID: "R1", occurredAt: Date(), latitude: 34, longitude: -118,
                                                      area: "Hollywood"))
        let person = try #require(try db.openCase(fromAlert: faces[0], CaseFields(), actor: "t").id)
        let vehicle = try #require(try db.openCase(fromAlert: plate.id!, CaseFields(title: "Stolen van", type: "vehicle theft"), actor: "t").id)
        let other = try #require(try db.createCase(CaseFields(title: "Vandalism", type: "vandalism", area: "Venice"), actor: "t").id)
        try db.linkToCase(other, CaseLinks(incidents: [incident.id!], people: [.init(subjectID: "p-77", name: "Jo Bloggs")]), actor: "t")

        func ids(_ configure: (inout CaseSearch) -> Void) throws -> [Int64] {
            var search = CaseSearch()
            configure(&search)
            return try db.searchCases(search).compactMap(\.id)
        }
        #expect(try ids { $0.id = vehicle } == [vehicle])
        #expect(try ids { $0.text = "bloggs" } == [other])
        #expect(try ids { $0.text = "s0" } == [person])
        #expect(try ids { $0.plate = "abc-1284" } == [vehicle], "one OCR-style edit away")
        #expect(try ids { $0.plate = "XYZ999" }.isEmpty)
        #expect(try ids { $0.camera = "gate" } == [vehicle])
        #expect(try ids { $0.area = "hollywood" } == [other])
        #expect(try ids { $0.area = "Venice" } == [other])
        #expect(try ids { $0.from = Date().addingTimeInterval(3600) }.isEmpty)
        #expect(try ids { $0.type = "Vehicle Theft" } == [vehicle])

        let byType = try db.caseStatistics(period: .day, grouping: .type)
        #expect(byType.rows.map(\.group).sorted() == ["person", "vandalism", "vehicle theft"])
        #expect(byType.rows.allSatisfy { $0.cases == 1 })
        #expect(byType.rows.first { $0.group == "person" }?.alerts == 1)
        let byCamera = try db.caseStatistics(period: .month, grouping: .camera)
        #expect(byCamera.rows.map { "\($0.group):\($0.cases):\($0.alerts)" } == ["gate:1:1", "lobby:1:1"])
        #expect(byCamera.rows.first?.period.hasSuffix("-01") == true)
    }
}

/// Upgrading a database from before cases: the token table is rebuilt for the new role and every
/// token survives it.
@Suite struct CaseMigrationTests {
    @Test func tokensSurviveTheRoleTableRebuild() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator().migrate(queue, upTo: "v8-evidence-missing")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO apiToken (name, role, tokenSHA256, prefix, createdAt, createdBy) VALUES
                ('desk-1', 'operator', 'aa', 'vgl_aaaa', '2026-01-01 00:00:00.000', 'cli:root'),
                ('wall', 'viewer', 'bb', 'vgl_bbbb', '2026-01-01 00:00:00.000', 'cli:root')
                """)
        }
        try queue.close()
        let upgraded = try VigilDatabase(path: path)
        #expect(try upgraded.tokens().map { "\($0.name):\($0.role.rawValue)" } == ["desk-1:operator", "wall:viewer"])
        let cid = try upgraded.createToken(name: "cid", role: .caseViewer, actor: "test")
        #expect(try upgraded.authenticate(secret: cid.secret)?.role == .caseViewer)
        #expect(Role.caseViewer > .viewer && Role.caseViewer < .operator)
    }
}

/// `vigil cases` as an operator types it (the light binary, a real database file).
@Suite struct CaseCommandTests {
    @Test func theCommandLineOpensAnnotatesSearchesAndVerifiesCases() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("vigil.sqlite")
        func vigil(_ arguments: String...) throws -> Run { try Run.vigil(arguments, database: database) }
        #expect(try vigil("cases", "create", "--title", "Break-in, unit 4", "--type", "burglary", "--area", "Hollywood").stdout
            .contains("case 1 opened"))
        #expect(try vigil("cases", "note", "1", "Door forced.\nCCTV requested.").status == 0)
        let evidence = directory.appendingPathComponent("statement.txt")
        try Data("I saw a van.".utf8).write(to: evidence)
        #expect(try vigil("cases", "attach", "1", evidence.path, "--description", "witness").stdout.contains("12 bytes, sha256 "))
        let refused = try vigil("cases", "link", "1", "--vehicle", "ABC 1234", "--alert", "99")
        #expect(refused.status != 0 && refused.stderr.contains("alert 99 does not exist"))
        #expect(try vigil("cases", "link", "1", "--vehicle", "ABC 1234", "--person", "jdoe").status == 0)
        let shown = try vigil("cases", "show", "1")
        #expect(shown.stdout.contains("vehicle: ABC1234") && shown.stdout.contains("person: jdoe")
            && shown.stdout.contains("       CCTV requested.") && shown.stdout.contains("attached statement.txt (12 bytes"))
        #expect(try vigil("cases", "search", "--plate", "ABC1284").stdout.contains("Break-in, unit 4"))
        #expect(try vigil("cases", "search", "--plate", "XYZ999").stdout == "no cases\n")
        let csv = try vigil("cases", "stats", "--period", "day", "--by", "status", "--format", "csv").stdout
        #expect(csv.hasPrefix("period,status,cases,alerts\n") && csv.contains(",open,1,0"))
        let chart = directory.appendingPathComponent("cases.png")
        #expect(try vigil("cases", "stats", "--png", chart.path).status == 0)
        #expect(try Data(contentsOf: chart).prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        #expect(try vigil("cases", "verify").stdout.contains("case 1: 2 entries, intact"))
        #expect(try vigil("cases", "close", "1", "--note", "Handed to CID.").status == 0)
        #expect(try vigil("cases", "list", "--status", "closed").stdout.contains("Break-in, unit 4"))

        // Tampering in the database is named, with a non-zero exit.
        let queue = try DatabaseQueue(path: database.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER caseEntry_append_only")
            try db.execute(sql: "UPDATE caseEntry SET author = 'someone-else' WHERE seq = 1")
        }
        try queue.close()
        let verified = try vigil("cases", "verify")
        #expect(verified.status == 1 && verified.stdout.contains("case 1: TAMPERED")
            && verified.stdout.contains("entry 1: its content does not match its hash"))
        #expect(try vigil("cases", "delete", "1").status != 0, "deleting needs --yes")
        #expect(try vigil("cases", "delete", "1", "--yes").status == 0)
        let audit = try vigil("watchlist", "audit", "--json").stdout
        for action in ["case.create", "case.note", "case.attach", "case.link", "case.close", "case.delete"] {
            #expect(audit.contains("\"\(action)\""), "\(action) missing from the audit log")
        }
    }
}
