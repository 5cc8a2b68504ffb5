import Foundation
import VigilCore

/// What a behaviour rule saw, as the daemon reports it.
public struct BehaviourEvidence: Sendable, Equatable {
    public var cameraID: String
    /// intrusion, loitering, crowd, line or left_object.
    public var rule: String
    public var zone: String?
    public var line: String?
    public var trackID: Int
    public var box: BoundingBox
    /// The detector's SVM margin for the person: which sighting's evidence an alert keeps.
    public var score: Double
    public var dwellSeconds: Double?
    /// The rule's own threshold: loitering seconds, crowd count (0 for intrusion and lines).
    public var threshold: Double
    public var direction: CrossingDirection?
    public var peopleCount: Int?
    public var path: [Point]
    public var seenAt: Date
    public var snapshotPath: String?
    public var cropPath: String?

    public init(cameraID: String, rule: String, zone: String?, line: String?, trackID: Int, box: BoundingBox, score: Double,
                dwellSeconds: Double?, threshold: Double, direction: CrossingDirection?, peopleCount: Int?, path: [Point], seenAt: Date) {
        self.cameraID = cameraID
        self.rule = rule
        self.zone = zone
        self.line = line
        self.trackID = trackID
        self.box = box
        self.score = score
        self.dwellSeconds = dwellSeconds
        self.threshold = threshold
        self.direction = direction
        self.peopleCount = peopleCount
        self.path = path
        self.seenAt = seenAt
    }

    /// "loitering in lobby for 32 s", "crossed door out": what an operator reads.
    public var summary: String {
        switch rule {
        case "loitering": return "loitering in \(zone ?? "?") for \(Int((dwellSeconds ?? 0).rounded())) s"
        case "crowd": return "\(peopleCount ?? 0) people in \(zone ?? "?")"
        case "line": return "crossed \(line ?? "?") \(direction?.rawValue ?? "")"
        case "left_object": return "object left in \(zone ?? "?") for \(Int((dwellSeconds ?? 0).rounded())) s"
        default: return "entered \(zone ?? "?")"
        }
    }
}

extension Alert {
    /// A behaviour alert: deduplicated like the others, per camera, rule (`watchlist`) and zone or
    /// line (`subjectID`), so one loiterer, or a stream of intruders within the cooldown, is one
    /// alert whose count grows.
    public static func sighting(_ e: BehaviourEvidence) -> Alert {
        let place = e.zone ?? e.line ?? "frame"
        var alert = Alert(
            id: nil, kind: "behaviour", cameraID: e.cameraID, watchlist: e.rule, subjectID: place, subjectName: e.summary,
            enrolmentID: 0, enrolmentImage: "", distance: e.dwellSeconds ?? Double(e.peopleCount ?? 0),
            bestDistance: e.dwellSeconds ?? Double(e.peopleCount ?? 0), threshold: e.threshold, sharpness: e.score, trackID: e.trackID,
            box: e.box.array.map(String.init).joined(separator: ","), firstSeen: e.seenAt, lastSeen: e.seenAt, count: 1,
            snapshotPath: e.snapshotPath, cropPath: e.cropPath)
        alert.rule = e.rule
        alert.zone = e.zone
        alert.line = e.line
        alert.dwellSeconds = e.dwellSeconds
        alert.direction = e.direction?.rawValue
        alert.peopleCount = e.peopleCount
        alert.path = e.path.map { "\(Int($0.x)),\(Int($0.y))" }.joined(separator: ";")
        return alert
    }
}
