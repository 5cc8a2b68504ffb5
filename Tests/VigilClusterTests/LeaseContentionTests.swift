import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilTestSupport

/// Ten nodes renewing at the same moment, over and over, on fifty cameras: the claims race on the
/// same rows (`SKIP LOCKED`, the upsert that takes only lapsed leases), and no two nodes may ever
/// believe they hold the same camera.
@Suite(.serialized, .enabled(if: TestPostgres.usable))
struct LeaseContentionTests {
    let logger = TestPostgres.logger
    let cameras = Set((1...50).map { "cam\($0)" })

    /// One round: every node renews concurrently; returns what each believes it holds.
    func round(_ members: [Membership]) async throws -> [String: Set<String>] {
        try await withThrowingTaskGroup(of: (String, Set<String>).self) { group in
            for member in members {
                group.addTask { (member.name, try await member.renew().cameras) }
            }
            var held: [String: Set<String>] = [:]
            for try await (name, cameras) in group { held[name] = cameras }
            return held
        }
    }

    func expectDisjoint(_ held: [String: Set<String>], _ context: String) {
        var owner: [String: String] = [:]
        for (node, cameras) in held {
            for camera in cameras {
                #expect(owner[camera] == nil, "\(camera) believed held by \(owner[camera] ?? "") and \(node) (\(context))")
                owner[camera] = node
            }
        }
    }

    @Test func concurrentRenewalsNeverGiveOneCameraToTwoNodesAndConverge() async throws {
        try await TestPostgres.withDatabase { location in
            let database = try await ClusterDatabase.open(location, logger: logger)
            try await database.define(.camera, keys: cameras)
            let settings = LeaseSettings(ttl: .seconds(2), renewEvery: .seconds(1))
            var members: [Membership] = []
            for index in 0..<10 {
                members.append(try await Membership.join(location, name: "node-\(index)", cameraCapacity: nil,
                                                         settings: settings, logger: logger))
            }
            do {
                try await contend(members, database: database)
            } catch {
                for member in members { await member.close() }
                await database.close()
                throw error
            }
            for member in members { await member.close() }
            await database.close()
        }
    }

    func contend(_ members: [Membership], database: ClusterDatabase) async throws {
        var held: [String: Set<String>] = [:]
        var rounds = 0
        repeat {
            held = try await round(members)
            rounds += 1
            expectDisjoint(held, "round \(rounds)")
        } while Set(held.values.map(\.count)) != [5] && rounds < 10
        print("contention: 10 nodes settled on 5 cameras each after \(rounds) concurrent rounds")
        #expect(Set(held.values.map(\.count)) == [5])
        let status = try await database.status()
        for (node, cameras) in held {
            #expect(cameras.allSatisfy { status.holders(.camera)[$0] == .some(node) }, "\(node)'s belief differs from the database")
        }

        // Three nodes stop renewing. The seven left keep renewing together every 0.5 s: once the
        // three's leases lapse (2 s), the seven share all fifty, 7 or 8 each.
        let survivors = Array(members.prefix(7))
        let fair = { (held: [String: Set<String>]) in
            held.values.reduce(0, { $0 + $1.count }) == 50 && Set(held.values.map(\.count)).isSubset(of: [7, 8])
        }
        rounds = 0
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            held = try await round(survivors)
            rounds += 1
            expectDisjoint(held, "after the crash, round \(rounds)")
        } while !fair(held) && rounds < 20
        print("contention: 7 survivors shared all 50 cameras after \(rounds) rounds of 0.5 s (leases 2 s)")
        #expect(fair(held))
        #expect(held.values.reduce(Set<String>(), { $0.union($1) }) == cameras)

        // The whole installation stalls longer than a lease (a database fail-over, say): every node
        // and lease lapses at once. The first nodes back each see themselves alone and claim much;
        // the next renewals hand the surplus back, without overlap, until the shares are fair again.
        try await Task.sleep(for: .milliseconds(2500))
        rounds = 0
        repeat {
            held = try await round(survivors)
            rounds += 1
            expectDisjoint(held, "after the stall, round \(rounds)")
            try await Task.sleep(for: .milliseconds(500))
        } while !fair(held) && rounds < 20
        print("contention: after every lease lapsed, fair shares again after \(rounds) rounds")
        #expect(fair(held))
    }
}
