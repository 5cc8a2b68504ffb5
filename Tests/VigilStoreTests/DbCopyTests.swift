import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilStore
import VigilTestSupport

/// `vigil db copy` as an administrator moving an installation runs it: a real SQLite
/// installation, made with the CLI and the daemon's store calls, copied into PostgreSQL.
@Suite(.serialized, .enabled(if: TestPostgres.usable))
struct DbCopyTests {
    @Test func anInstallationIsCopiedWholeWithItsIdsAndTheAuditIsIdentical() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("vigil.sqlite").path
        let sqlite = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: file, in: directory) }
        #expect(try sqlite(["watchlist", "create", "gate", "--threshold", "0.5"]).status == 0)
        let enrolled = try sqlite(["watchlist", "enroll", "gate", "--subject", "biden", "--name", "Joe Biden", try Fixtures.shared("faces/biden/1.jpg")])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        #expect(try sqlite(["watchlist", "create", "stolen", "--kind", "plate"]).status == 0)
        #expect(try sqlite(["watchlist", "add-plate", "stolen", "AB12CD", "--label", "Blue van"]).status == 0)
        let secret = try sqlite(["tokens", "create", "desk-1", "--role", "operator"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("vgl_"))
        // What a daemon would have written: alerts with deliveries and stream events, a review, camera status.
        let local = try VigilDatabase(path: file)
        let routes = [OutboxRoute(hook: "siem", filter: HookFilter())]
        for step in 0..<3 {
            _ = try local.recordSighting(AlertStoreTests.sighting("biden", at: Double(step * 100), sharpness: 1, files: "e\(step)"),
                                         cooldown: 30, routes: routes)
        }
        let first = try #require(try local.alerts().last)
        try local.acknowledge(alert: first.id!, actor: "op:ann")
        try local.recordAttempt(try local.nextDeliveries(hook: "siem")[0].id!, result: .delivered(status: 200))
        try local.reportCameraStatus([TokenAndStatusStoreTests.status("gate")])
        // A case from the first alert, with a note and an attachment (a file beside the SQLite database).
        let caseID = try #require(try local.openCase(fromAlert: first.id!, CaseFields(area: "Gate"), actor: "op:ann").id)
        _ = try local.addCaseNote(caseID, text: "Seen twice.", actor: "op:ann")
        let attached = try local.attachToCase(caseID, data: Data("witness statement".utf8), name: "statement.txt", actor: "op:ann")
        // Crime data: incidents with an outcome, a registry with a promotion, a drift alert with its delivery.
        _ = try local.importIncidents([CrimeStoreTests.incident("a", daysAfter: 1), CrimeStoreTests.incident("b", daysAfter: 2)])
        _ = try local.recordOutcome(source: "lapd", sourceID: "b", arrest: true, severity: nil)
        let model = try local.registerModel(CrimeStoreTests.model())
        try local.promoteModel(id: model.id!, actor: "cli:analyst")
        try local.recordDrift(CrimeDriftRecord(crimeModelId: model.id!, at: CrimeStoreTests.day, recent: 300, threshold: 0.2, maxPSI: 0.3,
                                               features: #"{"area":0.3}"#, alerted: true), model: model, routes: routes)

        try await TestPostgres.withDatabase { location in
            let copy = try Run.vigil(["db", "copy", "--from", file, "--to", location.description], database: file, in: directory)
            #expect(copy.status == 0 && copy.stdout.contains("every count matches"), "\(copy.stdout)\(copy.stderr)")
            #expect(copy.stdout.contains("auditLog") && copy.stdout.contains("delivery"))

            // `vigil watchlist audit` is identical, and so is every answer of the store.
            let auditBefore = try sqlite(["watchlist", "audit", "--limit", "1000"])
            let auditAfter = try Run.vigil(["watchlist", "audit", "--limit", "1000"], database: location.description, in: directory)
            #expect(auditAfter.status == 0 && auditAfter.stdout == auditBefore.stdout && auditBefore.stdout.contains("enrolment.add"),
                    "\(auditBefore.stdout)\n---\n\(auditAfter.stdout)\(auditAfter.stderr)")
            let shared = try await PostgresStore.open(location, logger: TestPostgres.logger)
            defer { shared.close() }
            #expect(try shared.watchlists() == local.watchlists())
            #expect(try shared.faceEnrolments() == local.faceEnrolments())   // ids and bit-identical encodings
            #expect(try shared.plateEntries() == local.plateEntries())
            #expect(try shared.alerts() == local.alerts())
            #expect(try shared.alertEvents(after: 0) == local.alertEvents(after: 0))
            #expect(try shared.deliveries() == local.deliveries())
            #expect(try shared.tokens() == local.tokens() && shared.authenticate(secret: secret)?.name == "desk-1")
            #expect(try shared.cameraStatus() == local.cameraStatus())
            #expect(try shared.auditLog(limit: 1000) == local.auditLog(limit: 1000))
            #expect(try shared.incidents() == local.incidents() && shared.incidentCount() == 2)
            #expect(try shared.crimeModels() == local.crimeModels() && shared.productionModelID(task: "severity") == model.id)
            #expect(try shared.crimeModelEvents(model: model.id!) == local.crimeModelEvents(model: model.id!))
            #expect(copy.stdout.contains("incident") && copy.stdout.contains("crimeDrift") && copy.stdout.contains("caseEntry"))
            // The case, its journal (hash chain intact) and its attachment, now a row every node reads.
            #expect(try shared.caseFile(caseID) == local.caseFile(caseID))
            #expect(try shared.caseAttachment(sha256: attached.fileSHA256!) == Data("witness statement".utf8))
            #expect(try shared.verifyCases() == local.verifyCases() && shared.verifyCases().map(\.problems) == [[]])

            // New rows continue after the copied ids.
            let next = try shared.recordSighting(AlertStoreTests.sighting("biden", camera: "lobby", at: 1000, sharpness: 1), cooldown: 30)
            #expect(next.alert.id == (try local.alerts().map { $0.id! }.max() ?? 0) + 1)

            // Copying again into a database that is no longer empty is refused, and changes nothing.
            let again = try Run.vigil(["db", "copy", "--from", file, "--to", location.description], database: file, in: directory)
            #expect(again.status == 1 && again.stderr.contains("copy into an empty database"), "\(again.stderr)")
            #expect(try shared.alerts().count == 4)
        }

        // A source whose case attachment went missing is refused whole, naming the file.
        try FileManager.default.removeItem(atPath: local.caseFilePath(sha256: attached.fileSHA256!))
        try await TestPostgres.withDatabase { location in
            let copy = try Run.vigil(["db", "copy", "--from", file, "--to", location.description], database: file, in: directory)
            #expect(copy.status == 1 && copy.stderr.contains(attached.fileSHA256!) && copy.stderr.contains("nothing was copied"), "\(copy.stderr)")
            let copied = try await TestPostgres.integer("SELECT count(*)::int8 FROM information_schema.tables WHERE table_name = 'alert'", on: location)
            #expect(copied == 0)   // not even the schema was created
        }
    }
}
