import Foundation
import Hummingbird
import VigilConfig
import VigilCore
import VigilStore

/// What the API returns: the stored records, plus links a page can load, minus secrets.
struct AlertView: Codable, Sendable {
    var id: Int64
    var kind: String
    var camera: String
    var watchlist: String
    var subjectId: String
    var subjectName: String
    var enrolmentId: Int64
    var enrolmentImage: String
    var enrolmentImageUrl: String
    var distance: Double
    var bestDistance: Double
    var threshold: Double
    var sharpness: Double
    var track: Int
    var box: [Int]
    var firstSeen: Date
    var lastSeen: Date
    var count: Int
    var snapshotUrl: String?
    var cropUrl: String?
    var acknowledgedAt: Date?
    var acknowledgedBy: String?
    var verdict: String?
    var verdictComment: String?
    var verdictBy: String?
    var verdictAt: Date?
    /// Plate alerts: the read that matched and its OCR confidence.
    var plateText: String?
    var plateConfidence: Double?
    /// Behaviour alerts: the rule, where, and the facts behind it.
    var rule: String?
    var zone: String?
    var line: String?
    var dwellSeconds: Double?
    var direction: String?
    var peopleCount: Int?

    init(_ a: Alert) {
        let id = a.id ?? 0
        self.id = id
        kind = a.kind
        camera = a.cameraID
        watchlist = a.watchlist
        subjectId = a.subjectID
        subjectName = a.subjectName
        enrolmentId = a.enrolmentID
        enrolmentImage = a.enrolmentImage
        // Plate and behaviour alerts match no enrolment photo.
        enrolmentImageUrl = a.kind == "face" ? "/v1/enrolments/\(a.enrolmentID)/image" : ""
        plateText = a.plateText
        plateConfidence = a.plateConfidence
        distance = a.distance
        bestDistance = a.bestDistance
        threshold = a.threshold
        sharpness = a.sharpness
        track = a.trackID
        box = a.box.split(separator: ",").compactMap { Int($0) }
        firstSeen = a.firstSeen
        lastSeen = a.lastSeen
        count = a.count
        snapshotUrl = a.snapshotPath == nil ? nil : "/v1/alerts/\(id)/snapshot"
        cropUrl = a.cropPath == nil ? nil : "/v1/alerts/\(id)/crop"
        acknowledgedAt = a.acknowledgedAt
        acknowledgedBy = a.acknowledgedBy
        verdict = a.verdict
        verdictComment = a.verdictComment
        verdictBy = a.verdictBy
        verdictAt = a.verdictAt
        rule = a.rule
        zone = a.zone
        line = a.line
        dwellSeconds = a.dwellSeconds
        direction = a.direction
        peopleCount = a.peopleCount
    }
}

struct AlertPage: Codable, Sendable {
    var alerts: [AlertView]
    /// Pass as `before` for the next (older) page; null on the last page.
    var nextBefore: Int64?

    enum CodingKeys: String, CodingKey { case alerts, nextBefore }

    /// `next_before` is always present (null on the last page), so clients need not test for the key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alerts, forKey: .alerts)
        try container.encode(nextBefore, forKey: .nextBefore)
    }
}

struct CameraView: Codable, Sendable {
    var id: String
    var name: String
    var source: String
    var enabled: Bool
    var detect: [String]
    var watchlists: [String]
    var analyseFps: Double
    var state: String
    var lastError: String?
    var framesDecoded: Int
    var framesAnalysed: Int
    var framesDropped: Int
    var motionSkipped: Int
    var reconnects: Int
    var updatedAt: Date?
    var fpsDecoded: Double?
    var fpsAnalysed: Double?
    var previewUrl: String
    /// The node running it, in an installation of several nodes (nil: one node, or no holder now).
    var node: String?
    /// Behaviour zones and lines, in the camera's pixels (the page draws them over the preview).
    var zones: [ZoneView]
    var lines: [LineView]

    struct ZoneView: Codable, Sendable {
        var name: String
        var points: [[Double]]
        /// The rules over this zone (intrusion, loitering, crowd, left_object).
        var rules: [String]
    }

    struct LineView: Codable, Sendable {
        var name: String
        var from: [Double]
        var to: [Double]
        var forbidden: String?
    }

