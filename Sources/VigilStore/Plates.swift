import Foundation
import GRDB
import VigilCore
import VigilPlates

/// One plate entry as listed to operators.
public struct PlateEntrySummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var plate: String
    public var label: String?
    public var wildcard: Bool
    public var createdAt: Date

    init(_ record: PlateEntryRecord) {
        self.init(id: record.id ?? 0, plate: record.plate, label: record.label,
                  wildcard: PlateText.isWildcard(record.plate), createdAt: record.createdAt)
    }

    public init(id: Int64, plate: String, label: String?, wildcard: Bool, createdAt: Date) {
        self.id = id
        self.plate = plate
        self.label = label
        self.wildcard = wildcard
        self.createdAt = createdAt
    }
}

public struct PlateImportOutcome: Sendable, Equatable {
    public var added: [String]
    public var updated: [String]
    public var unchanged: [String]
}

/// A plate match on a camera, with its evidence.
public struct PlateMatchEvidence: Sendable, Equatable {
    public var cameraID: String
    public var match: PlateMatch
    /// The read that matched (after repair and vote).
    public var text: String
    public var confidence: Double
    public var box: BoundingBox
    public var seenAt: Date
    public var snapshotPath: String?
    public var cropPath: String?

    public init(cameraID: String, match: PlateMatch, text: String, confidence: Double, box: BoundingBox, seenAt: Date,
                snapshotPath: String? = nil, cropPath: String? = nil) {
        self.cameraID = cameraID
        self.match = match
        self.text = text
        self.confidence = confidence
        self.box = box
        self.seenAt = seenAt
        self.snapshotPath = snapshotPath
        self.cropPath = cropPath
    }
}

extension VigilDatabase {
    // MARK: Intents

    public func createPlateWatchlist(name: String, mode: PlateListMode = .deny, maxEdits: Int = 1, region: String = "any",
                                     actor: String) throws -> WatchlistSummary {
        try Validation.name(name, kind: "watchlist name")
        guard (0...3).contains(maxEdits) else { throw StoreError.invalidMaxEdits(maxEdits) }
        let plateRegion: PlateRegion
        do { plateRegion = try PlateRegion.named(region) } catch { throw StoreError.invalidPlate("\(error)") }
        return try write { db in
            if try WatchlistRecord.filter(Column("name") == name).fetchCount(db) > 0 { throw StoreError.watchlistExists(name) }
            var record = WatchlistRecord(id: nil, name: name, kind: "plate", threshold: 1, createdAt: Date(),
                                         mode: mode.rawValue, maxEdits: maxEdits, region: plateRegion.name)
            try record.insert(db)
            try Audit.append(db, actor: actor, action: "watchlist.create", watchlist: name,
                             detail: ["kind": "plate", "mode": mode.rawValue, "max_edits": maxEdits, "region": plateRegion.name])
            return try summary(db, record)
        }
    }

    /// Adds a plate (or updates its label). Returns the entry and whether it is new.
    @discardableResult
    public func addPlate(watchlist: String, plate: String, label: String?, actor: String) throws
        -> (entry: PlateEntrySummary, created: Bool) {
        try write { db in
            let list = try plateList(db, watchlist, operation: "add plates")
            let text = try Self.normalisedPlate(plate, list: list)
            let outcome = try upsert(db, list: list, plate: text, label: try Self.cleanLabel(label), actor: actor, via: nil)
            let record = try PlateEntryRecord.filter(Column("watchlistId") == list.id && Column("plate") == text).fetchOne(db)!
            return (PlateEntrySummary(record), outcome == .added)
        }
    }

    /// Imports rows in one transaction. Every row is checked first: an invalid
    /// one throws naming `source:line`, and nothing is stored.
    public func importPlates(watchlist: String, rows: [PlateRow], source: String, actor: String) throws -> PlateImportOutcome {
        try write { db in
            let list = try plateList(db, watchlist, operation: "import plates")
            let region = try Self.region(of: list)
            var checked: [(String, String?)] = [], seen: [String: Int] = [:]
            for row in rows {
                let text: String
                do { text = try PlateText.entry(row.plate, region: region) } catch {
                    throw StoreError.invalidPlateRow(source: source, line: row.line, reason: "\(error)")
                }
                if let first = seen[text] {
                    throw StoreError.invalidPlateRow(source: source, line: row.line,
                                                     reason: "plate '\(text)' is already on line \(first)")
                }
                seen[text] = row.line
                do { checked.append((text, try Self.cleanLabel(row.label))) } catch {
                    throw StoreError.invalidPlateRow(source: source, line: row.line, reason: "\(error)")
                }
            }
            var outcome = PlateImportOutcome(added: [], updated: [], unchanged: [])
            for (text, label) in checked {
                switch try upsert(db, list: list, plate: text, label: label, actor: actor, via: source) {
                case .added: outcome.added.append(text)
                case .updated: outcome.updated.append(text)
                case .unchanged: outcome.unchanged.append(text)
                }
            }
            return outcome
        }
    }

