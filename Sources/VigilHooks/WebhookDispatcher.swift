import Foundation
import Logging
import Metrics
import ServiceLifecycle
import VigilConfig
import VigilCore
import VigilStore

/// Delivers the outbox: a `Service` of the daemon (or of `vigil bench hooks`).
///
/// Each hook has one loop that always takes that hook's oldest pending delivery,
/// so a hook's receiver sees events in commit order; a failing delivery holds
/// the ones behind it until it is delivered or dead. Hooks run side by side, at
/// most `delivery.concurrency` sending at once. Everything lives in the
/// database, so a restart (or a crash) resumes where it was: a delivery whose
/// answer was lost is sent again with the same `Vigil-Id` (at least once).
public final class WebhookDispatcher: Service, Sendable {
    private let hooks: [HookConfig]
    private let senders: [HookSender]
    private let bells: [String: Doorbell]
    private let outbox: OutboxAccess
    private let policy: RetryPolicy
    private let webhooks: WebhookSender
    private let gate: Gate
    private let metrics: HookMetrics
    private let served: ServedHooks
    private let logger: Logger

    /// `leased`: the hooks are served only while this node holds their leases (`serve(only:)`), as
    /// in an installation of several nodes; otherwise every hook is served.
    public init(hooks: [HookConfig], policy: DeliveryPolicy, database: any AlertStore, leased: Bool = false, logger: Logger) {
        // A command hook that exits without reading stdin must cost a failed attempt, not the daemon.
        signal(SIGPIPE, SIG_IGN)
        self.hooks = hooks
        let webhooks = WebhookSender()
        self.webhooks = webhooks
        senders = hooks.map { HookSender(hook: $0, webhooks: webhooks) }
        bells = Dictionary(uniqueKeysWithValues: hooks.map { ($0.name, Doorbell()) })
        outbox = OutboxAccess(database: database)
        self.policy = RetryPolicy(policy)
        gate = Gate(limit: policy.concurrency)
        metrics = HookMetrics()
        served = ServedHooks(all: !leased)
        self.logger = logger
    }

    /// The hooks this node holds the leases of: only these are sent, so each hook's queue is sent by
    /// one node at a time and in order. A hook lost mid-batch stops before its next delivery.
    public func serve(only hooks: Set<String>) {
        if served.set(hooks) { notify() }
    }

    /// Something was committed or re-queued: look now rather than at the next poll.
    public func notify() {
        bells.values.forEach { $0.ring() }
    }