    init(_ config: CameraConfig, status: CameraStatusRow?, rates: (decoded: Double, analysed: Double)? = nil) {
        fpsDecoded = rates.map { ($0.decoded * 100).rounded() / 100 }
        fpsAnalysed = rates.map { ($0.analysed * 100).rounded() / 100 }
        id = config.id
        name = config.name
        source = Redaction.url(config.url)
        enabled = config.enabled
        detect = config.detect.map(\.rawValue)
        watchlists = config.watchlists
        analyseFps = config.analyseFPS
        state = config.enabled ? (status?.state ?? "starting") : "disabled"
        lastError = status?.lastError.map(Redaction.text)
        framesDecoded = status?.framesDecoded ?? 0
        framesAnalysed = status?.framesAnalysed ?? 0
        framesDropped = status?.framesDropped ?? 0
        motionSkipped = status?.motionSkipped ?? 0
        reconnects = status?.reconnects ?? 0
        updatedAt = status?.updatedAt
        previewUrl = "/v1/cameras/\(config.id)/preview.mjpeg"
        let behaviour = config.behaviour
        zones = (behaviour?.zones ?? []).map { zone in
            ZoneView(name: zone.name, points: zone.points.map { [$0.x, $0.y] },
                     rules: (behaviour?.rules ?? []).filter { $0.zone == zone.name }.map(\.kind.rawValue))
        }
        lines = (behaviour?.lines ?? []).map { LineView(name: $0.name, from: [$0.from.x, $0.from.y], to: [$0.to.x, $0.to.y],
                                                        forbidden: $0.forbidden?.rawValue) }
    }

}

struct TokenView: Codable, Sendable {
    var name: String
    var role: String
    var prefix: String
    var createdAt: Date
    var createdBy: String
    var lastUsedAt: Date?
    var revoked: Bool
    /// Only in the answer to a create: shown once, never stored.
    var token: String?

    init(_ t: APIToken, secret: String? = nil) {
        name = t.name
        role = t.role.rawValue
        prefix = t.prefix
        createdAt = t.createdAt
        createdBy = t.createdBy
        lastUsedAt = t.lastUsedAt
        revoked = t.revokedAt != nil
        token = secret
    }
}

struct HookView: Codable, Sendable {
    var name: String
    var type: String
    /// Admins only (null for other roles), redacted.
    var destination: String?
    var watchlists: [String]
    var cameras: [String]
    var kinds: [String]
    var events: [String]
    var timeout: Double
    var pending: Int
    var delivered: Int
    var dead: Int
    var latencyP50Ms: Double?
    var latencyP99Ms: Double?
}

struct DeliveryView: Codable, Sendable {
    var id: Int64
    var vigilId: String
    var hook: String
    var type: String
    var alertId: Int64?
    var state: String
    var attempts: Int
    var createdAt: Date
    var nextAttemptAt: Date?
    var deliveredAt: Date?
    var lastStatus: Int?
    var lastError: String?
    var lastResponse: String?

    init(_ d: Delivery) {
        id = d.id ?? 0
        vigilId = d.eventID
        hook = d.hook
        type = d.type
        alertId = d.alertID
        state = d.state.rawValue
        attempts = d.attempts
        createdAt = d.createdAt
        nextAttemptAt = d.state == .pending ? d.nextAttemptAt : nil
        deliveredAt = d.deliveredAt
        lastStatus = d.lastStatus
        lastError = d.lastError
        lastResponse = d.lastResponse
    }
}

struct Message: Codable, Sendable {
    var status: String
    var detail: String?
}

extension AlertView: ResponseEncodable {}
extension AlertPage: ResponseEncodable {}
extension CameraView: ResponseEncodable {}
extension TokenView: ResponseEncodable {}
extension HookView: ResponseEncodable {}
extension DeliveryView: ResponseEncodable {}
extension Message: ResponseEncodable {}
extension Routes.EnrolView: ResponseEncodable {}
extension WatchlistSummary: ResponseGenerator {}
extension WatchlistSummary: ResponseEncodable {}
extension WatchlistDetail: ResponseGenerator {}
extension WatchlistDetail: ResponseEncodable {}
extension PlateEntrySummary: ResponseGenerator {}
extension PlateEntrySummary: ResponseEncodable {}
extension AuditEntry: ResponseGenerator {}
extension AuditEntry: ResponseEncodable {}
