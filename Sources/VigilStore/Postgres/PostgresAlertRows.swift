import Foundation
import PostgresNIO
import VigilCore

/// Alerts, their stream events and the outbox in PostgreSQL (migration `store-2-alerts-and-outbox`).
extension PostgresRows {
    /// An arbitrary constant naming the alert writers' lock among the server's advisory locks.
    private static let alertWritersLock: Int64 = 0x5649_4749_4C01

    /// A transaction-scoped advisory lock, held until commit or rollback: alert writers on every
    /// node take turns. Identity values are handed out when a row is inserted, not when it
    /// commits; without turns, a reader of `id > last` could pass over a row that commits later
    /// with a smaller id, and two nodes could both find no open alert and insert twice.
    func serialiseAlertWrites() throws {
        try execute("SELECT pg_advisory_xact_lock(\(Self.alertWritersLock))")
    }

    // MARK: Alerts

    static let alertColumns = """
        id, kind, cameraID, watchlist, subjectID, subjectName, enrolmentID, enrolmentImage, distance, bestDistance,
        threshold, sharpness, trackID, box, firstSeen, lastSeen, count, snapshotPath, cropPath, acknowledgedAt,
        acknowledgedBy, verdict, verdictComment, verdictBy, verdictAt, plateText, plateConfidence, evidenceMissing,
        rule, zone, line, dwellSeconds, direction, peopleCount, path
        """

    func alertRecords(_ query: PostgresQuery) throws -> [Alert] {
        try rows(query).map { row in
            var cells = CellReader(row)
            var alert = Alert(
                id: try cells.next(), kind: try cells.next(), cameraID: try cells.next(), watchlist: try cells.next(),
                subjectID: try cells.next(), subjectName: try cells.next(), enrolmentID: try cells.next(),
                enrolmentImage: try cells.next(), distance: try cells.next(), bestDistance: try cells.next(),
                threshold: try cells.next(), sharpness: try cells.next(), trackID: try cells.next(), box: try cells.next(),
                firstSeen: try cells.next(), lastSeen: try cells.next(), count: try cells.next(), snapshotPath: try cells.next(),
                cropPath: try cells.next())
            alert.acknowledgedAt = try cells.next()
            alert.acknowledgedBy = try cells.next()
            alert.verdict = try cells.next()
            alert.verdictComment = try cells.next()
            alert.verdictBy = try cells.next()
            alert.verdictAt = try cells.next()
            alert.plateText = try cells.next()
            alert.plateConfidence = try cells.next()
            alert.evidenceMissing = try cells.next()
            alert.rule = try cells.next()
            alert.zone = try cells.next()
            alert.line = try cells.next()
            alert.dwellSeconds = try cells.next()
            alert.direction = try cells.next()
            alert.peopleCount = try cells.next()
            alert.path = try cells.next()
            return alert
        }
    }

