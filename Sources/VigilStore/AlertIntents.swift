import Foundation
import VigilCore

/// What each alert operation means, written once for every backend (see `AlertStore`).
extension AlertStore {
    /// Records a match, committed before anything else happens with it. Within `cooldown`
    /// seconds of the last sighting of the same subject on the same camera and watchlist, the
    /// open alert's count and last-seen are updated (and its evidence replaced when this sighting
    /// is sharper) instead of creating a new alert. Evidence files that end up unused are
    /// returned for deletion.
    ///
    /// In the same transaction, one outbox delivery per hook route that accepts the event
    /// (`alert.created` or `alert.updated`) is written: the alert and its deliveries commit together.
    public func recordMatch(_ evidence: FaceMatchEvidence, cooldown: TimeInterval, routes: [OutboxRoute] = []) throws -> AlertOutcome {
        try recordSighting(.sighting(evidence), cooldown: cooldown, routes: routes)
    }

    /// Records a plate match with the same deduplication as faces: the OCR confidence decides
    /// which read's evidence the alert keeps.
    public func recordPlateMatch(_ evidence: PlateMatchEvidence, cooldown: TimeInterval, routes: [OutboxRoute] = [])
        throws -> AlertOutcome {
        try recordSighting(.sighting(evidence), cooldown: cooldown, routes: routes)
    }

    /// Records one sighting (a face or plate alert as `Alert.sighting` builds it), folded into an
    /// open alert within `cooldown` or inserted. The daemon's alert spool replays through this.
    public func recordSighting(_ fresh: Alert, cooldown: TimeInterval, routes: [OutboxRoute] = []) throws -> AlertOutcome {
        try backend.write(announcing: nil) { rows in
            try rows.serialiseAlertWrites()
            return try AlertSteps.fold(rows, fresh, cooldown: cooldown, routes: routes)
        }
    }

    /// Alerts newest first, optionally since a time and for one camera.
    public func alerts(since: Date? = nil, camera: String? = nil, limit: Int = 100) throws -> [Alert] {
        try backend.read { rows in try rows.alerts(since: since, camera: camera, limit: limit) }
    }

    /// Alerts by id, newest first, a page of at most 1000.
    public func alerts(_ query: AlertQuery) throws -> [Alert] {
        var query = query
        query.limit = max(1, min(query.limit, 1000))
        return try backend.read { rows in try rows.alerts(query) }
    }

    public func alert(id: Int64) throws -> Alert? {
        try backend.read { rows in try rows.alert(id: id) }
    }

    /// Marks an alert as seen by an operator (idempotent: the first acknowledgement stands); audit-logged.
    @discardableResult
    public func acknowledge(alert id: Int64, actor: String) throws -> Alert {
        try backend.write(announcing: nil) { rows in
            try rows.serialiseAlertWrites()
            guard var alert = try rows.alert(id: id) else { throw StoreError.alertNotFound(id) }
            guard alert.acknowledgedAt == nil else { return alert }
            alert.acknowledgedAt = Date()
            alert.acknowledgedBy = actor
            try rows.update(alert)
            try rows.appendEvent(alert: id, type: "alert.acknowledged", at: Date())
            try rows.append(AuditRecord(actor: actor, action: "alert.acknowledge", watchlist: alert.watchlist,
                                        subject: alert.subjectID, detail: ["alert": id]))
            return alert
        }
    }

    /// Records the operator's verdict (a later verdict replaces an earlier one; both are in the
    /// audit log). A verdict implies acknowledgement.
    @discardableResult
    public func setVerdict(alert id: Int64, verdict: Verdict, comment: String?, actor: String) throws -> Alert {
        if let comment, comment.count > 2000 { throw StoreError.invalidComment }
        return try backend.write(announcing: nil) { rows in
            try rows.serialiseAlertWrites()
            guard var alert = try rows.alert(id: id) else { throw StoreError.alertNotFound(id) }
            let now = Date()
            if alert.acknowledgedAt == nil {
                alert.acknowledgedAt = now
                alert.acknowledgedBy = actor
            }
            alert.verdict = verdict.rawValue
            alert.verdictComment = comment
            alert.verdictBy = actor
            alert.verdictAt = now
            try rows.update(alert)
            try rows.appendEvent(alert: id, type: "alert.verdict", at: now)
            try rows.append(AuditRecord(actor: actor, action: "alert.verdict", watchlist: alert.watchlist, subject: alert.subjectID,
                                        detail: ["alert": id, "verdict": verdict.rawValue, "comment": comment ?? ""]))
            return alert
        }
    }

