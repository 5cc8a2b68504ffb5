import VigilCore

/// Errors of the storage module, each naming the database, watchlist or subject.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case locked(path: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case watchlistExists(String)
    case watchlistNotFound(String)
    case subjectNotFound(watchlist: String, subject: String)
    case invalidName(kind: String, value: String)
    case invalidThreshold(Double)
    case database(path: String, reason: String)
    case deliveryNotFound(Int64)
    case alertNotFound(Int64)
    case invalidComment
    /// A free-text field too long or holding control characters.
    case invalidText(field: String, limit: Int)
    case tokenExists(String)
    case tokenNotFound(String)
    case wrongKind(watchlist: String, kind: String, operation: String)
    case invalidPlate(String)
    case invalidPlateRow(source: String, line: Int, reason: String)
    case plateNotFound(watchlist: String, plate: String)
    case invalidMaxEdits(Int)
    case incidentExists(source: String, id: String)
    case incidentNotFound(source: String, id: String)
    case modelNotFound(Int64)
    case stageChange(model: Int64, reason: String)
    case caseNotFound(Int64)
    /// A case field out of range: which field and what is allowed.
    case invalidCase(field: String, reason: String)
    case attachmentTooLarge(path: String, size: Int, limit: Int)
    case attachmentUnreadable(path: String, reason: String)
    case incidentIDNotFound(Int64)
    /// A feature whose data only the SQLite database holds in this version, asked of a daemon on PostgreSQL.

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open database (\(reason))"
        case .locked(let path):
            return "\(path): database is locked by another process; retry when it has finished"
        case .newerSchema(let path, let unknown):
            return "\(path): database was written by a newer Vigil (unknown migrations: \(unknown.joined(separator: ", "))); upgrade vigil"
        case .watchlistExists(let name):
            return "watchlist '\(name)' already exists"
        case .watchlistNotFound(let name):
            return "watchlist '\(name)' does not exist"
        case .subjectNotFound(let watchlist, let subject):
            return "subject '\(subject)' is not in watchlist '\(watchlist)'"
        case .invalidName(let kind, let value):
            return "invalid \(kind) '\(value)': use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"
        case .incidentExists(let source, let id):
            return "incident \(source)/\(id) is already stored"
        case .incidentNotFound(let source, let id):
            return "incident \(source)/\(id) does not exist"
        case .modelNotFound(let id):
            return "crime model \(id) does not exist (see `vigil crime models`)"
        case .stageChange(let model, let reason):
            return "crime model \(model): \(reason)"
        case .caseNotFound(let id):
            return "case \(id) does not exist"
        case .invalidCase(let field, let reason):
            return "case \(field): \(reason)"
        case .attachmentTooLarge(let path, let size, let limit):
            return "\(path): attachment is \(size) bytes, over the limit of \(limit) bytes"
        case .attachmentUnreadable(let path, let reason):
            return "\(path): cannot read the attachment (\(reason))"
        case .incidentIDNotFound(let id):
            return "incident \(id) does not exist"
        case .invalidThreshold(let value):
            return "invalid threshold \(value): must be greater than 0 and less than 2 (default 0.6; lower is stricter)"
        case .database(let path, let reason):
            return "\(path): \(reason)"
        case .alertNotFound(let id):
            return "alert \(id) does not exist"
        case .invalidComment:
            return "comment is longer than 2000 characters"
        case .invalidText(let field, let limit):
            return "\(field): at most \(limit) characters, without control characters other than line breaks and tabs"
        case .tokenExists(let name):
            return "token '\(name)' already exists"
        case .tokenNotFound(let name):
            return "token '\(name)' does not exist"
        case .wrongKind(let watchlist, let kind, let operation):
            return "watchlist '\(watchlist)' is a \(kind) watchlist: cannot \(operation)"
        case .invalidPlate(let reason):
            return reason
        case .invalidPlateRow(let source, let line, let reason):
            return "\(source):\(line): \(reason); nothing was imported"
        case .plateNotFound(let watchlist, let plate):
            return "plate '\(plate)' is not on watchlist '\(watchlist)'"
        case .invalidMaxEdits(let value):
            return "invalid max edits \(value): must be 0-3 (default 1)"
        case .deliveryNotFound(let id):
            return "delivery \(id) does not exist (see `vigil hooks deliveries`)"
        }
    }
}