    func openAlert(kind: String, camera: String, watchlist: String, subject: String, since: Date) throws -> Alert? {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM alert
            WHERE kind = \(kind) AND cameraID = \(camera) AND watchlist = \(watchlist) AND subjectID = \(subject) AND lastSeen >= \(since)
            ORDER BY lastSeen DESC LIMIT 1
            """).first
    }

    func insert(_ alert: inout Alert) throws {
        let a = alert
        alert.id = try id("""
            INSERT INTO alert (kind, cameraID, watchlist, subjectID, subjectName, enrolmentID, enrolmentImage, distance, bestDistance,
                threshold, sharpness, trackID, box, firstSeen, lastSeen, count, snapshotPath, cropPath, acknowledgedAt,
                acknowledgedBy, verdict, verdictComment, verdictBy, verdictAt, plateText, plateConfidence, evidenceMissing,
                rule, zone, line, dwellSeconds, direction, peopleCount, path)
            VALUES (\(a.kind), \(a.cameraID), \(a.watchlist), \(a.subjectID), \(a.subjectName), \(a.enrolmentID), \(a.enrolmentImage),
                \(a.distance), \(a.bestDistance), \(a.threshold), \(a.sharpness), \(a.trackID), \(a.box), \(a.firstSeen), \(a.lastSeen),
                \(a.count), \(a.snapshotPath), \(a.cropPath), \(a.acknowledgedAt), \(a.acknowledgedBy), \(a.verdict), \(a.verdictComment),
                \(a.verdictBy), \(a.verdictAt), \(a.plateText), \(a.plateConfidence), \(a.evidenceMissing), \(a.rule), \(a.zone),
                \(a.line), \(a.dwellSeconds), \(a.direction), \(a.peopleCount), \(a.path))
            RETURNING id
            """)
    }

    func update(_ a: Alert) throws {
        try execute("""
            UPDATE alert SET kind = \(a.kind), cameraID = \(a.cameraID), watchlist = \(a.watchlist), subjectID = \(a.subjectID),
                subjectName = \(a.subjectName), enrolmentID = \(a.enrolmentID), enrolmentImage = \(a.enrolmentImage),
                distance = \(a.distance), bestDistance = \(a.bestDistance), threshold = \(a.threshold), sharpness = \(a.sharpness),
                trackID = \(a.trackID), box = \(a.box), firstSeen = \(a.firstSeen), lastSeen = \(a.lastSeen), count = \(a.count),
                snapshotPath = \(a.snapshotPath), cropPath = \(a.cropPath), acknowledgedAt = \(a.acknowledgedAt),
                acknowledgedBy = \(a.acknowledgedBy), verdict = \(a.verdict), verdictComment = \(a.verdictComment),
                verdictBy = \(a.verdictBy), verdictAt = \(a.verdictAt), plateText = \(a.plateText), plateConfidence = \(a.plateConfidence),
                evidenceMissing = \(a.evidenceMissing), rule = \(a.rule), zone = \(a.zone), line = \(a.line),
                dwellSeconds = \(a.dwellSeconds), direction = \(a.direction), peopleCount = \(a.peopleCount), path = \(a.path)
            WHERE id = \(a.id)
            """)
    }

    func alert(id: Int64) throws -> Alert? {
        try alertRecords("SELECT \(unescaped: Self.alertColumns) FROM alert WHERE id = \(id)").first
    }

    func alerts(since: Date?, camera: String?, limit: Int) throws -> [Alert] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM alert
            WHERE (\(since)::timestamptz IS NULL OR lastSeen >= \(since)) AND (\(camera)::text IS NULL OR cameraID = \(camera))
            ORDER BY lastSeen DESC, id DESC LIMIT \(limit)
            """)
    }

    func alerts(_ q: AlertQuery) throws -> [Alert] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM alert
            WHERE (\(q.camera)::text IS NULL OR cameraID = \(q.camera))
              AND (\(q.watchlist)::text IS NULL OR watchlist = \(q.watchlist))
              AND (\(q.subject)::text IS NULL OR subjectID = \(q.subject))
              AND (\(q.since)::timestamptz IS NULL OR lastSeen >= \(q.since))
              AND (\(q.until)::timestamptz IS NULL OR firstSeen <= \(q.until))
              AND (\(q.acknowledged)::boolean IS NULL OR (acknowledgedAt IS NOT NULL) = \(q.acknowledged))
              AND (\(q.verdict)::text IS NULL OR (\(q.verdict) = 'none' AND verdict IS NULL) OR verdict = \(q.verdict))
              AND (\(q.before)::bigint IS NULL OR id < \(q.before))
            ORDER BY id DESC LIMIT \(q.limit)
            """)
    }

    func clearEvidence(before date: Date) throws -> [String] {
        try rows("""
            UPDATE alert SET snapshotPath = NULL, cropPath = NULL
            FROM (SELECT id, snapshotPath, cropPath FROM alert
                  WHERE lastSeen < \(date) AND (snapshotPath IS NOT NULL OR cropPath IS NOT NULL) FOR UPDATE) AS old
            WHERE alert.id = old.id
            RETURNING old.snapshotPath, old.cropPath
            """).flatMap { row in
            let (snapshot, crop) = try row.decode((String?, String?).self)
            return [snapshot, crop].compactMap { $0 }
        }
    }

    // MARK: The stream's events

    func appendEvent(alert: Int64, type: String, at: Date) throws {
        try execute("INSERT INTO alertEvent (alertID, type, at) VALUES (\(alert), \(type), \(at))")
    }

    func alertEvents(after id: Int64, limit: Int) throws -> [AlertEvent] {
        try rows("SELECT id, alertID, type, at FROM alertEvent WHERE id > \(id) ORDER BY id LIMIT \(limit)").map { row in
            let (id, alertID, type, at) = try row.decode((Int64, Int64, String, Date).self)
            return AlertEvent(id: id, alertID: alertID, type: type, at: at)
        }
    }

    func lastAlertEventID() throws -> Int64 {
        try rows("SELECT coalesce(max(id), 0)::int8 FROM alertEvent").first.map { try $0.decode(Int64.self) } ?? 0
    }

    func deleteAlertEvents(before date: Date) throws -> Int {
        try changed("DELETE FROM alertEvent WHERE at < \(date)")
    }

    // MARK: The outbox

    private static let deliveryColumns = """
        id, eventID, hook, type, alertID, payload, state, attempts, createdAt, scheduledAt, nextAttemptAt, lastAttemptAt,
        deliveredAt, lastStatus, lastError, lastResponse
        """

    private func deliveryRecords(_ query: PostgresQuery) throws -> [Delivery] {
        try rows(query).map { row in
            var cells = CellReader(row)
            let id: Int64 = try cells.next(), eventID: String = try cells.next(), hook: String = try cells.next()
            let type: String = try cells.next(), alertID: Int64? = try cells.next(), payload: String = try cells.next()
            let state: String = try cells.next()
            var delivery = Delivery(id: id, eventID: eventID, hook: hook, type: type, alertID: alertID, payload: payload,
                                    state: Delivery.State(rawValue: state) ?? .dead, attempts: try cells.next(),
                                    createdAt: try cells.next(), scheduledAt: try cells.next(), nextAttemptAt: try cells.next())
            delivery.lastAttemptAt = try cells.next()
            delivery.deliveredAt = try cells.next()
            delivery.lastStatus = try cells.next()
            delivery.lastError = try cells.next()
            delivery.lastResponse = try cells.next()
            return delivery
        }
    }

    func insert(_ delivery: inout Delivery) throws {
        let d = delivery
        delivery.id = try id("""
            INSERT INTO delivery (eventID, hook, type, alertID, payload, state, attempts, createdAt, scheduledAt, nextAttemptAt,
                lastAttemptAt, deliveredAt, lastStatus, lastError, lastResponse)
            VALUES (\(d.eventID), \(d.hook), \(d.type), \(d.alertID), \(d.payload), \(d.state.rawValue), \(d.attempts), \(d.createdAt),
                \(d.scheduledAt), \(d.nextAttemptAt), \(d.lastAttemptAt), \(d.deliveredAt), \(d.lastStatus), \(d.lastError), \(d.lastResponse))
            RETURNING id
            """)
    }

    func update(_ d: Delivery) throws {
        try execute("""
            UPDATE delivery SET state = \(d.state.rawValue), attempts = \(d.attempts), scheduledAt = \(d.scheduledAt),
                nextAttemptAt = \(d.nextAttemptAt), lastAttemptAt = \(d.lastAttemptAt), deliveredAt = \(d.deliveredAt),
                lastStatus = \(d.lastStatus), lastError = \(d.lastError), lastResponse = \(d.lastResponse)
            WHERE id = \(d.id)
            """)
    }

    func delivery(id: Int64) throws -> Delivery? {
        try deliveryRecords("SELECT \(unescaped: Self.deliveryColumns) FROM delivery WHERE id = \(id)").first
    }

    func pendingDeliveries(hook: String, limit: Int) throws -> [Delivery] {
        try deliveryRecords("""
            SELECT \(unescaped: Self.deliveryColumns) FROM delivery WHERE hook = \(hook) AND state = 'pending' ORDER BY id LIMIT \(limit)
            """)
    }

    func deliveries(state: Delivery.State?, hook: String?, limit: Int) throws -> [Delivery] {
        try deliveryRecords("""
            SELECT \(unescaped: Self.deliveryColumns) FROM delivery
            WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)) AND (\(hook)::text IS NULL OR hook = \(hook))
            ORDER BY id DESC LIMIT \(limit)
            """)
    }

    func existingDeliveries(_ ids: [Int64]) throws -> Set<Int64> {
        Set(try rows("SELECT id FROM delivery WHERE id = ANY(\(ids))").map { try $0.decode(Int64.self) })
    }

    func requeueDeliveries(ids: [Int64]?, deadOf hook: String?, at now: Date) throws -> Int {
        try changed("""
            UPDATE delivery SET state = 'pending', scheduledAt = \(now), nextAttemptAt = \(now), deliveredAt = NULL
            WHERE CASE WHEN \(ids)::bigint[] IS NULL THEN state = 'dead' AND (\(hook)::text IS NULL OR hook = \(hook))
                       ELSE id = ANY(\(ids)) END
            """)
    }

    func deliveryCounts() throws -> [(hook: String, state: String, count: Int, oldest: Date?)] {
        try rows("SELECT hook, state, count(*)::int8, min(createdAt) FROM delivery GROUP BY hook, state").map { row in
            let (hook, state, count, oldest) = try row.decode((String, String, Int, Date?).self)
            return (hook, state, count, oldest)
        }
    }

    func deliveryLatencies(hook: String, limit: Int) throws -> [Double] {
        try rows("""
            SELECT extract(epoch FROM deliveredAt - createdAt)::float8 FROM delivery
            WHERE hook = \(hook) AND state = 'delivered' AND deliveredAt IS NOT NULL ORDER BY id DESC LIMIT \(limit)
            """).map { try $0.decode(Double.self) }
    }

    func deleteFinishedDeliveries(before date: Date) throws -> Int {
        try changed("DELETE FROM delivery WHERE state <> 'pending' AND createdAt < \(date)")
    }
}
