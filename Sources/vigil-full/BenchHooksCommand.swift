import ArgumentParser
import VigilCommandLine
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

/// `vigil bench hooks`: outbox delivery throughput and commit-to-received latency
/// against a receiver on loopback (benchmarks/hooks.sh starts one and a peer sender).
struct BenchHooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "Sustained deliveries/s and commit-to-received latency to a webhook receiver.")
    @Option(help: "Receiver URL (loopback).") var url: String
    @Option(help: "The receiver's secret.") var secret: String
    @Option(help: "The receiver's JSON-lines log (for arrival times).") var receiverLog: String
    @Option(help: "Alerts queued before the dispatcher starts (throughput).") var backlog = 2000
    @Option(help: "Alerts committed at --rate while the dispatcher runs (latency).") var paced = 1000
    @Option(help: "Alerts per second in the paced phase.") var rate = 50.0

    func run() async throws {
        guard let target = URL(string: url), target.host == "127.0.0.1" || target.host == "::1" || target.host == "localhost" else {
            throw ValidationError("--url must point at a loopback receiver")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try wrap { try VigilDatabase(path: directory.appendingPathComponent("bench.sqlite").path) }
        var policy = DeliveryPolicy()
        policy.concurrency = 1

        // Phase 1: a backlog (as after an outage), drained by one hook in order.
        let backlogHook = HookConfig(name: "backlog", target: .webhook(url: target, secret: secret, headers: [:]), location: "bench")
        let commitStart = Date()
        try Self.commit(backlog, to: database, route: backlogHook.route, offset: 0)
        let commitSeconds = Date().timeIntervalSince(commitStart)
        print(String(format: "commit: %d alerts with their outbox row in %.2f s (%.0f alerts/s, %.2f ms each)",
                     backlog, commitSeconds, Double(backlog) / commitSeconds, 1000 * commitSeconds / Double(backlog)))
        let drained = try await Self.deliver(hooks: [backlogHook], policy: policy, database: database) { _ in
            try database.deliveries(state: .pending, limit: 1).isEmpty
        }
        print(String(format: "backlog: %d deliveries in %.2f s: %.0f deliveries/s sustained (one hook, strictly in order)",
                     backlog, drained, Double(backlog) / drained))

        // Phase 2: alerts as they happen, at a steady rate; latency from commit to the receiver's arrival time.
        let pacedHook = HookConfig(name: "paced", target: .webhook(url: target, secret: secret, headers: [:]), location: "bench")
        let rate = self.rate, paced = self.paced
        _ = try await Self.deliver(hooks: [pacedHook], policy: policy, database: database) { _ in
            try database.deliveries(state: .pending, limit: 1).isEmpty
        } during: { dispatcher in
            // As the daemon's alert sink does: commit, then ring the dispatcher.
            let start = ContinuousClock.now
            for index in 0..<paced {
                try await Task.sleep(until: start + .seconds(Double(index) / rate))
                try Self.commit(1, to: database, route: pacedHook.route, offset: backlog + index)
                dispatcher.notify()
            }
        }
        let committed = Dictionary(uniqueKeysWithValues: try database.deliveries(hook: "paced", limit: paced + 10).map { ($0.eventID, $0.createdAt) })
        var arrivals: [String: Double] = [:]
        let log = try String(contentsOfFile: receiverLog, encoding: .utf8)
        for line in log.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? String, let t = object["t"] as? Double, arrivals[id] == nil else { continue }
            arrivals[id] = t
        }
        let latencies = committed.compactMap { id, created in arrivals[id].map { ($0 - created.timeIntervalSince1970) * 1000 } }.sorted()
        guard latencies.count == committed.count, !latencies.isEmpty else {
            throw Failure("only \(latencies.count) of \(committed.count) paced deliveries are in \(receiverLog)")
        }
        func p(_ q: Double) -> Double { latencies.percentile(q) ?? 0 }
        print(String(format: "paced: %d alerts at %.0f/s: commit-to-received p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                     paced, rate, p(0.5), p(0.99), latencies.last!))
    }

    static func commit(_ count: Int, to database: VigilDatabase, route: OutboxRoute, offset: Int) throws {
        for index in 0..<count {
            let n = offset + index
            let face = EnrolledFace(enrolmentID: Int64(n + 1), subjectID: "bench-\(n)", subjectName: "Bench \(n)", watchlist: "bench",
                                    threshold: 0.6, sourcePath: "/bench/\(n).jpg", encoding: FaceEncoding(Array(repeating: 0, count: 128))!)
            _ = try database.recordMatch(FaceMatchEvidence(cameraID: "bench", match: face, distance: 0.42, trackID: n,
                                                           box: BoundingBox(x: 10, y: 20, width: 64, height: 64), seenAt: Date()),
                                         cooldown: 0, routes: [route])
        }
    }

    /// Runs a dispatcher until `done`, doing `work` meanwhile; returns the seconds from start to done.
    static func deliver(hooks: [HookConfig], policy: DeliveryPolicy, database: VigilDatabase,
                        until done: (WebhookDispatcher) throws -> Bool,
                        during work: (WebhookDispatcher) async throws -> Void = { _ in }) async throws -> Double {
        let dispatcher = WebhookDispatcher(hooks: hooks, policy: policy, database: database, logger: Logger(label: "vigil.bench"))
        let start = ContinuousClock.now
        let task = Task { try await dispatcher.run() }
        try await work(dispatcher)
        while try !done(dispatcher) { try await Task.sleep(for: .milliseconds(5)) }
        let elapsed = start.duration(to: .now)
        task.cancel()
        dispatcher.notify()
        _ = await task.result
        return elapsed.seconds
    }
}
