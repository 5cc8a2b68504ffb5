import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import VigilCluster
import VigilCommandLine
import VigilCore

/// `vigil bench cluster`: what scale-out costs on a real PostgreSQL: a lease renewal's latency with
/// several nodes, fail-over time after a crash, and how fast a change reaches another node.
struct BenchCluster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Lease renewal latency, fail-over time and change-feed latency on an empty PostgreSQL database.")
    @Option(help: "An empty postgres://user@host:port/database (the benchmark defines its own cameras).")
    var database: String
    @Option(help: "Nodes.") var nodes = 3
    @Option(help: "Cameras shared by the nodes.") var cameras = 24
    @Option(help: "Renewals timed per node.") var rounds = 200
    @Option(help: "Crashes to time fail-over on (the default lease timing).") var failovers = 2

    func run() async throws {
        Bootstrap.logging(level: .warning)
        let logger = Logger(label: "vigil.bench.cluster")
        let location = try wrap { try DatabaseLocation(parsing: database) }
        try await wrapAsync {
            let admin = try await ClusterDatabase.open(location, logger: logger)
            defer { Task { await admin.close() } }
            let existing = try await admin.status()
            guard existing.nodes.isEmpty && existing.leases.isEmpty else {
                throw Failure("bench cluster: \(location) already has nodes or cameras; give it an empty database")
            }
            try await admin.define(.camera, keys: Set((1...cameras).map { "bench-cam-\($0)" }))
            try await renewals(location, logger: logger)
            try await failover(location, logger: logger)
            try await changeFeed(location, admin: admin, logger: logger)
            try await admin.define(.camera, keys: [])
        }
    }

    /// Renewal latency at steady state: every node renews in turn, each renewal timed on its own.
    private func renewals(_ location: DatabaseLocation, logger: Logger) async throws {
        var members: [Membership] = []
        for index in 1...nodes {
            members.append(try await Membership.join(location, name: "bench-node-\(index)", cameraCapacity: nil, logger: logger))
        }
        for _ in 0..<3 { for member in members { _ = try await member.renew() } }  // settle on fair shares
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<rounds {
            for member in members {
                let start = clock.now
                _ = try await member.renew()
                samples.append((clock.now - start).seconds * 1000)
            }
        }
        samples.sort()
        let held = try await members[0].renew().cameras.count
        print(String(format: "renewal: %d nodes, %d cameras (%d each), %d renewals: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     nodes, cameras, held, samples.count, samples.percentile(0.5) ?? 0, samples.percentile(0.99) ?? 0, samples.last ?? 0))
        let every = LeaseSettings().renewEvery.seconds * 1000
        print(String(format: "renewal: one renewal per node every %.0f s is %.2f%% of one node's time, %.2f%% of one database connection's for all %d",
                     every / 1000, 100 * (samples.percentile(0.5) ?? 0) / every, 100 * Double(nodes) * (samples.percentile(0.5) ?? 0) / every, nodes))
        for member in members {
            try await member.leave()
            await member.close()
        }
    }

    /// Nodes as services with the default timing; one is cancelled (no hand-back, as kill -9) and
    /// the time until the others hold every camera is measured.
    private func failover(_ location: DatabaseLocation, logger: Logger) async throws {
        guard failovers > 0, nodes >= 2 else { return }
        let board = Board()
        var running: [(group: ServiceGroup, task: Task<Void, any Error>)] = []
        func start(_ name: String) async throws {
            let node = try await ClusterNode.join(location, name: name, cameraCapacity: nil, logger: logger, onChange: board.report(name))
            let group = ServiceGroup(services: [node], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            running.append((group, Task { try await group.run() }))
        }
        for index in 1...nodes { try await start("bench-node-\(index)") }
        let all = Set((1...cameras).map { "bench-cam-\($0)" })
        var times: [Double] = []
        for round in 1...failovers {
            let live = (1...nodes).map { "bench-node-\($0)" }
            guard try await board.wait(upTo: .seconds(30), { $0.covered(live) == all && $0.even(live, total: cameras) }) != nil else {
                throw Failure("bench cluster: the nodes did not settle within 30 s")
            }
            let victim = running.removeLast()
            victim.task.cancel()
            _ = await victim.task.result
            board.forget("bench-node-\(nodes)")
            let survivors = Array(live.dropLast())
            guard let seconds = try await board.wait(upTo: .seconds(40), { $0.covered(survivors) == all }) else {
                throw Failure("bench cluster: fail-over took more than 40 s")
            }
            times.append(seconds)
            let timing = LeaseSettings()
            print(String(format: "fail-over %d: %d cameras of a crashed node held by the other %d nodes after %.1f s (lease %.0f s, renewal every %.0f s)",
                         round, cameras / nodes, nodes - 1, seconds, timing.ttl.seconds, timing.renewEvery.seconds))
            try await start("bench-node-\(nodes)")
        }
        for node in running {
            await node.group.triggerGracefulShutdown()
            _ = await node.task.result
        }
        print(String(format: "fail-over: worst %.1f s of %d", times.max() ?? 0, times.count))
    }

    /// Announce on one connection, hear on another: the path a watchlist edit takes to every node.
    private func changeFeed(_ location: DatabaseLocation, admin: ClusterDatabase, logger: Logger) async throws {
        let heard = LastTopic()
        let feed = ChangeFeed(location, pollEvery: .seconds(30), logger: logger, onChange: heard.set)
        let group = ServiceGroup(services: [feed], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let task = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock()
        var samples: [Double] = []
        for index in 1...50 {
            let topic = "bench-\(index)"
            let start = clock.now
            try await admin.announce(topic: topic)
            while heard.value != topic {
                guard clock.now - start < .seconds(5) else { throw Failure("bench cluster: a change was not heard within 5 s") }
                try await Task.sleep(for: .microseconds(200))
            }
            samples.append((clock.now - start).seconds * 1000)
        }
        samples.sort()
        print(String(format: "change feed: announce to heard on another connection, %d changes: p50 %.2f ms, p99 %.2f ms",
                     samples.count, samples.percentile(0.5) ?? 0, samples.percentile(0.99) ?? 0))
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

}

/// What each node last reported holding.
private final class Board: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [String: Set<String>] = [:]

    func report(_ node: String) -> @Sendable (Holdings) -> Void {
        { [self] holdings in lock.withLock { held[node] = holdings.cameras } }
    }
    func forget(_ node: String) { lock.withLock { held[node] = nil } }
    /// Every node holds its fair share (the counts differ by at most one).
    func even(_ nodes: [String], total: Int) -> Bool {
        lock.withLock {
            let counts = nodes.map { held[$0]?.count ?? 0 }
            return counts.reduce(0, +) == total && (counts.max() ?? 0) - (counts.min() ?? 0) <= 1
        }
    }
    func covered(_ nodes: [String]) -> Set<String> {
        lock.withLock { nodes.reduce(into: Set<String>()) { $0.formUnion(held[$1] ?? []) } }
    }

    func wait(upTo timeout: Duration, _ condition: (Board) -> Bool) async throws -> Double? {
        try await Waiting.until(upTo: timeout) { condition(self) }
    }
}

/// The topic the change feed reported last.
private final class LastTopic: @unchecked Sendable {
    private let lock = NSLock()
    private var topic: String?
    var value: String? { lock.withLock { topic } }
    func set(_ topic: String) { lock.withLock { self.topic = topic } }
}
