/// One plate on a plate watchlist, as the matcher sees it.
public struct PlateEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var watchlist: String
    /// `deny` (alert) or `allow` (never alert).
    public var mode: PlateListMode
    /// Normalised plate, or a pattern with `?` (one character) and `*` (any run).
    public var plate: String
    public var label: String?
    /// Edits (insertions, deletions, substitutions) a read may differ by.
    public var maxEdits: Int

    public init(id: Int64, watchlist: String, mode: PlateListMode, plate: String, label: String?, maxEdits: Int) {
        self.id = id
        self.watchlist = watchlist
        self.mode = mode
        self.plate = plate
        self.label = label
        self.maxEdits = maxEdits
    }
}

public enum PlateListMode: String, Sendable, Codable, CaseIterable {
    /// A read that matches raises an alert.
    case deny
    /// A read that matches never alerts, even when it also matches a deny-list.
    case allow
}

/// The outcome of matching one read: the entry, how far the read was from it,
/// and the tolerance it was judged against.
public struct PlateMatch: Sendable, Equatable {
    public var entry: PlateEntry
    public var distance: Int

    /// True when this match should raise an alert (a deny entry, no allow entry matched).
    public var alerts: Bool { entry.mode == .deny }
}

/// Matches reads against plate watchlist entries with a bounded edit distance.
///
/// Linear over the entries: an edit distance on 7 characters costs well under
/// a microsecond, so 100,000 entries stay below OCR's time per frame.
public struct PlateMatcher: Sendable {
    public let entries: [PlateEntry]

    public init(_ entries: [PlateEntry]) {
        self.entries = entries
    }

    /// The closest matching entry. An allow-list match wins over any deny match
    /// (the plate is known and permitted), then the smallest distance.
    public func match(_ text: String) -> PlateMatch? {
        var best: PlateMatch?
        for entry in entries {
            let limit = entry.maxEdits
            let distance = PlateText.isWildcard(entry.plate)
                ? Self.patternDistance(entry.plate, text, limit: limit)
                : Self.editDistance(entry.plate, text, limit: limit)
            guard distance <= limit else { continue }
            let candidate = PlateMatch(entry: entry, distance: distance)
            if let current = best {
                let better = (candidate.entry.mode == .allow && current.entry.mode == .deny)
                    || (candidate.entry.mode == current.entry.mode && distance < current.distance)
                if better { best = candidate }
            } else {
                best = candidate
            }
        }
        return best
    }

    /// Levenshtein distance, stopping early once every path exceeds `limit` (returns limit + 1).
    public static func editDistance(_ a: String, _ b: String, limit: Int = PlateText.maxLength * 4) -> Int {
        let a = Array(a), b = Array(b)
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty || b.isEmpty { return min(max(a.count, b.count), limit + 1) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return min(previous[b.count], limit + 1)
    }

    /// Edit distance between a text and the closest string the pattern accepts
    /// (`?` any one character, `*` any run, others literal).
    public static func patternDistance(_ pattern: String, _ text: String, limit: Int = PlateText.maxLength * 4) -> Int {
        let p = Array(pattern), t = Array(text)
        // d[i][j]: pattern prefix i against text prefix j.
        var d = [[Int]](repeating: [Int](repeating: Int.max / 2, count: t.count + 1), count: p.count + 1)
        d[0][0] = 0
        for j in 0...t.count { d[0][j] = j }
        for i in stride(from: 1, through: p.count, by: 1) {
            for j in 0...t.count {
                if p[i - 1] == "*" {
                    d[i][j] = d[i - 1][j]
                    if j > 0 { d[i][j] = min(d[i][j], d[i][j - 1]) }
                    continue
                }
                d[i][j] = d[i - 1][j] + 1
                if j > 0 {
                    let same = p[i - 1] == "?" || p[i - 1] == t[j - 1]
                    d[i][j] = min(d[i][j], d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1))
                }
            }
        }
        return min(d[p.count][t.count], limit + 1)
    }
}