    public func removePlate(watchlist: String, plate: String, actor: String) throws {
        try write { db in
            let list = try plateList(db, watchlist, operation: "remove plates")
            let text = PlateText.normalised(plate)
            guard let record = try PlateEntryRecord.filter(Column("watchlistId") == list.id && Column("plate") == text).fetchOne(db) else {
                throw StoreError.plateNotFound(watchlist: watchlist, plate: plate)
            }
            try PlateEntryRecord.deleteOne(db, key: record.id)
            try Audit.append(db, actor: actor, action: "plate.remove", watchlist: watchlist, subject: text,
                             detail: record.label.map { ["label": $0] } ?? [:])
        }
    }

    // MARK: Queries

    /// Entries of the named plate watchlists (all plate watchlists when nil), for the matcher.
    public func plateEntries(watchlists names: [String]? = nil) throws -> [PlateEntry] {
        try read { db in
            var sql = """
                SELECT plateEntry.id, watchlist.name, watchlist.mode, plateEntry.plate, plateEntry.label, watchlist.maxEdits
                FROM plateEntry JOIN watchlist ON watchlist.id = plateEntry.watchlistId
                WHERE watchlist.kind = 'plate'
                """
            var arguments: StatementArguments = []
            if let names, !names.isEmpty {
                sql += " AND watchlist.name IN (\(names.map { _ in "?" }.joined(separator: ",")))"
                arguments = StatementArguments(names)
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY plateEntry.id", arguments: arguments).map { row in
                PlateEntry(id: row[0], watchlist: row[1], mode: PlateListMode(rawValue: row[2]) ?? .deny, plate: row[3],
                           label: row[4], maxEdits: row[5])
            }
        }
    }

    /// Records a plate match with the same deduplication as faces (`fold`): the OCR
    /// confidence decides which read's evidence the alert keeps.
    public func recordPlateMatch(_ evidence: PlateMatchEvidence, cooldown: TimeInterval, routes: [OutboxRoute] = [])
        throws -> AlertOutcome {
        try recordSighting(.sighting(evidence), cooldown: cooldown, routes: routes)
    }

    // MARK: Helpers (inside a transaction)

    private enum Upsert { case added, updated, unchanged }

    private func upsert(_ db: Database, list: WatchlistRecord, plate: String, label: String?, actor: String, via: String?) throws -> Upsert {
        var detail: [String: any Sendable] = [:]
        if let label { detail["label"] = label }
        if let via { detail["via"] = via }
        if var existing = try PlateEntryRecord.filter(Column("watchlistId") == list.id && Column("plate") == plate).fetchOne(db) {
            guard existing.label != label else { return .unchanged }
            existing.label = label
            try existing.update(db)
            try Audit.append(db, actor: actor, action: "plate.update", watchlist: list.name, subject: plate, detail: detail)
            return .updated
        }
        var record = PlateEntryRecord(id: nil, watchlistId: list.id!, plate: plate, label: label, createdAt: Date())
        try record.insert(db)
        try Audit.append(db, actor: actor, action: "plate.add", watchlist: list.name, subject: plate, detail: detail)
        return .added
    }

    private func plateList(_ db: Database, _ name: String, operation: String) throws -> WatchlistRecord {
        let list = try existingWatchlist(db, name)
        guard list.kind == "plate" else { throw StoreError.wrongKind(watchlist: name, kind: list.kind, operation: operation) }
        return list
    }

    private static func normalisedPlate(_ plate: String, list: WatchlistRecord) throws -> String {
        let region = try region(of: list)
        do { return try PlateText.entry(plate, region: region) } catch {
            throw StoreError.invalidPlate("\(error)")
        }
    }

    private static func region(of list: WatchlistRecord) throws -> PlateRegion {
        do { return try PlateRegion.named(list.region) } catch { throw StoreError.invalidPlate("\(error)") }
    }

    private static func cleanLabel(_ label: String?) throws -> String? {
        guard let label = label?.trimmingCharacters(in: .whitespacesAndNewlines), !label.isEmpty else { return nil }
        guard label.count <= 200 else { throw StoreError.invalidPlate("label is longer than 200 characters") }
        return label
    }
}

extension Alert {
    /// The alert a plate match would create (see `sighting(_: FaceMatchEvidence)`).
    public static func sighting(_ evidence: PlateMatchEvidence) -> Alert {
        let entry = evidence.match.entry
        let distance = Double(evidence.match.distance)
        return Alert(
            id: nil, kind: "plate", cameraID: evidence.cameraID, watchlist: entry.watchlist, subjectID: entry.plate,
            subjectName: entry.label ?? entry.plate, enrolmentID: entry.id, enrolmentImage: "",
            distance: distance, bestDistance: distance, threshold: Double(entry.maxEdits),
            sharpness: evidence.confidence, trackID: 0, box: evidence.box.array.map(String.init).joined(separator: ","),
            firstSeen: evidence.seenAt, lastSeen: evidence.seenAt, count: 1,
            snapshotPath: evidence.snapshotPath, cropPath: evidence.cropPath,
            plateText: evidence.text, plateConfidence: evidence.confidence)
    }
}
