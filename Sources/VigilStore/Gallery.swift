import GRDB
import VigilCore

extension VigilDatabase {
    /// Every face enrolment of the named watchlists (all face watchlists when nil).
    /// Throws `watchlistNotFound` for a name that does not exist, rather than matching nothing silently.
    public func faceEnrolments(watchlists names: [String]? = nil) throws -> [EnrolledFace] {
        try read { db in
            if let names {
                for name in names where try WatchlistRecord.filter(Column("name") == name).fetchCount(db) == 0 {
                    throw StoreError.watchlistNotFound(name)
                }
            }
            var sql = """
                SELECT enrolment.id, subject.externalID, subject.displayName, watchlist.name, watchlist.threshold,
                       enrolment.sourcePath, enrolment.encoding
                FROM enrolment
                JOIN subject ON subject.id = enrolment.subjectId
                JOIN watchlist ON watchlist.id = subject.watchlistId
                WHERE watchlist.kind = 'face'
                """
            var arguments: StatementArguments = []
            if let names {
                sql += " AND watchlist.name IN (\(names.map { _ in "?" }.joined(separator: ",")))"
                arguments = StatementArguments(names)
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY enrolment.id", arguments: arguments).compactMap { row in
                guard let encoding = EncodingBlob.encoding(row[6]) else { return nil }
                return EnrolledFace(enrolmentID: row[0], subjectID: row[1], subjectName: row[2], watchlist: row[3],
                                       threshold: row[4], sourcePath: row[5], encoding: encoding)
            }
        }
    }
}
