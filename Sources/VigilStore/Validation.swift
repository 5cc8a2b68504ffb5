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

    static func threshold(_ value: Double) throws {
        guard value.isFinite, value > 0, value < 2 else { throw StoreError.invalidThreshold(value) }
    }
}