    /// Alert events after `id` (0 = from the start), oldest first.
    public func alertEvents(after id: Int64, limit: Int = 500) throws -> [AlertEvent] {
        try backend.read { rows in try rows.alertEvents(after: id, limit: limit) }
    }

    public func lastAlertEventID() throws -> Int64 {
        try backend.read { rows in try rows.lastAlertEventID() }
    }

    /// Forgets alert evidence files older than `date`: returns their paths for deletion and
    /// clears them from the alerts (which stay, with their distances, as the record).
    public func expireEvidence(before date: Date) throws -> [String] {
        try backend.write(announcing: nil) { rows in try rows.clearEvidence(before: date) }
    }

    /// Removes alert-stream events older than `date` (a reconnecting viewer resumes from the
    /// recent ones; the alerts themselves stay).
    public func pruneAlertEvents(before date: Date) throws -> Int {
        try backend.write(announcing: nil) { rows in try rows.deleteAlertEvents(before: date) }
    }
}

/// Steps of the alert operations, inside a transaction.
enum AlertSteps {
    /// The one deduplication rule for every kind of alert. Within `cooldown` of the last
    /// sighting of the same subject (or plate entry) on the same camera and watchlist, the
    /// open alert's count and last-seen are updated, and its evidence replaced by `fresh`'s
    /// when `fresh.sharpness` (sharpness for faces, OCR confidence for plates) is higher;
    /// otherwise `fresh` is inserted. The outbox rows and the stream event commit with it.
    static func fold(_ rows: any AlertRows, _ fresh: Alert, cooldown: TimeInterval, routes: [OutboxRoute]) throws -> AlertOutcome {
        let open = try rows.openAlert(kind: fresh.kind, camera: fresh.cameraID, watchlist: fresh.watchlist,
                                      subject: fresh.subjectID, since: fresh.lastSeen.addingTimeInterval(-cooldown))
        guard var alert = open else {
            var alert = fresh
            try rows.insert(&alert)
            try OutboxSteps.enqueue(rows, alert: alert, type: "alert.created", routes: routes, at: Date())
            try rows.appendEvent(alert: alert.id!, type: "alert.created", at: Date())
            return AlertOutcome(alert: alert, isNew: true, replacedFiles: [])
        }
        alert.count += 1
        alert.lastSeen = max(alert.lastSeen, fresh.lastSeen)
        alert.bestDistance = min(alert.bestDistance, fresh.distance)
        let supplied = [fresh.snapshotPath, fresh.cropPath].compactMap { $0 }
        var replaced = supplied
        // A sighting with evidence replaces a sharper one's only by being sharper, but always
        // replaces no evidence at all (an earlier sighting whose files could not be written).
        if !supplied.isEmpty && (fresh.sharpness > alert.sharpness || alert.snapshotPath == nil) {
            replaced = [alert.snapshotPath, alert.cropPath].compactMap { $0 }
            alert.distance = fresh.distance
            alert.sharpness = fresh.sharpness
            alert.box = fresh.box
            alert.snapshotPath = fresh.snapshotPath
            alert.cropPath = fresh.cropPath
            alert.evidenceMissing = nil
            alert.enrolmentID = fresh.enrolmentID
            alert.enrolmentImage = fresh.enrolmentImage
            alert.trackID = fresh.trackID
            alert.plateText = fresh.plateText
            alert.plateConfidence = fresh.plateConfidence
            alert.path = fresh.path
            alert.direction = fresh.direction
        }
        // Behaviour: the longest dwell and the largest crowd the alert has seen.
        if let dwell = fresh.dwellSeconds { alert.dwellSeconds = max(alert.dwellSeconds ?? 0, dwell) }
        if let people = fresh.peopleCount { alert.peopleCount = max(alert.peopleCount ?? 0, people) }
        try rows.update(alert)
        try OutboxSteps.enqueue(rows, alert: alert, type: "alert.updated", routes: routes, at: Date())
        try rows.appendEvent(alert: alert.id!, type: "alert.updated", at: Date())
        return AlertOutcome(alert: alert, isNew: false, replacedFiles: replaced)
    }
}
