import Foundation
import GRDB
import VigilCore

struct WatchlistRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "watchlist"
    var id: Int64?
    var name: String
    var kind: String
    var threshold: Double
    var createdAt: Date
    /// Plate watchlists (v5-plates): `deny` or `allow`, edits tolerated, plate region.
    var mode: String = "deny"
    var maxEdits: Int = 1
    var region: String = "any"

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct PlateEntryRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "plateEntry"
    var id: Int64?
    var watchlistId: Int64
    var plate: String
    var label: String?
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct SubjectRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "subject"
    var id: Int64?
    var watchlistId: Int64
    var externalID: String
    var displayName: String
    var notes: String?
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct EnrolmentRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "enrolment"
    var id: Int64?
    var subjectId: Int64
    var imageSHA256: String
    var sourcePath: String
    var encoding: Data
    var boxX: Int
    var boxY: Int
    var boxWidth: Int
    var boxHeight: Int
    var detector: String
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct AuditRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "auditLog"
    var id: Int64?
    var at: Date
    var actor: String
    var action: String
    var watchlist: String?
    var subject: String?
    var detail: String?
}

/// Encodings are stored as 128 little-endian Float32 (512 bytes).
enum EncodingBlob {
    static func data(_ encoding: FaceEncoding) -> Data {
        var data = Data(capacity: 512)
        for value in encoding.values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    static func encoding(_ data: Data) -> FaceEncoding? {
        guard data.count == FaceEncoding.dimensions * 4 else { return nil }
        let values = stride(from: 0, to: data.count, by: 4).map { offset -> Float in
            let bits = data[data.startIndex + offset..<data.startIndex + offset + 4]
                .enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return Float(bitPattern: bits)
        }
        return FaceEncoding(values)
    }
}
