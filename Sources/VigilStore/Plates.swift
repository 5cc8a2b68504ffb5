import Foundation
import VigilCore
import VigilPlates

/// One plate entry as listed to operators.
public struct PlateEntrySummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var plate: String
    public var label: String?
    public var wildcard: Bool
    public var createdAt: Date

    init(_ record: PlateEntryRecord) {
        self.init(id: record.id ?? 0, plate: record.plate, label: record.label,
                  wildcard: PlateText.isWildcard(record.plate), createdAt: record.createdAt)
    }

    public init(id: Int64, plate: String, label: String?, wildcard: Bool, createdAt: Date) {
        self.id = id
        self.plate = plate
        self.label = label
        self.wildcard = wildcard
        self.createdAt = createdAt
    }
}

public struct PlateImportOutcome: Sendable, Equatable {
    public var added: [String]
    public var updated: [String]
    public var unchanged: [String]
}

/// A plate match on a camera, with its evidence.
public struct PlateMatchEvidence: Sendable, Equatable {
    public var cameraID: String
    public var match: PlateMatch
    /// The read that matched (after repair and vote).
    public var text: String
    public var confidence: Double
    public var box: BoundingBox
    public var seenAt: Date
    public var snapshotPath: String?
    public var cropPath: String?

    public init(cameraID: String, match: PlateMatch, text: String, confidence: Double, box: BoundingBox, seenAt: Date,
                snapshotPath: String? = nil, cropPath: String? = nil) {
        self.cameraID = cameraID
        self.match = match
        self.text = text
        self.confidence = confidence
        self.box = box
        self.seenAt = seenAt
        self.snapshotPath = snapshotPath
        self.cropPath = cropPath
    }
}

extension Alert {
    /// The alert a plate match would create (see `sighting(_: FaceMatchEvidence)`).
    public static func sighting(_ evidence: PlateMatchEvidence) -> Alert {
        let entry = evidence.match.entry
        let distance = Double(evidence.match.distance)
        return Alert(
            id: nil, kind: "plate", cameraID: evidence.cameraID, watchlist: entry.watchlist, subjectID: entry.plate,
            subjectName: entry.label ?? entry.plate, enrolmentID: entry.id, enrolmentImage: "",
            distance: distance, bestDistance: distance, threshold: Double(entry.maxEdits),
            sharpness: evidence.confidence, trackID: 0, box: evidence.box.array.map(String.init).joined(separator: ","),
            firstSeen: evidence.seenAt, lastSeen: evidence.seenAt, count: 1,
            snapshotPath: evidence.snapshotPath, cropPath: evidence.cropPath,
            plateText: evidence.text, plateConfidence: evidence.confidence)
    }
}
