import Foundation
import VigilTestSupport
import GRDB
import Testing

/// `vigil crime` end to end on the LA export: the registry's lifecycle, scoring, outcome
/// feedback and the refusals, each through the real binary and a real SQLite file.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct CrimeCLITests {
    static func production(_ database: URL) throws -> [Int64] {
        try DatabaseQueue(path: database.path).read { try Int64.fetchAll($0, sql: "SELECT id FROM crimeModel WHERE stage = 'production'") }
    }

    @Test func trainTwicePromoteDemoteAndAWorseRetrainLeavesProductionAlone() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("crime.sqlite")
        func vigil(_ arguments: String...) throws -> Run { try Run.vigil(arguments, database: db) }
        let imported = try vigil("crime", "import", try Fixtures.shared("crime/la_westla_2020.csv"), "--mapping", "lapd")
        #expect(imported.status == 0 && imported.stdout.contains("7395 rows read, 7384 clean, 7384 stored"), "\(imported.stderr)")
        #expect(imported.stdout.contains("dropped 11: missing, zero or impossible coordinates (lines 76, 505, 1533, 1994, 3614, ...)"))

        let first = try vigil("crime", "train", "--no-grid")
        #expect(first.status == 0 && first.stdout.contains("registered model 1: severity v1 (staging)"), "\(first.stderr)")
        #expect(first.stdout.contains("5-fold CV (training split): macro-F1") && first.stdout.contains("forward in time (train 2020-03-15"))
        let second = try vigil("crime", "train", "--no-grid", "--algorithm", "forest")
        #expect(second.status == 0 && second.stdout.contains("registered model 2: severity v2 (staging)"), "\(second.stderr)")
        // Nothing scores until a model is promoted.
        let incident = #"{"occurred_at": "2020-12-20T21:30", "latitude": 34.0507, "longitude": -118.4421, "area": "West LA", "premise": "STREET", "weapon": null, "victim_age": 34, "victim_sex": "M", "victim_descent": "W", "domestic": null}"#
        let file = directory.appendingPathComponent("incident.json")
        try incident.write(to: file, atomically: true, encoding: .utf8)
        let early = try vigil("crime", "score", file.path)
        #expect(early.status != 0 && early.stderr.contains("no severity model is in production"))

        #expect(try vigil("crime", "promote", "1").status == 0)
        #expect(try Self.production(db) == [1])
        #expect(try vigil("crime", "promote", "2", "--note", "forest for the night shift").status == 0)
        #expect(try Self.production(db) == [2])
        let demoted = try vigil("crime", "demote", "2", "--note", "rollback")
        #expect(demoted.status == 0 && demoted.stdout.contains("v1 (model 1) is back in production"), "\(demoted.stderr)")
        #expect(try Self.production(db) == [1])

        // Retrained on a month of data, the candidate is worse on the common held-out set: it stays in staging.
        let worse = try vigil("crime", "retrain", "--before", "2020-04-15")
        #expect(worse.status == 0, "\(worse.stderr)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(worse.stdout.utf8)) as? [String: Any])
        #expect(outcome["promoted"] as? Bool == false && (outcome["reason"] as? String)?.contains("worse on the held-out set") == true)
        #expect((outcome["candidate_macro_f1"] as! Double) < (outcome["production_macro_f1"] as! Double))
        #expect(try Self.production(db) == [1])
        // A run that fails (too little data) changes nothing either.
        let failed = try vigil("crime", "retrain", "--before", "2020-03-16")
        #expect(failed.status != 0 && failed.stderr.contains("not enough data"))
        #expect(try Self.production(db) == [1])
        let history = try DatabaseQueue(path: db.path).read {
            try String.fetchAll($0, sql: "SELECT action || ':' || crimeModelId FROM crimeModelEvent ORDER BY id")
        }
        #expect(history == ["registered:1", "registered:2", "promoted:1", "archived:1", "promoted:2", "demoted:2", "restored:1", "registered:3"])

        let listed = try vigil("crime", "models")
        #expect(listed.status == 0 && listed.stdout.contains("production") && listed.stdout.contains("staging") && listed.stdout.contains("test:runner"))
        let scored = try vigil("crime", "score", file.path)
        #expect(scored.status == 0, "\(scored.stderr)")
        let score = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        let model = try #require(score["model"] as? [String: Any])
        let probability = try #require(score["probability"] as? Double)
        #expect(["serious", "other"].contains(score["predicted"] as? String) && (0...1).contains(probability))
        #expect(model["version"] as? Int == 1 && (model["cv_macro_f1"] as? Double ?? 0) > 0.7 && (score["note"] as? String)?.contains("not a verdict") == true)
        // A field the model reads is missing: named, and nothing is scored.
        try incident.replacingOccurrences(of: "\"premise\": \"STREET\", ", with: "").write(to: file, atomically: true, encoding: .utf8)
        let missing = try vigil("crime", "score", file.path)
        #expect(missing.status != 0 && missing.stderr.contains("premise: missing: the model needs this field"), "\(missing.stderr)")
        let evaluated = try vigil("crime", "evaluate")
        #expect(evaluated.status == 0 && evaluated.stdout.contains("on today's held-out set (1478 incidents)"), "\(evaluated.stderr)")

        // Outcome feedback is stored on the incident for the next retrain.
        let solved = try vigil("crime", "outcome", "lapd", "210816993", "--arrest", "yes")
        #expect(solved.status == 0 && solved.stdout.contains("arrest yes"), "\(solved.stderr)")
        #expect(try vigil("crime", "outcome", "lapd", "nope", "--arrest", "yes").stderr.contains("incident lapd/nope does not exist"))
    }

    @Test func leakageIsRefusedUnlessMeasuredAndMappingErrorsAreNamed() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("crime.sqlite")
        func vigil(_ arguments: String...) throws -> Run { try Run.vigil(arguments, database: db) }
        #expect(try vigil("crime", "import", try Fixtures.shared("crime/chicago_2025_05_sample.csv"), "--mapping", "chicago").status == 0)
        let refused = try vigil("crime", "evaluate", "--cv", "--features", "time,location,category")
        #expect(refused.status != 0 && refused.stderr.contains("leakage: the severity label is derived from the offence code"), "\(refused.stderr)")
        let measured = try vigil("crime", "evaluate", "--cv", "--features", "time,location,category", "--allow-leakage")
        #expect(measured.status == 0 && measured.stdout.contains("LEAKAGE"), "\(measured.stderr)")
        let leak = try #require(measured.stdout.firstMatch(of: /macro-F1 ([0-9.]+)/).flatMap { Double($0.1) })
        let honest = try vigil("crime", "evaluate", "--cv")
        let fair = try #require(honest.stdout.firstMatch(of: /macro-F1 ([0-9.]+)/).flatMap { Double($0.1) })
        print(String(format: "crime leakage (Chicago): CV macro-F1 with the crime type %.3f (refused unless --allow-leakage), without %.3f", leak, fair))
        #expect(leak > fair + 0.2)

        let mapping = directory.appendingPathComponent("bad.yaml")
        try "source: x\nid: DR_NO\noccurred: {column: DATE OCC, format: M/d/yyyy H:mm}\nfields:\n  latitude: LAT\n  longitude: LONGITUDE\n"
            .write(to: mapping, atomically: true, encoding: .utf8)
        let bad = try vigil("crime", "import", try Fixtures.shared("crime/la_westla_2020.csv"), "--mapping", mapping.path)
        #expect(bad.status != 0 && bad.stderr.contains("\(mapping.path):6: fields.longitude: column 'LONGITUDE' is not in"), "\(bad.stderr)")
        #expect(try DatabaseQueue(path: db.path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM incident") } == 982)
    }
}
