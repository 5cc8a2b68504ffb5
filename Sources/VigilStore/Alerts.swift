import Foundation
import GRDB
import VigilCore

/// A face match on a camera, as the pipeline reports it, with its evidence.
public struct FaceMatchEvidence: Sendable, Equatable {
    public var cameraID: String
    public var match: EnrolledFace
    public var distance: Double
    public var trackID: Int
    public var box: BoundingBox
    /// Sharpness of the face in this sighting: the sharpest sighting is kept as evidence.
    public var sharpness: Double
    public var seenAt: Date
    /// Evidence files already written under the snapshot directory (nil when none).
    public var snapshotPath: String?
    public var cropPath: String?

    public init(cameraID: String, match: EnrolledFace, distance: Double, trackID: Int, box: BoundingBox,
                sharpness: Double = 0, seenAt: Date, snapshotPath: String? = nil, cropPath: String? = nil) {
        self.sharpness = sharpness
        self.cameraID = cameraID
        self.match = match
        self.distance = distance
        self.trackID = trackID
        self.box = box
        self.seenAt = seenAt
        self.snapshotPath = snapshotPath
        self.cropPath = cropPath
    }
}

/// A stored alert: one subject on one camera, sightings within the cooldown folded in.
public struct Alert: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "alert"
    public var id: Int64?
    public var kind: String
    public var cameraID: String
    public var watchlist: String
    public var subjectID: String
    public var subjectName: String
    public var enrolmentID: Int64
    public var enrolmentImage: String
    /// Distance of the evidence sighting (the sharpest one), to `enrolmentImage`.
    public var distance: Double
    /// The smallest distance over all sightings folded into this alert.
    public var bestDistance: Double
    public var threshold: Double
    public var sharpness: Double
    public var trackID: Int
    /// `x,y,w,h` of the face in the snapshot.
    public var box: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var count: Int
    public var snapshotPath: String?
    public var cropPath: String?
    /// Operator review (migration v4-operator).
    public var acknowledgedAt: Date? = nil
    public var acknowledgedBy: String? = nil
    /// `confirmed` or `rejected`, with who said so and why.
    public var verdict: String? = nil
    public var verdictComment: String? = nil
    public var verdictBy: String? = nil
    public var verdictAt: Date? = nil
    /// Plate alerts (v5-plates): the read that matched, and its OCR confidence (0-1).
    public var plateText: String? = nil
    public var plateConfidence: Double? = nil
    /// Why the evidence files are missing (v8-evidence-missing): the snapshots folder was full or
    /// unwritable, or the alert queue was so long that its frame was dropped. The alert is stored anyway.
    public var evidenceMissing: String? = nil
    /// Behaviour alerts (v10-behaviour): the rule (intrusion, loitering, crowd, line), the zone or
    /// line, seconds in the zone (loitering), the crossing's direction, people in the zone (crowd),
    /// and the person's foot path as `x,y;x,y;...`.
    public var rule: String? = nil
    public var zone: String? = nil
    public var line: String? = nil
    public var dwellSeconds: Double? = nil
    public var direction: String? = nil
    public var peopleCount: Int? = nil
    public var path: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct AlertOutcome: Sendable, Equatable {
    public var alert: Alert
    /// True for a new alert, false when an open alert (within the cooldown) was updated.
    public var isNew: Bool
    /// Evidence files the update replaced (the caller deletes them: better evidence arrived).
    public var replacedFiles: [String]
}

extension Alert {
    /// The alert a face match would create: also what the daemon spools when the
    /// database cannot take it yet (an `Alert` is Codable; the evidence files are already written).
    public static func sighting(_ evidence: FaceMatchEvidence) -> Alert {
        Alert(
            id: nil, kind: "face", cameraID: evidence.cameraID, watchlist: evidence.match.watchlist,
            subjectID: evidence.match.subjectID, subjectName: evidence.match.subjectName,
            enrolmentID: evidence.match.enrolmentID, enrolmentImage: evidence.match.sourcePath,
            distance: evidence.distance, bestDistance: evidence.distance, threshold: evidence.match.threshold,
            sharpness: evidence.sharpness, trackID: evidence.trackID, box: evidence.box.array.map(String.init).joined(separator: ","),
            firstSeen: evidence.seenAt, lastSeen: evidence.seenAt, count: 1,
            snapshotPath: evidence.snapshotPath, cropPath: evidence.cropPath)
    }
}

