import Foundation
import GRDB
import VigilCore

/// Alerts, their stream events and the outbox in SQLite (migrations v2-v4), through GRDB.
extension SQLiteRows {
    /// SQLite has one writer at a time already.
    func serialiseAlertWrites() throws {}

    func openAlert(kind: String, camera: String, watchlist: String, subject: String, since: Date) throws -> Alert? {
        try Alert.filter(Column("kind") == kind && Column("cameraID") == camera && Column("watchlist") == watchlist
                         && Column("subjectID") == subject && Column("lastSeen") >= since)
            .order(Column("lastSeen").desc).fetchOne(db)
    }

    func insert(_ alert: inout Alert) throws { try alert.insert(db) }
    func update(_ alert: Alert) throws { try alert.update(db) }
    func alert(id: Int64) throws -> Alert? { try Alert.fetchOne(db, key: id) }

    func alerts(since: Date?, camera: String?, limit: Int) throws -> [Alert] {
        var request = Alert.order(Column("lastSeen").desc, Column("id").desc).limit(limit)
        if let since { request = request.filter(Column("lastSeen") >= since) }
        if let camera { request = request.filter(Column("cameraID") == camera) }
        return try request.fetchAll(db)
    }

    func alerts(_ query: AlertQuery) throws -> [Alert] {
        var request = Alert.order(Column("id").desc).limit(query.limit)
        if let v = query.camera { request = request.filter(Column("cameraID") == v) }
        if let v = query.watchlist { request = request.filter(Column("watchlist") == v) }
        if let v = query.subject { request = request.filter(Column("subjectID") == v) }
        if let v = query.since { request = request.filter(Column("lastSeen") >= v) }
        if let v = query.until { request = request.filter(Column("firstSeen") <= v) }
        if let v = query.acknowledged { request = request.filter(v ? Column("acknowledgedAt") != nil : Column("acknowledgedAt") == nil) }
        if let v = query.verdict { request = request.filter(v == "none" ? Column("verdict") == nil : Column("verdict") == v) }
        if let v = query.before { request = request.filter(Column("id") < v) }
        return try request.fetchAll(db)
    }

    func clearEvidence(before date: Date) throws -> [String] {
        let old = Alert.filter(Column("lastSeen") < date && (Column("snapshotPath") != nil || Column("cropPath") != nil))
        let paths = try Row.fetchAll(db, old.select(Column("snapshotPath"), Column("cropPath")))
            .flatMap { [$0[0] as String?, $0[1] as String?].compactMap { $0 } }
        try old.updateAll(db, Column("snapshotPath").set(to: nil), Column("cropPath").set(to: nil))
        return paths
    }

    func appendEvent(alert: Int64, type: String, at: Date) throws {
        try db.execute(sql: "INSERT INTO alertEvent (alertID, type, at) VALUES (?, ?, ?)", arguments: [alert, type, at])
    }

    func alertEvents(after id: Int64, limit: Int) throws -> [AlertEvent] {
        try AlertEvent.fetchAll(db, sql: "SELECT id, alertID, type, at FROM alertEvent WHERE id > ? ORDER BY id LIMIT ?",
                                arguments: [id, limit])
    }

    func lastAlertEventID() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM alertEvent") ?? 0
    }

    func deleteAlertEvents(before date: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM alertEvent WHERE at < ?", arguments: [date])
        return db.changesCount
    }

    func insert(_ delivery: inout Delivery) throws { try delivery.insert(db) }
    func update(_ delivery: Delivery) throws { try delivery.update(db) }
    func delivery(id: Int64) throws -> Delivery? { try Delivery.fetchOne(db, key: id) }

    func pendingDeliveries(hook: String, limit: Int) throws -> [Delivery] {
        try Delivery.filter(Column("hook") == hook && Column("state") == Delivery.State.pending.rawValue)
            .order(Column("id")).limit(limit).fetchAll(db)
    }

    func deliveries(state: Delivery.State?, hook: String?, limit: Int) throws -> [Delivery] {
        var request = Delivery.order(Column("id").desc).limit(limit)
        if let state { request = request.filter(Column("state") == state.rawValue) }
        if let hook { request = request.filter(Column("hook") == hook) }
        return try request.fetchAll(db)
    }

    func existingDeliveries(_ ids: [Int64]) throws -> Set<Int64> {
        try Int64.fetchSet(db, Delivery.select(Column("id")).filter(ids.contains(Column("id"))))
    }

    func requeueDeliveries(ids: [Int64]?, deadOf hook: String?, at now: Date) throws -> Int {
        var request = Delivery.all()
        if let ids {
            request = request.filter(ids.contains(Column("id")))
        } else {
            request = request.filter(Column("state") == Delivery.State.dead.rawValue)
            if let hook { request = request.filter(Column("hook") == hook) }
        }
        return try request.updateAll(db, Column("state").set(to: Delivery.State.pending.rawValue),
                                     Column("scheduledAt").set(to: now), Column("nextAttemptAt").set(to: now),
                                     Column("deliveredAt").set(to: nil))
    }

    func deliveryCounts() throws -> [(hook: String, state: String, count: Int, oldest: Date?)] {
        try Row.fetchAll(db, sql: "SELECT hook, state, COUNT(*), MIN(createdAt) FROM delivery GROUP BY hook, state")
            .map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    func deliveryLatencies(hook: String, limit: Int) throws -> [Double] {
        // Two timestamps per row, not whole payloads (this runs every second).
        try Row.fetchAll(db, sql: """
            SELECT createdAt, deliveredAt FROM delivery WHERE hook = ? AND state = ? ORDER BY id DESC LIMIT ?
            """, arguments: [hook, Delivery.State.delivered.rawValue, limit]).compactMap { row -> Double? in
            guard let created: Date = row[0], let delivered: Date = row[1] else { return nil }
            return delivered.timeIntervalSince(created)
        }
    }

    func deleteFinishedDeliveries(before date: Date) throws -> Int {
        try Delivery.filter(Column("state") != Delivery.State.pending.rawValue && Column("createdAt") < date).deleteAll(db)
    }
}
