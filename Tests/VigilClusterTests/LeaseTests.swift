import Foundation
import Logging
import MetricsTestKit
import ServiceLifecycle
import Testing
import VigilCluster
import VigilTestSupport

/// Nodes, leases and fail-over against a real PostgreSQL (`scripts/postgres.sh`), with the default
/// timing (leases of 8 s renewed every 2 s) where fail-over time is what is being shown.
@Suite(.serialized, .enabled(if: TestPostgres.usable))
struct LeaseTests {
    let logger = TestPostgres.logger
    let cameras: Set<String> = ["cam1", "cam2", "cam3", "cam4", "cam5", "cam6"]

    /// A node running as a service in its own group: `stop()` is a graceful shutdown (leases handed
    /// back), `crash()` cancels it, which stops it at once without handing anything back.
    struct RunningNode {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        func stop() async { await group.triggerGracefulShutdown(); _ = await task.result }
        func crash() async { task.cancel(); _ = await task.result }
    }

    func start(_ name: String, on location: DatabaseLocation, board: HoldingsBoard, capacity: Int? = nil,
               settings: LeaseSettings = LeaseSettings(), metrics: TestMetrics = TestMetrics()) async throws -> RunningNode {
        let node = try await ClusterNode.join(location, name: name, cameraCapacity: capacity, settings: settings,
                                              logger: logger, metrics: metrics, onChange: board.callback(for: name))
        let group = ServiceGroup(services: [node], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        return RunningNode(group: group, task: Task { try await group.run() })
    }

    func define(on location: DatabaseLocation, cameras: Set<String>, hooks: Set<String> = []) async throws {
        let database = try await ClusterDatabase.open(location, logger: logger)
        try await database.define(.camera, keys: cameras)
        try await database.define(.hook, keys: hooks)
        await database.close()
    }

    func evenlyHeld(_ board: HoldingsBoard, by nodes: [String]) -> Bool {
        let sets = nodes.map { board.cameras($0) }
        let union = sets.reduce(into: Set<String>()) { $0.formUnion($1) }
        return union == cameras && sets.map(\.count).reduce(0, +) == cameras.count
            && sets.allSatisfy { $0.count == cameras.count / nodes.count }
    }

    @Test func threeNodesShareSixCamerasAndTakeOverFromACrashedNodeWithin15Seconds() async throws {
        try await TestPostgres.withDatabase { location in
            try await define(on: location, cameras: cameras)
            let board = HoldingsBoard()
            let a = try await start("node-a", on: location, board: board)
            let b = try await start("node-b", on: location, board: board)
            var c = try await start("node-c", on: location, board: board)

            let settled = try await board.wait(upTo: .seconds(15)) { evenlyHeld($0, by: ["node-a", "node-b", "node-c"]) }
            #expect(settled != nil, "three nodes did not settle on 2 cameras each: \(["a": board.cameras("node-a"), "b": board.cameras("node-b"), "c": board.cameras("node-c")])")
            let status = try await clusterStatus(location)
            #expect(status.leases.filter { $0.kind == .camera }.allSatisfy { $0.holder != nil })
            #expect(status.holders(.camera).values.compactMap { $0 }.count == 6)

            // kill -9 as the database sees it: no more renewals, nothing handed back.
            await c.crash()
            board.forget("node-c")
            let failover = try await board.wait(upTo: .seconds(20)) { evenlyHeld($0, by: ["node-a", "node-b"]) }
            print("fail-over: a crashed node's cameras were held by the others after \(failover.map { String(format: "%.1f", $0) } ?? "more than 20") s")
            let failoverSeconds = try #require(failover, "the crashed node's cameras were not taken over")
            #expect(failoverSeconds <= 15)

            // The node comes back under its name (its row lapsed) and takes a fair share back.
            c = try await start("node-c", on: location, board: board)
            let rejoined = try await board.wait(upTo: .seconds(15)) { evenlyHeld($0, by: ["node-a", "node-b", "node-c"]) }
            print("rejoin: the restarted node held its share after \(rejoined.map { String(format: "%.1f", $0) } ?? "more than 15") s")
            #expect(rejoined != nil)

            // A graceful stop hands back at once: the others take over at their next renewal, not after the 8 s lease.
            await b.stop()
            #expect(board.cameras("node-b").isEmpty)
            let handedOver = try await board.wait(upTo: .seconds(20)) { evenlyHeld($0, by: ["node-a", "node-c"]) }
            print("drain: a stopped node's cameras were held by the others after \(handedOver.map { String(format: "%.1f", $0) } ?? "more than 20") s")
            let handoverSeconds = try #require(handedOver)
            #expect(handoverSeconds < 7, "a graceful stop must not wait for the lease to lapse")
            await a.stop()
            await c.stop()
        }
    }

    /// A name a live (renewing) node uses is refused once its registration has had a lease and a
    /// renewal interval to lapse; a registration left by a crashed process is taken over after it lapses.
    @Test func aSecondLiveNodeWithTheSameNameIsRefused() async throws {
        try await TestPostgres.withDatabase { location in
            let settings = LeaseSettings(ttl: .seconds(2), renewEvery: .seconds(1))
            let first = try await Membership.join(location, name: "node-a", cameraCapacity: nil, settings: settings, logger: logger)
            let renewing = Task { while !Task.isCancelled { _ = try? await first.renew(); try? await Task.sleep(for: .milliseconds(500)) } }
            let started = ContinuousClock.now
            await #expect {
                let duplicate = try await Membership.join(location, name: "node-a", cameraCapacity: nil, settings: settings, logger: logger)
                await duplicate.close()
            } throws: { error in
                "\(error)".contains("node name \"node-a\" is in use by a live node")
            }
            let waited = (ContinuousClock.now - started).seconds
            #expect(waited >= 2.5 && waited < 6, "refused after \(waited) s")
            renewing.cancel()
            _ = await renewing.result
            // The first process dies without leaving: a new one with its name joins once the lease lapsed.
            await first.close()
            let restarted = ContinuousClock.now
            let again = try await Membership.join(location, name: "node-a", cameraCapacity: nil, settings: settings, logger: logger)
            print("restart under the same name: joined \(String(format: "%.1f", (ContinuousClock.now - restarted).seconds)) s after the crash (lease 2 s)")
            await again.close()
        }
    }

