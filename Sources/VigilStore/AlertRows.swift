import Foundation

/// The row-level reads and writes of alerts, their stream events and the outbox, inside one
/// transaction. Each backend implements them in its own dialect; what the operations mean lives
/// once, in `AlertIntents.swift` and `OutboxIntents.swift`.
protocol AlertRows: AuditRows {
    /// Makes this transaction the only one writing alerts until it ends. Alerts and deliveries
    /// then get their ids in commit order (the stream and each hook's queue are read in id
    /// order), and the deduplication look-up cannot race another node's insert. SQLite has a
    /// single writer already.
    func serialiseAlertWrites() throws

    /// The newest alert of this subject on this camera and watchlist last seen at or after `since`.
    func openAlert(kind: String, camera: String, watchlist: String, subject: String, since: Date) throws -> Alert?
    func insert(_ alert: inout Alert) throws
    func update(_ alert: Alert) throws
    func alert(id: Int64) throws -> Alert?
    /// Newest first by last sighting.
    func alerts(since: Date?, camera: String?, limit: Int) throws -> [Alert]
    /// Newest first by id.
    func alerts(_ query: AlertQuery) throws -> [Alert]
    /// Clears the evidence paths of alerts last seen before `date` and returns the paths cleared.
    /// Only rows that still name files are written: expiry must not rewrite every old alert each hour.
    func clearEvidence(before date: Date) throws -> [String]

    func appendEvent(alert: Int64, type: String, at: Date) throws
    /// Oldest first.
    func alertEvents(after id: Int64, limit: Int) throws -> [AlertEvent]
    func lastAlertEventID() throws -> Int64
    func deleteAlertEvents(before date: Date) throws -> Int

    func insert(_ delivery: inout Delivery) throws
    func update(_ delivery: Delivery) throws
    func delivery(id: Int64) throws -> Delivery?
    /// A hook's pending deliveries, oldest first.
    func pendingDeliveries(hook: String, limit: Int) throws -> [Delivery]
    /// Newest first.
    func deliveries(state: Delivery.State?, hook: String?, limit: Int) throws -> [Delivery]
    /// Of `ids`, those that exist.
    func existingDeliveries(_ ids: [Int64]) throws -> Set<Int64>
    /// Puts the named deliveries (or every dead one, of `hook` when given) back in the queue at `now`.
    func requeueDeliveries(ids: [Int64]?, deadOf hook: String?, at now: Date) throws -> Int
    /// Per hook and state: how many, and the oldest's creation.
    func deliveryCounts() throws -> [(hook: String, state: String, count: Int, oldest: Date?)]
    /// Commit-to-delivered seconds of a hook's most recent deliveries.
    func deliveryLatencies(hook: String, limit: Int) throws -> [Double]
    /// Forgets finished deliveries created before `date`.
    func deleteFinishedDeliveries(before date: Date) throws -> Int
}
