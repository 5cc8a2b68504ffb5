import Foundation
import GRDB
import Testing
import VigilCore
import VigilPlates
@testable import VigilStore
import VigilTestSupport

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
