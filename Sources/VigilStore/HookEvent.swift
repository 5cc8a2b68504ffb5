import Foundation

/// The JSON body a hook receives, version 1. Built when the alert commits and
/// stored with the delivery, so every retry sends the same bytes' content and a
/// receiver sees the alert as it was at that moment. Keys are snake_case and
/// sorted; new fields may be added within a version, none removed or renamed.
public struct HookEvent: Codable, Sendable, Equatable {
    public static let version = 1

    public var version: Int
    /// `alert.created`, `alert.updated` or `test`.
    public var type: String
    /// The delivery's id, also sent as `Vigil-Id`: stable across retries, for idempotency.
    public var id: String
    public var createdAt: String
    public var alert: Payload?
    public var message: String?
    /// For `crime.drift`: which inputs moved away from the model's training data, and how far.
    public var drift: Drift?

    /// Population stability index per feature (training vs recent incidents); above
    /// `threshold` the model is scoring a population it was not trained on.
    public struct Drift: Codable, Sendable, Equatable {
        public var model: Int64
        public var task: String
        public var version: Int
        public var threshold: Double
        public var maxPsi: Double
        public var recentIncidents: Int
        public var drifted: [String: Double]
        public var psi: [String: Double]
    }

    public struct Payload: Codable, Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var camera: String
        public var watchlist: String
        public var subject: Subject?
        public var plate: String?
        public var enrolment: Enrolment?
        /// Face: encoding distance of the evidence sighting; plate: edits between the read and the entry.
        public var distance: Double?
        public var bestDistance: Double?
        /// The watchlist threshold the distance was compared with (plates: the edits tolerated).
        public var threshold: Double
        /// OCR confidence for plates (0...1); null for faces.
        public var confidence: Double?
        public var box: [Int]
        public var firstSeen: String
        public var lastSeen: String
        public var count: Int
        public var snapshot: Snapshot
        /// Behaviour alerts only: which rule fired, where, and the facts behind it.
        public var behaviour: Behaviour? = nil
    }

    public struct Behaviour: Codable, Sendable, Equatable {
        /// intrusion, loitering, crowd or line.
        public var rule: String
        public var zone: String?
        public var line: String?
        public var track: Int
        public var dwellSeconds: Double?
        /// Line crossings: in or out.
        public var direction: String?
        /// Crowds: people in the zone.
        public var people: Int?
        /// The person's foot points, oldest first, as [x, y] pairs in source pixels.
        public var path: [[Int]]
    }

    public struct Subject: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
    }

    public struct Enrolment: Codable, Sendable, Equatable {
        public var id: Int64
        public var image: String
    }

    public struct Snapshot: Codable, Sendable, Equatable {
        public var path: String?
        public var cropPath: String?
        /// The snapshot JPEG, base64, for hooks configured with `include_snapshot: true` (added at send time).
        public var jpegBase64: String?
        /// Why there are no evidence files (full or unwritable snapshots folder, dropped frame); null when present.
        public var missing: String? = nil
    }

    public init(type: String, id: String, createdAt: Date, alert: Payload?, message: String? = nil) {
        version = Self.version
        self.type = type
        self.id = id
        self.createdAt = Self.timestamp(createdAt)
        self.alert = alert
        self.message = message
    }

    public init(type: String, id: String, createdAt: Date, alert: Alert) {
        let box = alert.box.split(separator: ",").compactMap { Int($0) }
        let isPlate = alert.kind == "plate"
        self.init(type: type, id: id, createdAt: createdAt, alert: Payload(
            id: alert.id ?? 0, kind: alert.kind, camera: alert.cameraID, watchlist: alert.watchlist,
            subject: Subject(id: alert.subjectID, name: alert.subjectName), plate: alert.plateText,
            enrolment: isPlate || alert.kind == "behaviour" ? nil : Enrolment(id: alert.enrolmentID, image: alert.enrolmentImage),
            distance: alert.distance, bestDistance: alert.bestDistance, threshold: alert.threshold,
            confidence: alert.plateConfidence,
            box: box, firstSeen: Self.timestamp(alert.firstSeen), lastSeen: Self.timestamp(alert.lastSeen),
            count: alert.count, snapshot: Snapshot(path: alert.snapshotPath, cropPath: alert.cropPath, jpegBase64: nil,
                                                   missing: alert.evidenceMissing),
            behaviour: alert.rule.map { rule in
                Behaviour(rule: rule, zone: alert.zone, line: alert.line, track: alert.trackID, dwellSeconds: alert.dwellSeconds,
                          direction: alert.direction, people: alert.peopleCount,
                          path: (alert.path ?? "").split(separator: ";").map { $0.split(separator: ",").compactMap { Int($0) } })
            }))
    }

    public func json() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> HookEvent {
        try decoder.decode(HookEvent.self, from: Data(json.utf8))
    }

    /// RFC 3339 with milliseconds, UTC.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}
