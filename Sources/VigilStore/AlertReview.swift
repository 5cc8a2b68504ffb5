import Foundation
import GRDB

/// One change to an alert, in commit order: what a live screen replays after a reconnect.
public struct AlertEvent: Sendable, Equatable, Codable, FetchableRecord {
    public var id: Int64
    public var alertID: Int64
    /// `alert.created`, `alert.updated`, `alert.acknowledged`, `alert.verdict`.
    public var type: String
    public var at: Date
}

/// Which alerts to list, newest first, a page at a time.
public struct AlertQuery: Sendable, Equatable {
    public var camera: String?
    public var watchlist: String?
    public var subject: String?
    public var since: Date?
    public var until: Date?
    public var acknowledged: Bool?
    /// `confirmed`, `rejected`, or `none` for alerts without a verdict.
    public var verdict: String?
    /// Only alerts with an id below this (the previous page's last id): stable paging while new alerts arrive.
    public var before: Int64?
    public var limit: Int

    public init(camera: String? = nil, watchlist: String? = nil, subject: String? = nil, since: Date? = nil, until: Date? = nil,
                acknowledged: Bool? = nil, verdict: String? = nil, before: Int64? = nil, limit: Int = 50) {
        self.camera = camera
        self.watchlist = watchlist
        self.subject = subject
        self.since = since
        self.until = until
        self.acknowledged = acknowledged
        self.verdict = verdict
        self.before = before
        self.limit = limit
    }
}

public enum Verdict: String, Sendable, CaseIterable {
    case confirmed, rejected
}
