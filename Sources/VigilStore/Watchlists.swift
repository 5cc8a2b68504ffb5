import Foundation
import VigilCore

/// A watchlist as listed to operators.
public struct WatchlistSummary: Sendable, Codable, Equatable {
    public var name: String
    /// `face` or `plate`.
    public var kind: String
    /// Face watchlists: the distance a match must be within.
    public var threshold: Double
    public var subjects: Int
    public var enrolments: Int
    public var createdAt: Date
    /// Plate watchlists: `deny` (alert) or `allow` (never alert), edits tolerated, region, entries.
    public var mode: String?
    public var maxEdits: Int?
    public var region: String?
    public var plates: Int?
}

public struct SubjectSummary: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var notes: String?
    public var enrolments: [EnrolmentSummary]
}

public struct EnrolmentSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var sha256: String
    public var sourcePath: String
    public var box: BoundingBox
    public var detector: String
    public var createdAt: Date
}

public struct WatchlistDetail: Sendable, Codable, Equatable {
    public var watchlist: WatchlistSummary
    public var subjects: [SubjectSummary]
    /// Plate watchlists' entries (empty for face watchlists).
    public var plates: [PlateEntrySummary] = []
}

/// Who is being enrolled.
public struct SubjectInput: Sendable, Equatable {
    public var id: String
    public var displayName: String?
    public var notes: String?

    public init(id: String, displayName: String? = nil, notes: String? = nil) {
        self.id = id
        self.displayName = displayName
        self.notes = notes
    }
}

/// One enrolment image, already checked (exactly one face) and encoded.
public struct NewEnrolment: Sendable, Equatable {
    public var sha256: String
    public var sourcePath: String
    public var encoding: FaceEncoding
    public var box: BoundingBox
    public var detector: String

    public init(sha256: String, sourcePath: String, encoding: FaceEncoding, box: BoundingBox, detector: String) {
        self.sha256 = sha256
        self.sourcePath = sourcePath
        self.encoding = encoding
        self.box = box
        self.detector = detector
    }
}

public struct EnrolOutcome: Sendable, Equatable {
    public var subjectCreated: Bool
    /// Source paths stored now.
    public var added: [String]
    /// Source paths whose image (same SHA-256) this subject already had.
    public var alreadyEnrolled: [String]
}

extension EnrolmentSummary {
    init(_ record: EnrolmentRecord) {
        self.init(id: record.id ?? 0, sha256: record.imageSHA256, sourcePath: record.sourcePath,
                  box: BoundingBox(x: record.boxX, y: record.boxY, width: record.boxWidth, height: record.boxHeight),
                  detector: record.detector, createdAt: record.createdAt)
    }
}
