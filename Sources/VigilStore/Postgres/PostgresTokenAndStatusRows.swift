import Foundation
import PostgresNIO

/// Tokens and camera status in PostgreSQL (migration `store-3-tokens-and-camera-status`).
extension PostgresRows {
    private static let tokenColumns = "id, name, role, tokenSHA256, prefix, createdAt, createdBy, lastUsedAt, revokedAt"

    private func tokenRecords(_ query: PostgresQuery) throws -> [APIToken] {
        try rows(query).map { row in
            let (id, name, role, sha256, prefix, createdAt, createdBy, lastUsedAt, revokedAt) =
                try row.decode((Int64, String, String, String, String, Date, String, Date?, Date?).self)
            guard let role = Role(rawValue: role) else {
                throw StoreError.database(path: "PostgreSQL", reason: "token \(name) has an unknown role \(role)")
            }
            return APIToken(id: id, name: name, role: role, tokenSHA256: sha256, prefix: prefix, createdAt: createdAt,
                            createdBy: createdBy, lastUsedAt: lastUsedAt, revokedAt: revokedAt)
        }
    }

    func token(named name: String) throws -> APIToken? {
        try tokenRecords("SELECT \(unescaped: Self.tokenColumns) FROM apiToken WHERE name = \(name)").first
    }

    func tokens() throws -> [APIToken] {
        try tokenRecords("SELECT \(unescaped: Self.tokenColumns) FROM apiToken ORDER BY name COLLATE \"C\"")
    }

    func insert(_ token: inout APIToken) throws {
        token.id = try id("""
            INSERT INTO apiToken (name, role, tokenSHA256, prefix, createdAt, createdBy, lastUsedAt, revokedAt)
            VALUES (\(token.name), \(token.role.rawValue), \(token.tokenSHA256), \(token.prefix), \(token.createdAt), \(token.createdBy),
                    \(token.lastUsedAt), \(token.revokedAt))
            RETURNING id
            """)
    }

    func setRevoked(_ date: Date, token id: Int64) throws {
        try execute("UPDATE apiToken SET revokedAt = \(date) WHERE id = \(id)")
    }

    func liveToken(sha256: String) throws -> APIToken? {
        try tokenRecords("SELECT \(unescaped: Self.tokenColumns) FROM apiToken WHERE tokenSHA256 = \(sha256) AND revokedAt IS NULL").first
    }

    func tokenIsLive(id: Int64) throws -> Bool {
        try count("SELECT count(*)::int8 FROM apiToken WHERE id = \(id) AND revokedAt IS NULL") == 1
    }

    func touchToken(id: Int64, at date: Date) throws {
        try execute("""
            UPDATE apiToken SET lastUsedAt = \(date) WHERE id = \(id) AND (lastUsedAt IS NULL OR lastUsedAt < \(date.addingTimeInterval(-60)))
            """)
    }

    // MARK: Camera status

    private static let statusColumns = """
        cameraID, state, lastError, framesDecoded, framesAnalysed, framesDropped, motionSkipped, reconnects, updatedAt,
        cpuDecode, cpuMotion, cpuDetect, cpuTrack, cpuEncode, cpuPlates, cpuPeople, handledFPS, detectFPS, overCapacity, detectStretch
        """

    /// This node's report replaces only its own rows: the cameras it no longer runs are removed,
    /// other nodes' stay. A camera that moved here is taken over by this node's row.
    func replaceCameraStatus(_ statuses: [CameraStatusRow]) throws {
        try execute("DELETE FROM cameraStatus WHERE node = \(node) AND NOT (cameraID = ANY(\(statuses.map(\.cameraID))))")
        for s in statuses {
            try execute("""
                INSERT INTO cameraStatus (\(unescaped: Self.statusColumns), node)
                VALUES (\(s.cameraID), \(s.state), \(s.lastError), \(s.framesDecoded), \(s.framesAnalysed), \(s.framesDropped),
                        \(s.motionSkipped), \(s.reconnects), \(s.updatedAt), \(s.cpuDecode), \(s.cpuMotion), \(s.cpuDetect), \(s.cpuTrack),
                        \(s.cpuEncode), \(s.cpuPlates), \(s.cpuPeople), \(s.handledFPS), \(s.detectFPS), \(s.overCapacity),
                        \(s.detectStretch), \(node))
                ON CONFLICT (cameraID) DO UPDATE SET state = excluded.state, lastError = excluded.lastError,
                    framesDecoded = excluded.framesDecoded, framesAnalysed = excluded.framesAnalysed,
                    framesDropped = excluded.framesDropped, motionSkipped = excluded.motionSkipped, reconnects = excluded.reconnects,
                    updatedAt = excluded.updatedAt, cpuDecode = excluded.cpuDecode, cpuMotion = excluded.cpuMotion,
                    cpuDetect = excluded.cpuDetect, cpuTrack = excluded.cpuTrack, cpuEncode = excluded.cpuEncode,
                    cpuPlates = excluded.cpuPlates, cpuPeople = excluded.cpuPeople, handledFPS = excluded.handledFPS,
                    detectFPS = excluded.detectFPS, overCapacity = excluded.overCapacity, detectStretch = excluded.detectStretch,
                    node = excluded.node
                """)
        }
    }

    func cameraStatus() throws -> [CameraStatusRow] {
        try rows("SELECT \(unescaped: Self.statusColumns) FROM cameraStatus ORDER BY cameraID COLLATE \"C\"").map { row in
            var cells = CellReader(row)
            var status = CameraStatusRow(cameraID: try cells.next(), state: try cells.next(), lastError: try cells.next(),
                                         framesDecoded: try cells.next(), framesAnalysed: try cells.next(), framesDropped: try cells.next(),
                                         motionSkipped: try cells.next(), reconnects: try cells.next(), updatedAt: try cells.next())
            status.cpuDecode = try cells.next()
            status.cpuMotion = try cells.next()
            status.cpuDetect = try cells.next()
            status.cpuTrack = try cells.next()
            status.cpuEncode = try cells.next()
            status.cpuPlates = try cells.next()
            status.cpuPeople = try cells.next()
            status.handledFPS = try cells.next()
            status.detectFPS = try cells.next()
            status.overCapacity = try cells.next()
            status.detectStretch = try cells.next()
            return status
        }
    }
}