extension VigilDatabase {
    /// Records a match, committed before anything else happens with it. Within
    /// `cooldown` seconds of the last sighting of the same subject on the same
    /// camera and watchlist, the open alert's count and last-seen are updated
    /// (and its evidence replaced when this sighting is sharper) instead of
    /// creating a new alert. Evidence files that end up unused are returned for deletion.
    ///
    /// In the same transaction, one outbox delivery per hook route that accepts the event
    /// (`alert.created` or `alert.updated`) is written: the alert and its deliveries commit together.
    public func recordMatch(_ evidence: FaceMatchEvidence, cooldown: TimeInterval, routes: [OutboxRoute] = []) throws -> AlertOutcome {
        try recordSighting(.sighting(evidence), cooldown: cooldown, routes: routes)
    }

    /// Records one sighting (a face or plate alert as `Alert.sighting` builds it), folded into an
    /// open alert within `cooldown` or inserted. The daemon's alert spool replays through this.
    public func recordSighting(_ fresh: Alert, cooldown: TimeInterval, routes: [OutboxRoute] = []) throws -> AlertOutcome {
        try write { db in try Self.fold(db, fresh, cooldown: cooldown, routes: routes) }
    }

    /// The one deduplication rule for every kind of alert. Within `cooldown` of the last
    /// sighting of the same subject (or plate entry) on the same camera and watchlist, the
    /// open alert's count and last-seen are updated, and its evidence replaced by `fresh`'s
    /// when `fresh.sharpness` (sharpness for faces, OCR confidence for plates) is higher;
    /// otherwise `fresh` is inserted. The outbox rows and the stream event commit with it.
    static func fold(_ db: Database, _ fresh: Alert, cooldown: TimeInterval, routes: [OutboxRoute]) throws -> AlertOutcome {
        let open = try Alert
            .filter(Column("kind") == fresh.kind && Column("cameraID") == fresh.cameraID && Column("watchlist") == fresh.watchlist
                && Column("subjectID") == fresh.subjectID && Column("lastSeen") >= fresh.lastSeen.addingTimeInterval(-cooldown))
            .order(Column("lastSeen").desc).fetchOne(db)
        guard var alert = open else {
            var alert = fresh
            try alert.insert(db)
            try enqueue(db, alert: alert, type: "alert.created", routes: routes, at: Date())
            try appendEvent(db, alert: alert.id, type: "alert.created")
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
        try alert.update(db)
        try enqueue(db, alert: alert, type: "alert.updated", routes: routes, at: Date())
        try appendEvent(db, alert: alert.id, type: "alert.updated")
        return AlertOutcome(alert: alert, isNew: false, replacedFiles: replaced)
    }

    /// Alerts newest first, optionally since a time and for one camera.
    public func alerts(since: Date? = nil, camera: String? = nil, limit: Int = 100) throws -> [Alert] {
        try read { db in
            var request = Alert.order(Column("lastSeen").desc, Column("id").desc).limit(limit)
            if let since { request = request.filter(Column("lastSeen") >= since) }
            if let camera { request = request.filter(Column("cameraID") == camera) }
            return try request.fetchAll(db)
        }
    }

    public func alert(id: Int64) throws -> Alert? {
        try read { db in try Alert.fetchOne(db, key: id) }
    }

    /// A number that changes whenever a watchlist changes (every change appends
    /// to the audit log), so a running daemon can reload without a restart.
    public func watchlistGeneration() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM auditLog") ?? 0 }
    }
}
