import Foundation
import Testing
import VigilConfig
import VigilCore
import VigilTestSupport

/// `behaviour:` in a camera file: a good one loads; each bad one fails naming file, line and key.
@Suite struct BehaviourConfigTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cameras"), withIntermediateDirectories: true)
        try "database: vigil.sqlite\n".write(to: directory.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
    }

    func camera(_ behaviour: String) throws -> Result<CameraConfig?, any Error> {
        let text = "id: lobby\nurl: rtsp://127.0.0.1:8554/lobby\nanalyse_fps: 5\nbehaviour:\n" + behaviour
        try text.write(to: directory.appendingPathComponent("cameras/lobby.yaml"), atomically: true, encoding: .utf8)
        return Result { try DaemonConfig.load(path: directory.appendingPathComponent("vigil.yaml").path).cameras.first }
    }

    func expectError(_ behaviour: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        switch try camera(behaviour) {
        case .success: Issue.record("accepted, expected: \(expected)", sourceLocation: sourceLocation)
        case .failure(let error): #expect("\(error)".hasSuffix(expected), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func zonesRulesAndLinesLoad() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let loaded = try camera("""
              detect_fps: 2
              people: {min_height: 200}
              zones:
                - {name: vault, points: [[100, 100], [400, 100], [400, 500], [100, 500]]}
              rules:
                - {type: intrusion, zone: vault}
                - {type: loitering, zone: vault, seconds: 20}
                - {type: crowd, zone: vault, count: 3}
              lines:
                - {name: door, from: [0, 600], to: [1280, 600], forbidden: out}
            """).get()
        let behaviour = try #require(loaded?.behaviour)
        #expect(behaviour.people.minHeight == 200 && behaviour.detectFPS == 2)
        #expect(behaviour.zones.map(\.name) == ["vault"] && behaviour.zones[0].points.count == 4)
        #expect(behaviour.rules == [BehaviourRule(kind: .intrusion, zone: "vault"), BehaviourRule(kind: .loitering, zone: "vault", seconds: 20),
                                    BehaviourRule(kind: .crowd, zone: "vault", count: 3)])
        #expect(behaviour.lines == [Tripwire(name: "door", from: Point(x: 0, y: 600), to: Point(x: 1280, y: 600), forbidden: .out)])
    }

    @Test func badRulesAreRefusedWithFileLineAndKey() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cameras/lobby.yaml").path
        try expectError("  zones:\n    - {name: a, points: [[0, 0], [10, 0]]}\n",
                        "\(file):6: behaviour.zones[0].points: expected a polygon: a list of at least 3 [x, y] points")
        try expectError("  lines:\n    - {name: door, from: [5, 5], to: [5, 5]}\n",
                        "\(file):6: behaviour.lines[0].to: the line has zero length: from and to are the same point")
        try expectError("  zones:\n    - {name: a, points: [[0, 0], [10, 0], [10, 10]]}\n  rules:\n    - {type: intrusion, zone: vault}\n",
                        "\(file):8: behaviour.rules[0].zone: no zone named 'vault' (zones: a)")
        try expectError("  zones:\n    - {name: a, points: [[0, 0], [10, 0], [10, 10]]}\n  rules:\n    - {type: loitering, zone: a}\n",
                        "behaviour.rules[0].seconds: is required for loitering")
        try expectError("  rules:\n    - {type: fighting, zone: a}\n", "behaviour.rules[0].type: unknown rule 'fighting' (expected intrusion, loitering, crowd or left_object)")
        try expectError("  detect_fps: 8\n", "\(file):5: behaviour.detect_fps: 8.0 is above analyse_fps 5.0: people are searched in analysed frames")
        try expectError("  lines:\n    - {name: door, from: [0, 5], to: [9, 5], forbidden: sideways}\n", "behaviour.lines[0].forbidden: expected in or out")
        try expectError("  zones:\n    - {name: a, points: [[0, 0], [10, 0], [-1, 10]]}\n",
                        "behaviour.zones[0].points: each point must be [x, y] with non-negative pixel coordinates")
        try expectError("  colour: red\n", "behaviour.colour: unknown key (known keys: detect_fps, sweep_interval, memory, people, zones, rules, lines)")
    }
}