    public func run() async throws {
        logger.info("hook dispatcher started", metadata: ["hooks": "\(hooks.map(\.name).joined(separator: ","))"])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for sender in senders {
                    group.addTask { await self.serve(sender) }
                }
            }
        } onGracefulShutdown: {
            self.notify()
        }
        await webhooks.shutdown()
        logger.info("hook dispatcher stopped")
    }

    /// Deliveries read per query, and the most outcomes (or milliseconds) held before they are committed.
    /// Outcomes are committed together to save an fsync per delivery; a crash in between re-sends at most
    /// that many (with their same `Vigil-Id`): at least once, never lost.
    static let batch = 64
    static let flushCount = 32
    static let flushSeconds = 0.1

    private func serve(_ sender: HookSender) async {
        let hook = sender.hook
        let bell = bells[hook.name]!
        var logger = self.logger
        logger[metadataKey: "hook"] = .string(hook.name)
        // Outcomes that could not be stored yet: nothing more is sent for this hook until they are,
        // so a failed delivery keeps its back-off instead of being re-sent as soon as it is read again.
        var unsaved: [(id: Int64, result: AttemptResult, at: Date)] = []
        var storeRetry = 0.25
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            guard served.contains(hook.name) || !unsaved.isEmpty else {
                await bell.wait(timeout: 1)
                continue
            }
            if !unsaved.isEmpty {
                guard await store(&unsaved, logger: logger) else {
                    try? await Task.sleep(for: .seconds(storeRetry))
                    storeRetry = min(30, storeRetry * 2)
                    continue
                }
                storeRetry = 0.25
            }
            let queue: [Delivery]
            do {
                queue = try await outbox.next(hook: hook.name, limit: Self.batch)
            } catch {
                logger.warning("outbox not readable", metadata: ["error": "\(error)"])
                await bell.wait(timeout: 1)
                continue
            }
            guard let head = queue.first else {
                await bell.wait(timeout: 1)
                continue
            }
            if !policy.isDue(head) {
                let wait = head.nextAttemptAt.timeIntervalSinceNow
                // Re-read at least every second: an operator may re-queue from another process.
                await bell.wait(timeout: min(wait, 1))
                continue
            }
            unsaved = await send(queue, with: sender, logger: logger)
        }
        if !unsaved.isEmpty { _ = await store(&unsaved, logger: logger) }
    }

    /// Sends `queue` in order until one is not delivered (it holds the rest) or one is not yet due.
    /// Returns the outcomes it could not store.
    private func send(_ queue: [Delivery], with sender: HookSender, logger: Logger) async -> [(id: Int64, result: AttemptResult, at: Date)] {
        var outcomes: [(id: Int64, result: AttemptResult, at: Date)] = []
        var lastFlush = Date()
        for delivery in queue {
            guard let id = delivery.id, policy.isDue(delivery), !Task.isCancelled, served.contains(sender.hook.name) else { break }
            await gate.enter()
            let report = await sender.send(id: delivery.eventID, type: delivery.type, payload: delivery.payload,
                                           attempt: delivery.attempts + 1)
            await gate.leave()
            let now = Date()
            let result = policy.classify(report, delivery: delivery, now: now)
            outcomes.append((id, result, now))
            observe(result, of: delivery, report: report, hook: sender.hook.name, at: now, logger: logger)
            guard case .delivered = result else { break }
            if outcomes.count >= Self.flushCount || now.timeIntervalSince(lastFlush) >= Self.flushSeconds {
                guard await store(&outcomes, logger: logger) else { return outcomes }
                lastFlush = now
            }
        }
        _ = await store(&outcomes, logger: logger)
        return outcomes
    }

    /// Stores outcomes; on failure they are kept (and the caller holds the hook until they are stored).
    /// Were they dropped, a crash would only re-send (same `Vigil-Id`), but a failed delivery
    /// would lose its back-off and be re-sent at every read.
    private func store(_ outcomes: inout [(id: Int64, result: AttemptResult, at: Date)], logger: Logger) async -> Bool {
        guard !outcomes.isEmpty else { return true }
        do {
            try await outbox.record(outcomes)
            outcomes.removeAll()
            return true
        } catch {
            logger.error("delivery outcomes not stored; holding this hook until they are",
                         metadata: ["deliveries": "\(outcomes.count)", "error": "\(error)"])
            return false
        }
    }

    private func observe(_ result: AttemptResult, of delivery: Delivery, report: AttemptReport, hook: String, at now: Date,
                         logger: Logger) {
        var metadata: Logger.Metadata = ["delivery": "\(delivery.id ?? 0)", "vigil.id": "\(delivery.eventID)",
                                         "type": "\(delivery.type)", "attempt": "\(delivery.attempts + 1)"]
        if let status = report.status { metadata["status"] = "\(status)" }
        switch result {
        case .delivered:
            let latency = now.timeIntervalSince(delivery.createdAt)
            metrics.delivered(hook: hook, latency: latency, retried: delivery.attempts > 0)
            metadata["latency_ms"] = "\(Int(latency * 1000))"
            logger.debug("delivered", metadata: metadata)
        case .retry(_, let error, _, let next):
            metrics.failed(hook: hook)
            metadata["error"] = "\(error)"
            metadata["retry_in_s"] = "\(String(format: "%.1f", next.timeIntervalSince(now)))"
            logger.warning("delivery failed; will retry", metadata: metadata)
        case .dead(_, let error, _):
            metrics.dead(hook: hook)
            metadata["error"] = "\(error)"
            logger.error("delivery dead: see `vigil hooks deliveries --state dead`, re-send with `vigil hooks retry`", metadata: metadata)
        }
    }
}

/// The dispatcher's database calls, on their own serial queue: GRDB blocks while it
/// waits for SQLite, and that must not happen on the cooperative pool.
actor OutboxAccess {
    private let executor = DispatchQueueExecutor(label: "vigil.outbox", qos: .utility)
    private let database: any AlertStore

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(database: any AlertStore) {
        self.database = database
    }

    func next(hook: String, limit: Int) throws -> [Delivery] {
        try database.nextDeliveries(hook: hook, limit: limit)
    }

    func record(_ outcomes: [(id: Int64, result: AttemptResult, at: Date)]) throws {
        try database.recordAttempts(outcomes)
    }
}

/// Counters and a latency timer through swift-metrics (exported by whatever backend the process bootstraps).
struct HookMetrics: Sendable {
    func delivered(hook: String, latency: Double, retried: Bool) {
        Counter(label: "vigil_hook_deliveries_total", dimensions: [("hook", hook), ("result", "delivered")]).increment()
        if retried {
            Counter(label: "vigil_hook_deliveries_total", dimensions: [("hook", hook), ("result", "delivered_after_retry")]).increment()
        }
        Metrics.Timer(label: "vigil_hook_delivery_latency_seconds", dimensions: [("hook", hook)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(latency * 1e9))
    }

    func failed(hook: String) {
        Counter(label: "vigil_hook_deliveries_total", dimensions: [("hook", hook), ("result", "retried")]).increment()
    }

    func dead(hook: String) {
        Counter(label: "vigil_hook_deliveries_total", dimensions: [("hook", hook), ("result", "dead")]).increment()
    }
}

/// Which hooks this node sends: all of them, or the ones whose leases it holds.
private final class ServedHooks: @unchecked Sendable {
    private let lock = NSLock()
    private var all: Bool
    private var hooks: Set<String> = []

    init(all: Bool) { self.all = all }

    func contains(_ hook: String) -> Bool { lock.withLock { all || hooks.contains(hook) } }

    /// Whether this added a hook (its loop should look at once).
    func set(_ hooks: Set<String>) -> Bool {
        lock.withLock {
            defer { self.hooks = hooks; all = false }
            return !hooks.subtracting(self.hooks).isEmpty
        }
    }
}
