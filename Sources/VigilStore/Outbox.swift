import Foundation
import GRDB
import VigilCore

/// One delivery of one event to one hook: the outbox row.
public struct Delivery: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "delivery"

    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, delivered, dead
    }

    public var id: Int64?
    /// Sent as `Vigil-Id` and as the body's `id`.
    public var eventID: String
    public var hook: String
    public var type: String
    public var alertID: Int64?
    public var payload: String
    public var state: State
    public var attempts: Int
    /// When the alert committed: latency is measured from here.
    public var createdAt: Date
    /// Start of the current retry series (creation, or an operator's retry): the maximum age counts from here.
    public var scheduledAt: Date
    public var nextAttemptAt: Date
    public var lastAttemptAt: Date?
    public var deliveredAt: Date?
    /// HTTP status, or a command's exit status.
    public var lastStatus: Int?
    public var lastError: String?
    /// The start of the receiver's answer (or the command's output), kept to explain a failure.
    public var lastResponse: String?

    public init(id: Int64? = nil, eventID: String, hook: String, type: String, alertID: Int64? = nil, payload: String,
                state: State = .pending, attempts: Int = 0, createdAt: Date, scheduledAt: Date, nextAttemptAt: Date) {
        self.id = id
        self.eventID = eventID
        self.hook = hook
        self.type = type
        self.alertID = alertID
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.scheduledAt = scheduledAt
        self.nextAttemptAt = nextAttemptAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// What one attempt came to, as the dispatcher classifies it.
public enum AttemptResult: Sendable, Equatable {
    case delivered(status: Int?)
    /// Try again at `next`.
    case retry(status: Int?, error: String, response: String?, next: Date)
    /// Give up: the receiver refused it for good, or it is too old.
    case dead(status: Int?, error: String, response: String?)
}

/// Per-hook figures for `vigil hooks list` and the metrics endpoint.
public struct HookStats: Sendable, Equatable {
    public var hook: String
    public var pending = 0
    public var delivered = 0
    public var dead = 0
    public var oldestPending: Date?
    /// Commit-to-delivered latency over the most recent deliveries (seconds).
    public var latencyP50: Double?
    public var latencyP99: Double?

    public init(hook: String) {
        self.hook = hook
    }
}

extension VigilDatabase {
    /// Writes one pending delivery per route that accepts the alert event, inside the caller's transaction.
    static func enqueue(_ db: Database, alert: Alert, type: String, routes: [OutboxRoute], at now: Date) throws {
        for route in routes where route.filter.accepts(event: type, kind: alert.kind, camera: alert.cameraID, watchlist: alert.watchlist) {
            let id = UUID().uuidString.lowercased()
            let payload = try HookEvent(type: type, id: id, createdAt: now, alert: alert).json()
            var delivery = Delivery(id: nil, eventID: id, hook: route.hook, type: type, alertID: alert.id, payload: payload,
                                    state: .pending, attempts: 0, createdAt: now, scheduledAt: now, nextAttemptAt: now)
            try delivery.insert(db)
        }
    }

    /// The oldest pending deliveries of `hook`, in order: a hook's deliveries go out strictly in commit order.
    public func nextDeliveries(hook: String, limit: Int = 1) throws -> [Delivery] {
        try read { db in
            try Delivery.filter(Column("hook") == hook && Column("state") == Delivery.State.pending.rawValue)
                .order(Column("id")).limit(limit).fetchAll(db)
        }
    }

    /// Stores the result of one attempt.
    public func recordAttempt(_ deliveryID: Int64, result: AttemptResult, at now: Date = Date()) throws {
        try recordAttempts([(deliveryID, result, now)])
    }

    /// Stores the results of several attempts in one transaction (one fsync for a burst of
    /// deliveries). A delivery that is no longer pending (an operator acted on it) is left alone.
    public func recordAttempts(_ attempts: [(id: Int64, result: AttemptResult, at: Date)]) throws {
        guard !attempts.isEmpty else { return }
        try write { db in
            for (id, result, at) in attempts { try Self.record(db, id, result: result, at: at) }
        }
    }

    private static func record(_ db: Database, _ deliveryID: Int64, result: AttemptResult, at now: Date) throws {
        guard var delivery = try Delivery.fetchOne(db, key: deliveryID), delivery.state == .pending else { return }
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
        try delivery.update(db)
    }

    public func deliveries(state: Delivery.State? = nil, hook: String? = nil, limit: Int = 100) throws -> [Delivery] {
        try read { db in
            var request = Delivery.order(Column("id").desc).limit(limit)
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let hook { request = request.filter(Column("hook") == hook) }
            return try request.fetchAll(db)
        }
    }

    public func delivery(id: Int64) throws -> Delivery? {
        try read { db in try Delivery.fetchOne(db, key: id) }
    }

    /// Puts dead (or delivered) deliveries back in the queue for an immediate attempt, with a
    /// fresh maximum age; audit-logged. Returns how many were re-queued.
    @discardableResult
    public func retryDeliveries(ids: [Int64]? = nil, deadOf hook: String? = nil, actor: String) throws -> Int {
        try write { db in
            var request = Delivery.all()
            if let ids {
                let found = try Int64.fetchSet(db, Delivery.select(Column("id")).filter(ids.contains(Column("id"))))
                if let missing = ids.first(where: { !found.contains($0) }) { throw StoreError.deliveryNotFound(missing) }
                request = request.filter(ids.contains(Column("id")))
            } else {
                request = request.filter(Column("state") == Delivery.State.dead.rawValue)
                if let hook { request = request.filter(Column("hook") == hook) }
            }
            let now = Date()
            let count = try request.updateAll(db, Column("state").set(to: Delivery.State.pending.rawValue),
                                              Column("scheduledAt").set(to: now), Column("nextAttemptAt").set(to: now),
                                              Column("deliveredAt").set(to: nil))
            try Audit.append(db, actor: actor, action: "hook.retry", detail: [
                "deliveries": ids.map { $0.map(String.init).joined(separator: ",") } ?? "dead",
                "hook": hook ?? "(all)", "count": count,
            ])
            return count
        }
    }

    public func hookStats() throws -> [HookStats] {
        try read { db in
            var stats: [String: HookStats] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT hook, state, COUNT(*) AS n, MIN(createdAt) AS oldest FROM delivery GROUP BY hook, state
                """)
            for row in rows {
                let hook: String = row["hook"]
                var entry = stats[hook] ?? HookStats(hook: hook)
                let n: Int = row["n"]
                switch Delivery.State(rawValue: row["state"]) {
                case .pending: entry.pending = n; entry.oldestPending = row["oldest"]
                case .delivered: entry.delivered = n
                case .dead: entry.dead = n
                case nil: break
                }
                stats[hook] = entry
            }
            for hook in stats.keys {
                // Two timestamps per row, not whole payloads (this runs every second).
                let recent = try Row.fetchAll(db, sql: """
                    SELECT createdAt, deliveredAt FROM delivery WHERE hook = ? AND state = ? ORDER BY id DESC LIMIT 1000
                    """, arguments: [hook, Delivery.State.delivered.rawValue])
                let latencies = recent.compactMap { row -> Double? in
                    guard let created: Date = row["createdAt"], let delivered: Date = row["deliveredAt"] else { return nil }
                    return delivered.timeIntervalSince(created)
                }.sorted()
                stats[hook]?.latencyP50 = latencies.percentile(0.50)
                stats[hook]?.latencyP99 = latencies.percentile(0.99)
            }
            return stats.values.sorted { $0.hook < $1.hook }
        }
    }

    /// Forgets finished deliveries (delivered or dead) created before `date`; pending ones are kept.
    @discardableResult
    public func pruneDeliveries(before date: Date) throws -> Int {
        try write { db in
            try Delivery.filter(Column("state") != Delivery.State.pending.rawValue && Column("createdAt") < date).deleteAll(db)
        }
    }

    /// Removes alert-stream events older than `date` (a reconnecting viewer resumes from the
    /// recent ones; the alerts themselves stay).
    public func pruneAlertEvents(before date: Date) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM alertEvent WHERE at < ?", arguments: [date])
            return db.changesCount
        }
    }
}
