/// Names of watchlists and subject ids: safe in file names, URLs and logs.
enum Validation {
    static func name(_ value: String, kind: String) throws {
        let allowed = value.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45 || c == 46
        }
        guard (1...64).contains(value.utf8.count), allowed, let first = value.unicodeScalars.first,
              first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            throw StoreError.invalidName(kind: kind, value: value)
        }
    }

    /// Free text (display names, notes): bounded, and no control characters that could forge
    /// log lines or hide text on the page (line breaks and tabs are fine).
    static func text(_ value: String?, field: String, limit: Int) throws {
        guard let value else { return }
        let clean = value.unicodeScalars.allSatisfy { $0 == "\n" || $0 == "\t" || $0.properties.generalCategory != .control }
        guard value.count <= limit, clean else { throw StoreError.invalidText(field: field, limit: limit) }
    }

    static let displayNameLimit = 200
    static let notesLimit = 2000

    static func subject(_ subject: SubjectInput) throws {
        try name(subject.id, kind: "subject id")
        try text(subject.displayName, field: "display name", limit: displayNameLimit)
        try text(subject.notes, field: "notes", limit: notesLimit)
    }

    static func threshold(_ value: Double) throws {
        guard value.isFinite, value > 0, value < 2 else { throw StoreError.invalidThreshold(value) }
    }
}
