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
    private let logger: Logger

    public init(hooks: [HookConfig], policy: DeliveryPolicy, database: VigilDatabase, logger: Logger) {
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
        self.logger = logger
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

    private func serve(_ sender: HookSender) async {
        let hook = sender.hook
        let bell = bells[hook.name]!
        var logger = self.logger
        logger[metadataKey: "hook"] = .string(hook.name)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let delivery: Delivery
            do {
                guard let next = try await outbox.next(hook: hook.name) else {
                    await bell.wait(timeout: 1)
                    continue
                }
                delivery = next
            } catch {
                logger.warning("outbox not readable", metadata: ["error": "\(error)"])
                await bell.wait(timeout: 1)
                continue
            }
            let wait = delivery.nextAttemptAt.timeIntervalSinceNow
            if wait > 0 {
                // Re-read at least every second: an operator may re-queue from another process.
                await bell.wait(timeout: min(wait, 1))
                continue
            }
            await attempt(delivery, with: sender, logger: logger)
        }
    }

    private func attempt(_ delivery: Delivery, with sender: HookSender, logger: Logger) async {
        guard let id = delivery.id else { return }
        await gate.enter()
        let report = await sender.send(id: delivery.eventID, type: delivery.type, payload: delivery.payload,
                                       attempt: delivery.attempts + 1)
        await gate.leave()
        let now = Date()
        let result = policy.classify(report, delivery: delivery, now: now)
        do {
            try await outbox.record(id, result: result, at: now)
        } catch {
            // Not recorded: the delivery stays pending and goes again (at least once).
            logger.error("delivery outcome not stored", metadata: ["delivery": "\(id)", "error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
            return
        }
        var metadata: Logger.Metadata = ["delivery": "\(id)", "vigil.id": "\(delivery.eventID)", "type": "\(delivery.type)",
                                         "attempt": "\(delivery.attempts + 1)"]
        if let status = report.status { metadata["status"] = "\(status)" }
        switch result {
        case .delivered:
            let latency = now.timeIntervalSince(delivery.createdAt)
            metrics.delivered(hook: sender.hook.name, latency: latency, retried: delivery.attempts > 0)
            metadata["latency_ms"] = "\(Int(latency * 1000))"
            logger.debug("delivered", metadata: metadata)
        case .retry(_, let error, _, let next):
            metrics.failed(hook: sender.hook.name)
            metadata["error"] = "\(error)"
            metadata["retry_in_s"] = "\(String(format: "%.1f", next.timeIntervalSince(now)))"
            logger.warning("delivery failed; will retry", metadata: metadata)
        case .dead(_, let error, _):
            metrics.dead(hook: sender.hook.name)
            metadata["error"] = "\(error)"
            logger.error("delivery dead: see `vigil hooks deliveries --state dead`, re-send with `vigil hooks retry`", metadata: metadata)
        }
    }
}

/// The dispatcher's database calls, on their own serial queue: GRDB blocks while it
/// waits for SQLite, and that must not happen on the cooperative pool.
actor OutboxAccess {
    private let executor = DispatchQueueExecutor(label: "vigil.outbox", qos: .utility)
    private let database: VigilDatabase

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(database: VigilDatabase) {
        self.database = database
    }

    func next(hook: String) throws -> Delivery? {
        try database.nextDelivery(hook: hook)
    }

    func record(_ id: Int64, result: AttemptResult, at date: Date) throws {
        try database.recordAttempt(id, result: result, at: date)
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