    @Test func capacityLimitsClaimsAndHooksAreSharedToo() async throws {
        try await TestPostgres.withDatabase { location in
            try await define(on: location, cameras: ["c1", "c2", "c3", "c4", "c5"], hooks: ["siem", "pager"])
            let small = try await Membership.join(location, name: "small", cameraCapacity: 1, logger: logger)
            let large = try await Membership.join(location, name: "large", cameraCapacity: nil, logger: logger)
            var smallHeld = try await small.renew()
            let largeHeld = try await large.renew()
            smallHeld = try await small.renew()  // claims what `large` left for it
            #expect(smallHeld.cameras.count == 1)
            #expect(largeHeld.cameras.count == 4)
            #expect(smallHeld.cameras.isDisjoint(with: largeHeld.cameras))
            #expect(smallHeld.hooks.count == 1 && largeHeld.hooks.count == 1)
            #expect(smallHeld.hooks.union(largeHeld.hooks) == ["siem", "pager"])

            // A camera removed from the installation is dropped with its lease.
            let removed = try #require(largeHeld.cameras.sorted().first)
            try await define(on: location, cameras: Set(["c1", "c2", "c3", "c4", "c5"]).subtracting([removed]), hooks: ["siem", "pager"])
            let after = try await large.renew()
            #expect(!after.cameras.contains(removed))
            #expect(after.cameras.count == 3)
            await small.close()
            await large.close()
        }
    }

    @Test func aNodeCutOffFromTheDatabaseStopsBeforeItsLeasesLapseAndResumesAfter() async throws {
        try await TestPostgres.withLockableRole { database in
            let nodeLocation = database.location
            try await define(on: nodeLocation, cameras: ["c1", "c2"])
            let settings = LeaseSettings(ttl: .seconds(4), renewEvery: .seconds(1))
            let board = HoldingsBoard()
            let metrics = TestMetrics()
            let node = try await start("node-a", on: nodeLocation, board: board, settings: settings, metrics: metrics)
            // Waits are bound to a constant before #expect. With Swift 6.3.1, after a closure passed
            // inside `#expect(try await …)` within a generic async closure, the next call ran that
            // stale closure instead of its own (reproduced in isolation), and this test passed vacuously.
            let started = try await board.wait(upTo: .seconds(5)) { $0.cameras("node-a") == ["c1", "c2"] }
            #expect(started != nil)

            let clock = ContinuousClock()
            let cut = clock.now
            try await database.lockOut()
            let stopped = try await board.wait(upTo: .seconds(10)) { $0.cameras("node-a").isEmpty }
            let stoppedAfter = try #require(stopped, "the node kept its cameras without the database")
            print("outage: the cut-off node stopped its cameras \(String(format: "%.1f", stoppedAfter)) s after losing the database (lease 4 s)")
            #expect(clock.now - cut < settings.ttl, "the node must stop before its leases can have lapsed")
            // The outage is visible in the metrics /metrics exports.
            #expect(try metrics.expectGauge("vigil_cluster_database_reachable").lastValue == 0)
            #expect(try metrics.expectGauge("vigil_cluster_leases_held", [("kind", "camera")]).lastValue == 0)
            #expect(try metrics.expectCounter("vigil_cluster_renewal_failures_total").totalValue >= 1)

            try await database.letIn()
            let resumed = try await board.wait(upTo: .seconds(10)) { $0.cameras("node-a") == ["c1", "c2"] }
            #expect(resumed != nil, "the node did not take its cameras back once the database returned")
            #expect(try metrics.expectGauge("vigil_cluster_database_reachable").lastValue == 1)
            #expect(try metrics.expectGauge("vigil_cluster_leases_held", [("kind", "camera")]).lastValue == 2)
            #expect(try metrics.expectTimer("vigil_cluster_renewal_seconds").values.count >= 2)
            await node.stop()
        }
    }

