import Foundation
import Testing
import VigilCluster
import VigilTestSupport

/// `vigil cluster status` as an operator runs it: a real `vigil` process against the real database.
@Suite(.serialized, .enabled(if: TestPostgres.usable))
struct ClusterCLITests {
    let logger = TestPostgres.logger

    @Test func statusListsNodesAndTheHolderOfEveryCamera() async throws {
        try await TestPostgres.withDatabase { location in
            let database = try await ClusterDatabase.open(location, logger: logger)
            try await database.define(.camera, keys: ["gate", "lobby", "yard"])
            try await database.define(.hook, keys: ["siem"])
            let a = try await Membership.join(location, name: "node-a", cameraCapacity: nil, logger: logger)
            let b = try await Membership.join(location, name: "node-b", cameraCapacity: 1, logger: logger)
            let heldB = try await b.renew()
            let heldA = try await a.renew()

            let table = try Run.program(Fixtures.vigilBinary, ["cluster", "status", "--db", location.description])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(table.stdout.contains("node-a") && table.stdout.contains("node-b") && table.stdout.contains("alive"))
            for camera in heldA.cameras {
                #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("camera") && $0.contains(camera) && $0.hasSuffix("node-a") })
            }

            let json = try Run.program(Fixtures.vigilBinary, ["cluster", "status", "--json"],
                                       environment: ["VIGIL_DB": location.description])
            #expect(json.status == 0, "\(json.stderr)")
            let rows = try json.stdout.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
            let holders = Dictionary(uniqueKeysWithValues: rows.compactMap { row -> (String, String)? in
                guard row["kind"] as? String == "camera", let key = row["key"] as? String else { return nil }
                return (key, row["holder"] as? String ?? "")
            })
            #expect(holders.count == 3)
            #expect(holders.filter { $0.value == "node-b" }.count == heldB.cameras.count)
            #expect(heldB.cameras.count == 1 && heldA.cameras.count == 2)
            #expect(rows.contains { $0["node"] as? String == "node-b" && $0["camera_capacity"] as? Int == 1 })

            try await a.leave()
            try await b.leave()
            await a.close()
            await b.close()
            await database.close()
        }
    }

    @Test func anUnreachableServerIsNamedAndItsPasswordIsNot() throws {
        let run = try Run.program(Fixtures.vigilBinary, ["cluster", "status", "--db", "postgres://vigil:s3cret@127.0.0.1:1/vigil"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot reach PostgreSQL at 127.0.0.1:1"))
        #expect(!run.stderr.contains("s3cret") && !run.stdout.contains("s3cret"))
    }

    @Test func anSQLiteDatabaseIsRefusedWithTheReason() throws {
        let run = try Run.program(Fixtures.vigilBinary, ["cluster", "status", "--db", "vigil.sqlite"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("is an SQLite file; nodes share a postgres:// database"))
    }
}
