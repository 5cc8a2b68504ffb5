import Foundation
import VigilCore

/// The outbox's operations, written once for every backend (see `AlertStore`): what the hook
/// dispatcher reads and records, and what operators list and retry.
extension AlertStore {
    /// The oldest pending deliveries of `hook`, in order: a hook's deliveries go out strictly in commit order.
    public func nextDeliveries(hook: String, limit: Int = 1) throws -> [Delivery] {
        try backend.read { rows in try rows.pendingDeliveries(hook: hook, limit: limit) }
    }

    /// Stores the result of one attempt.
    public func recordAttempt(_ deliveryID: Int64, result: AttemptResult, at now: Date = Date()) throws {
        try recordAttempts([(deliveryID, result, now)])
    }

    /// Stores the results of several attempts in one transaction (one fsync for a burst of
    /// deliveries). A delivery that is no longer pending (an operator acted on it) is left alone.
    public func recordAttempts(_ attempts: [(id: Int64, result: AttemptResult, at: Date)]) throws {
        guard !attempts.isEmpty else { return }
        try backend.write(announcing: nil) { rows in
            for (id, result, at) in attempts { try OutboxSteps.record(rows, id, result: result, at: at) }
        }
    }

    public func deliveries(state: Delivery.State? = nil, hook: String? = nil, limit: Int = 100) throws -> [Delivery] {
        try backend.read { rows in try rows.deliveries(state: state, hook: hook, limit: limit) }
    }

    public func delivery(id: Int64) throws -> Delivery? {
        try backend.read { rows in try rows.delivery(id: id) }
    }

    /// Puts dead (or delivered) deliveries back in the queue for an immediate attempt, with a
    /// fresh maximum age; audit-logged. Returns how many were re-queued.
    @discardableResult
    public func retryDeliveries(ids: [Int64]? = nil, deadOf hook: String? = nil, actor: String) throws -> Int {
        try backend.write(announcing: nil) { rows in
            if let ids {
                let found = try rows.existingDeliveries(ids)
                if let missing = ids.first(where: { !found.contains($0) }) { throw StoreError.deliveryNotFound(missing) }
            }
            let count = try rows.requeueDeliveries(ids: ids, deadOf: ids == nil ? hook : nil, at: Date())
            try rows.append(AuditRecord(actor: actor, action: "hook.retry", detail: [
                "deliveries": ids.map { $0.map(String.init).joined(separator: ",") } ?? "dead",
                "hook": hook ?? "(all)", "count": count,
            ]))
            return count
        }
    }

    /// Per hook: pending, delivered and dead counts, the oldest pending, and commit-to-delivered
    /// latency over the most recent 1000 deliveries.
    public func hookStats() throws -> [HookStats] {
        try backend.read { rows in
            var stats: [String: HookStats] = [:]
            for (hook, state, count, oldest) in try rows.deliveryCounts() {
                var entry = stats[hook] ?? HookStats(hook: hook)
                switch Delivery.State(rawValue: state) {
                case .pending: entry.pending = count; entry.oldestPending = oldest
                case .delivered: entry.delivered = count
                case .dead: entry.dead = count
                case nil: break
                }
                stats[hook] = entry
            }
            for hook in stats.keys {
                let latencies = try rows.deliveryLatencies(hook: hook, limit: 1000).sorted()
                stats[hook]?.latencyP50 = latencies.percentile(0.50)
                stats[hook]?.latencyP99 = latencies.percentile(0.99)
            }
            return stats.values.sorted { $0.hook < $1.hook }
        }
    }

    /// Forgets finished deliveries (delivered or dead) created before `date`; pending ones are kept.
    @discardableResult
    public func pruneDeliveries(before date: Date) throws -> Int {
        try backend.write(announcing: nil) { rows in try rows.deleteFinishedDeliveries(before: date) }
    }
}

/// Steps of the outbox operations, inside a transaction.
enum OutboxSteps {
    /// Writes one pending delivery per route that accepts the alert event.
    static func enqueue(_ rows: any AlertRows, alert: Alert, type: String, routes: [OutboxRoute], at now: Date) throws {
        for route in routes where route.filter.accepts(event: type, kind: alert.kind, camera: alert.cameraID, watchlist: alert.watchlist) {
            let id = UUID().uuidString.lowercased()
            let payload = try HookEvent(type: type, id: id, createdAt: now, alert: alert).json()
            var delivery = Delivery(id: nil, eventID: id, hook: route.hook, type: type, alertID: alert.id, payload: payload,
                                    state: .pending, attempts: 0, createdAt: now, scheduledAt: now, nextAttemptAt: now)
            try rows.insert(&delivery)
        }
    }

    static func record(_ rows: any AlertRows, _ deliveryID: Int64, result: AttemptResult, at now: Date) throws {
        guard var delivery = try rows.delivery(id: deliveryID), delivery.state == .pending else { return }
        delivery.attempts += 1
        delivery.lastAttemptAt = now
        switch result {
        case .delivered(let status):
            delivery.state = .delivered
            delivery.deliveredAt = now
            delivery.lastStatus = status
            delivery.lastError = nil
        case .retry(let status, let error, let response, let next):
            delivery.nextAttemptAt = next
            delivery.lastStatus = status
            delivery.lastError = error
            delivery.lastResponse = response
        case .dead(let status, let error, let response):
            delivery.state = .dead
            delivery.lastStatus = status
            delivery.lastError = error
            delivery.lastResponse = response
        }
        try rows.update(delivery)
    }
}