    @Test func afterTheDatabaseWasAwayEveryNodeKeepsItsOwnCameras() async throws {
        // All nodes connect as one role, so locking it out is the database going away for everyone.
        try await TestPostgres.withLockableRole { database in
            let nodeLocation = database.location
            try await define(on: nodeLocation, cameras: Set((1...9).map { "c\($0)" }))
            let settings = LeaseSettings(ttl: .seconds(4), renewEvery: .seconds(1))
            let board = HoldingsBoard()
            let names = ["node-a", "node-b", "node-c"]
            var nodes: [RunningNode] = []
            for name in names { nodes.append(try await start(name, on: nodeLocation, board: board, settings: settings)) }
            let even = { (board: HoldingsBoard) in names.allSatisfy { board.cameras($0).count == 3 } }
            let settled = try await board.wait(upTo: .seconds(10), even)
            #expect(settled != nil)
            let before = Dictionary(uniqueKeysWithValues: names.map { ($0, board.cameras($0)) })

            // Away for longer than a lease: every node and every lease lapses.
            try await database.lockOut()
            let fenced = try await board.wait(upTo: .seconds(5)) { board in names.allSatisfy { board.cameras($0).isEmpty } }
            #expect(fenced != nil)
            try await Task.sleep(for: .seconds(3))
            board.resetPeaks()
            try await database.letIn()

            let back = try await board.wait(upTo: .seconds(10)) { board in names.allSatisfy { board.cameras($0) == before[$0] } }
            print("recovery: every node held its own cameras again after \(back.map { String(format: "%.1f", $0) } ?? "more than 10") s; peaks \(board.peakCameras)")
            #expect(back != nil, "cameras moved between nodes after the outage: \(names.map { board.cameras($0).sorted() })")
            try await Task.sleep(for: .seconds(3))  // two more renewals, claims allowed again
            #expect(names.allSatisfy { board.cameras($0) == before[$0] })
            #expect(board.peakCameras.values.allSatisfy { $0 <= 3 }, "a node took more than its share: \(board.peakCameras)")
            for node in nodes { await node.stop() }
        }
    }

    @Test func anUnreachableDatabaseNamesHostAndPort() async throws {
        await #expect {
            try await Membership.join(DatabaseLocation(host: "127.0.0.1", port: 1, user: "vigil", database: "vigil"),
                                      name: "node-a", cameraCapacity: nil, logger: logger)
        } throws: { error in
            "\(error)".hasPrefix("cannot reach PostgreSQL at 127.0.0.1:1: ")
        }
    }

    @Test func aDatabaseFromANewerVigilIsRefused() async throws {
        try await TestPostgres.withDatabase { location in
            let first = try await Membership.join(location, name: "node-a", cameraCapacity: nil, logger: logger)
            try await first.leave()
            await first.close()
            try await TestPostgres.execute("INSERT INTO vigil_migrations (name) VALUES ('cluster-99-from-the-future')", on: location)
            await #expect {
                try await Membership.join(location, name: "node-a", cameraCapacity: nil, logger: logger)
            } throws: { error in
                "\(error)".contains("newer Vigil") && "\(error)".contains("cluster-99-from-the-future")
            }
        }
    }

    func clusterStatus(_ location: DatabaseLocation) async throws -> ClusterStatus {
        let database = try await ClusterDatabase.open(location, logger: logger)
        let status = try await database.status()
        await database.close()
        return status
    }
}
