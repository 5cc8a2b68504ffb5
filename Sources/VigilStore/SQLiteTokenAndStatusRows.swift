import Foundation
import GRDB

/// Tokens and camera status in SQLite (migrations v2, v4, v7, v9, v10).
extension SQLiteRows {
    func token(named name: String) throws -> APIToken? { try APIToken.filter(Column("name") == name).fetchOne(db) }
    func tokens() throws -> [APIToken] { try APIToken.order(Column("name")).fetchAll(db) }
    func insert(_ token: inout APIToken) throws { try token.insert(db) }

    func setRevoked(_ date: Date, token id: Int64) throws {
        try db.execute(sql: "UPDATE apiToken SET revokedAt = ? WHERE id = ?", arguments: [date, id])
    }

    func liveToken(sha256: String) throws -> APIToken? {
        try APIToken.filter(Column("tokenSHA256") == sha256 && Column("revokedAt") == nil).fetchOne(db)
    }

    func tokenIsLive(id: Int64) throws -> Bool {
        try APIToken.filter(Column("id") == id && Column("revokedAt") == nil).fetchCount(db) == 1
    }

    func touchToken(id: Int64, at date: Date) throws {
        try db.execute(sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)",
                       arguments: [date, id, date.addingTimeInterval(-60)])
    }

    /// One daemon per file: its report is every camera.
    func replaceCameraStatus(_ rows: [CameraStatusRow]) throws {
        try CameraStatusRow.filter(!rows.map(\.cameraID).contains(Column("cameraID"))).deleteAll(db)
        for row in rows { try row.save(db) }
    }

    func cameraStatus() throws -> [CameraStatusRow] { try CameraStatusRow.order(Column("cameraID")).fetchAll(db) }
}
