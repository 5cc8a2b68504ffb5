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
