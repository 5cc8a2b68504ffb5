import Crypto
import Foundation

/// Limits of a case's journal, the same for every backend.
public enum CaseJournal {
    public static let noteLimit = 20_000
    /// The default largest attachment: 25 MiB.
    public static let attachmentLimit = 25 * 1024 * 1024
    static let genesisHash = String(repeating: "0", count: 64)

    /// What one entry's hash covers: everything about it and the previous hash; the body last,
    /// so its line breaks cannot be confused with the separators.
    static func chainHash(_ e: CaseEntry) -> String {
        let text = ["vigil-case-entry-v1", String(e.caseRecordId), String(e.seq), e.kind.rawValue, e.author, String(e.atMillis),
                    e.fileName ?? "", e.fileSHA256 ?? "", e.fileSize.map(String.init) ?? "", e.previousHash, e.body]
            .joined(separator: "\n")
        return hex(SHA256.hash(data: Data(text.utf8)))
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}

/// A case's journal: notes and attachments, written once and hash-chained.
///
/// Each entry's hash covers the one before it, so changing or removing an entry in the
/// database (where triggers already refuse it) breaks the chain from there on, and
/// `verifyCases` says where. Each entry's hash also goes into the audit log, so rewriting a
/// whole chain means rewriting the audit log too. Attachments are stored once per content,
/// named by their SHA-256 (`CaseStore.storeCaseAttachment`).
extension CaseStore {

    public func addCaseNote(_ id: Int64, text: String, actor: String) throws -> CaseEntry {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StoreError.invalidCase(field: "note", reason: "is empty")
        }
        try Validation.text(text, field: "note", limit: CaseJournal.noteLimit)
        return try append(id, kind: .note, body: text, file: nil, actor: actor)
    }

    /// Attaches the file at `source`: refused before reading when it is over `limit`.
    public func attachToCase(_ id: Int64, file source: String, description: String = "", limit: Int = CaseJournal.attachmentLimit,
                             actor: String) throws -> CaseEntry {
        let attributes = try? FileManager.default.attributesOfItem(atPath: source)
        guard let attributes else { throw StoreError.attachmentUnreadable(path: source, reason: "no such file") }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw StoreError.attachmentUnreadable(path: source, reason: "not a regular file")
        }
        let size = attributes[.size] as? Int ?? 0
        guard size <= limit else { throw StoreError.attachmentTooLarge(path: source, size: size, limit: limit) }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw StoreError.attachmentUnreadable(path: source, reason: "cannot read it")
        }
        return try attachToCase(id, data: data, name: (source as NSString).lastPathComponent, description: description,
                                limit: limit, actor: actor)
    }

    /// Stores `data` (content-addressed, fsync'd before the entry commits, so an entry never names a
    /// missing file) and appends it to the case's journal with its SHA-256.
    public func attachToCase(_ id: Int64, data: Data, name: String, description: String = "", limit: Int = CaseJournal.attachmentLimit,
                             actor: String) throws -> CaseEntry {
        guard data.count <= limit else { throw StoreError.attachmentTooLarge(path: name, size: data.count, limit: limit) }
        guard !name.isEmpty, !name.contains("/") else { throw StoreError.invalidCase(field: "attachment name", reason: "must be a file name") }
        try Validation.text(name, field: "attachment name", limit: 255)
        try Validation.text(description, field: "attachment description", limit: CaseJournal.noteLimit)
        _ = try backend.read { rows in try Self.caseRecord(rows, id) }
        let digest = CaseJournal.hex(SHA256.hash(data: data))
        try storeCaseAttachment(data, sha256: digest)
        return try append(id, kind: .attachment, body: description, file: (name, digest, data.count), actor: actor)
    }

    private func append(_ id: Int64, kind: CaseEntry.Kind, body: String, file: (name: String, sha256: String, size: Int)?,
                        actor: String) throws -> CaseEntry {
        try backend.write(announcing: nil) { rows in
            _ = try Self.caseRecord(rows, id)
            let last = try rows.lastEntry(case: id)
            let now = Date()
            var entry = CaseEntry(id: nil, caseRecordId: id, seq: (last?.seq ?? 0) + 1, kind: kind, author: actor,
                                  atMillis: Int64((now.timeIntervalSince1970 * 1000).rounded()), body: body,
                                  fileName: file?.name, fileSHA256: file?.sha256, fileSize: file?.size,
                                  previousHash: last?.hash ?? CaseJournal.genesisHash, hash: "")
            entry.hash = CaseJournal.chainHash(entry)
            try rows.insert(&entry)
            try rows.touchCase(id: id, at: now)
            var detail: [String: any Sendable] = ["case": id, "seq": entry.seq, "hash": entry.hash]
            if let file { detail["file"] = file.name; detail["sha256"] = file.sha256; detail["size"] = file.size }
            try rows.append(AuditRecord(actor: actor, action: kind == .note ? "case.note" : "case.attach", detail: detail))
            return entry
        }
    }

    /// Checks every case's journal (or one case's): sequence, chain and stored attachments.
    public func verifyCases(_ id: Int64? = nil) throws -> [CaseVerification] {
        let (cases, entries) = try backend.read { rows -> ([Int64], [CaseEntry]) in
            if let id { _ = try Self.caseRecord(rows, id) }
            return (try rows.caseIDs(only: id), try rows.entries(case: id))
        }
        let byCase = Dictionary(grouping: entries, by: \.caseRecordId)
        return try cases.map { caseID in
            var problems: [String] = []
            var previous = CaseJournal.genesisHash
            for (index, entry) in (byCase[caseID] ?? []).enumerated() {
                if entry.seq != index + 1 { problems.append("entry \(index + 1) is missing (found \(entry.seq) next)") }
                if entry.previousHash != previous { problems.append("entry \(entry.seq): does not follow the entry before it") }
                if CaseJournal.chainHash(entry) != entry.hash { problems.append("entry \(entry.seq): its content does not match its hash") }
                if let sha = entry.fileSHA256 {
                    let stored = try caseAttachment(sha256: sha)
                    if stored == nil { problems.append("entry \(entry.seq): attachment \(entry.fileName ?? sha) is missing") }
                    else if CaseJournal.hex(SHA256.hash(data: stored!)) != sha { problems.append("entry \(entry.seq): attachment \(entry.fileName ?? sha) was changed") }
                }
                previous = entry.hash
            }
            return CaseVerification(caseID: caseID, entries: byCase[caseID]?.count ?? 0, problems: problems)
        }
    }
}

/// The outcome of checking one case's journal.
public struct CaseVerification: Sendable, Equatable, Codable {
    public var caseID: Int64
    public var entries: Int
    /// Empty when the journal is intact.
    public var problems: [String]
}
