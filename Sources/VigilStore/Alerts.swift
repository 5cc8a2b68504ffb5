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
