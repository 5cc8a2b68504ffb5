import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilStore
import VigilTestSupport

/// `vigil watchlist` as an operator runs it, real processes on each backend: `--db` (here
/// `VIGIL_DB`) names an SQLite file or a `postgres://` database, and nothing else changes.
@Suite(.serialized)
struct WatchlistCLITests {
    /// The same session through the CLI on one backend.
    static func session(database: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: database, in: directory) }

        var step = try run(["watchlist", "create", "gate", "--threshold", "0.5"])
        #expect(step.status == 0, "\(step.stderr)")
        step = try run(["watchlist", "enroll", "gate", "--subject", "biden", "--name", "Joe Biden", try Fixtures.shared("faces/biden/1.jpg")])
        #expect(step.status == 0, "\(step.stderr)")
        step = try run(["watchlist", "create", "stolen", "--kind", "plate"])
        #expect(step.status == 0, "\(step.stderr)")

        // A bad row names file and line, exits 1, and stores nothing of the file.
        let csv = directory.appendingPathComponent("plates.csv")
        try "plate,label\nAB12CD,Blue van\nnot a plate!,x\n".write(to: csv, atomically: true, encoding: .utf8)
        step = try run(["watchlist", "import-plates", "stolen", csv.path])
        #expect(step.status == 1 && step.stderr.contains("\(csv.path):3:") && step.stderr.contains("nothing was imported"), "\(step.stderr)")
        try "plate,label\nAB12CD,Blue van\n".write(to: csv, atomically: true, encoding: .utf8)
        step = try run(["watchlist", "import-plates", "stolen", csv.path])
        #expect(step.status == 0, "\(step.stderr)")

        let lists = try run(["watchlist", "list"])
        #expect(lists.status == 0 && lists.stdout.contains("gate") && lists.stdout.contains("stolen"), "\(lists.stderr)")
        let gate = try run(["watchlist", "list", "gate"])
        #expect(gate.stdout.contains("biden") && gate.stdout.contains("Joe Biden"), "\(gate.stdout)")
        let audit = try run(["watchlist", "audit"])
        #expect(audit.status == 0)
        for action in ["watchlist.create", "subject.create", "enrolment.add", "plate.add"] {
            #expect(audit.stdout.contains(action), "\(action) missing from\n\(audit.stdout)")
        }
        #expect(audit.stdout.contains("test:runner"))
        step = try run(["watchlist", "remove", "gate", "--subject", "ghost"])
        #expect(step.status == 1 && step.stderr.contains("subject 'ghost' is not in watchlist 'gate'"), "\(step.stderr)")

    }

    @Test func theSameCommandsWorkOnSQLiteAndPostgreSQLAndStoreTheSameEncoding() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("vigil.sqlite").path
        try Self.session(database: file)
        let fromSQLite = try VigilDatabase(path: file).faceEnrolments().map(\.encoding)
        #expect(fromSQLite.count == 1)
        guard TestPostgres.usable else { return }
        try await TestPostgres.withDatabase { location in
            try Self.session(database: location.description)
            let store = try await PostgresStore.open(location, logger: TestPostgres.logger)
            defer { store.close() }
            // The photo's dlib encoding, bit for bit, whichever database holds it.
            #expect(try store.faceEnrolments().map(\.encoding) == fromSQLite)
            #expect(try store.plateEntries().map(\.plate) == ["AB12CD"])

            // An alert stored on the shared database is listed and shown by `vigil alerts`.
            let alert = try store.recordSighting(AlertStoreTests.sighting("biden", at: 0, sharpness: 1, files: "evidence"), cooldown: 30).alert
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let list = try Run.vigil(["alerts", "list"], database: location.description, in: directory)
            #expect(list.status == 0 && list.stdout.contains("Subject biden"), "\(list.stdout)\(list.stderr)")
            let show = try Run.vigil(["alerts", "show", "\(alert.id!)"], database: location.description, in: directory)
            #expect(show.status == 0 && show.stdout.contains("/snaps/evidence.jpg"), "\(show.stdout)\(show.stderr)")

            // Tokens and camera status too: a token made with the CLI authenticates through the store.
            let created = try Run.vigil(["tokens", "create", "desk-1", "--role", "viewer"], database: location.description, in: directory)
            let secret = created.stdout.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("vgl_") }.map(String.init)
            #expect(created.status == 0 && secret != nil, "\(created.stdout)\(created.stderr)")
            #expect(try store.authenticate(secret: secret ?? "")?.name == "desk-1")
            let tokens = try Run.vigil(["tokens", "list"], database: location.description, in: directory)
            #expect(tokens.status == 0 && tokens.stdout.contains("desk-1") && !tokens.stdout.contains(secret ?? "-"), "\(tokens.stdout)")
            try store.reportCameraStatus([TokenAndStatusStoreTests.status("gate")])
            let status = try Run.vigil(["status"], database: location.description, in: directory)
            #expect(status.status == 0 && status.stdout.contains("gate") && status.stdout.contains("streaming"), "\(status.stdout)\(status.stderr)")
        }
    }

    @Test func anUnreachableDatabaseIsNamedAndItsPasswordIsNot() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Run.vigil(["watchlist", "list"], database: "postgres://vigil:s3cret@127.0.0.1:1/vigil", in: directory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "\(run.stderr)")
        #expect(!run.stderr.contains("s3cret") && !run.stdout.contains("s3cret"))

        // Cases and crime data are on the shared database too: the same error, not a file path tried.
        for command in [["cases", "list"], ["crime", "models"]] {
            let run = try Run.vigil(command, database: "postgres://vigil:s3cret@127.0.0.1:1/vigil", in: directory)
            #expect(run.status == 1 && run.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1"), "\(run.stderr)")
            #expect(!run.stderr.contains("s3cret"))
        }
    }
}
