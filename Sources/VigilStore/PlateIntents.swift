import Foundation
import VigilCore
import VigilPlates

/// Plate watchlists' intents, for every backend (see `WatchlistStore`).
extension WatchlistStore {
    public func createPlateWatchlist(name: String, mode: PlateListMode = .deny, maxEdits: Int = 1, region: String = "any",
                                     actor: String) throws -> WatchlistSummary {
        try Validation.name(name, kind: "watchlist name")
        guard (0...3).contains(maxEdits) else { throw StoreError.invalidMaxEdits(maxEdits) }
        let plateRegion: PlateRegion
        do { plateRegion = try PlateRegion.named(region) } catch { throw StoreError.invalidPlate("\(error)") }
        return try backend.write(announcing: .watchlists) { rows in
            if try rows.watchlist(named: name) != nil { throw StoreError.watchlistExists(name) }
            var record = WatchlistRecord(id: nil, name: name, kind: "plate", threshold: 1, createdAt: Date(),
                                         mode: mode.rawValue, maxEdits: maxEdits, region: plateRegion.name)
            try rows.insert(&record)
            try rows.append(AuditRecord(actor: actor, action: "watchlist.create", watchlist: name,
                                        detail: ["kind": "plate", "mode": mode.rawValue, "max_edits": maxEdits, "region": plateRegion.name]))
            return try WatchlistSteps.summary(rows, record)
        }
    }

    /// Adds a plate (or updates its label). Returns the entry and whether it is new.
    @discardableResult
    public func addPlate(watchlist: String, plate: String, label: String?, actor: String) throws
        -> (entry: PlateEntrySummary, created: Bool) {
        try backend.write(announcing: .watchlists) { rows in
            let list = try PlateSteps.plateList(rows, watchlist, operation: "add plates")
            let text = try PlateSteps.normalisedPlate(plate, list: list)
            let outcome = try PlateSteps.upsert(rows, list: list, plate: text, label: try PlateSteps.cleanLabel(label), actor: actor, via: nil)
            let record = try rows.plateEntry(watchlist: list.id!, plate: text)!
            return (PlateEntrySummary(record), outcome == .added)
        }
    }

    /// Every row is checked first: an invalid one throws naming `source:line`, and nothing is stored.
    public func importPlates(watchlist: String, rows input: [PlateRow], source: String, actor: String) throws -> PlateImportOutcome {
        try backend.write(announcing: .watchlists) { rows in
            let list = try PlateSteps.plateList(rows, watchlist, operation: "import plates")
            let region = try PlateSteps.region(of: list)
            var checked: [(String, String?)] = [], seen: [String: Int] = [:]
            for row in input {
                let text: String
                do { text = try PlateText.entry(row.plate, region: region) } catch {
                    throw StoreError.invalidPlateRow(source: source, line: row.line, reason: "\(error)")
                }
                if let first = seen[text] {
                    throw StoreError.invalidPlateRow(source: source, line: row.line, reason: "plate '\(text)' is already on line \(first)")
                }
                seen[text] = row.line
                do { checked.append((text, try PlateSteps.cleanLabel(row.label))) } catch {
                    throw StoreError.invalidPlateRow(source: source, line: row.line, reason: "\(error)")
                }
            }
            var outcome = PlateImportOutcome(added: [], updated: [], unchanged: [])
            for (text, label) in checked {
                switch try PlateSteps.upsert(rows, list: list, plate: text, label: label, actor: actor, via: source) {
                case .added: outcome.added.append(text)
                case .updated: outcome.updated.append(text)
                case .unchanged: outcome.unchanged.append(text)
                }
            }
            return outcome
        }
    }

    public func removePlate(watchlist: String, plate: String, actor: String) throws {
        try backend.write(announcing: .watchlists) { rows in
            let list = try PlateSteps.plateList(rows, watchlist, operation: "remove plates")
            let text = PlateText.normalised(plate)
            guard let record = try rows.plateEntry(watchlist: list.id!, plate: text) else {
                throw StoreError.plateNotFound(watchlist: watchlist, plate: plate)
            }
            try rows.deletePlateEntry(id: record.id!)
            try rows.append(AuditRecord(actor: actor, action: "plate.remove", watchlist: watchlist, subject: text,
                                        detail: record.label.map { ["label": $0] } ?? [:]))
        }
    }
}

/// Steps of the plate intents, inside a transaction.
enum PlateSteps {
    enum Upsert { case added, updated, unchanged }

    static func upsert(_ rows: any WatchlistRows, list: WatchlistRecord, plate: String, label: String?,
                       actor: String, via: String?) throws -> Upsert {
        var detail: [String: any Sendable] = [:]
        if let label { detail["label"] = label }
        if let via { detail["via"] = via }
        if let existing = try rows.plateEntry(watchlist: list.id!, plate: plate) {
            guard existing.label != label else { return .unchanged }
            try rows.setLabel(label, plateEntry: existing.id!)
            try rows.append(AuditRecord(actor: actor, action: "plate.update", watchlist: list.name, subject: plate, detail: detail))
            return .updated
        }
        var record = PlateEntryRecord(id: nil, watchlistId: list.id!, plate: plate, label: label, createdAt: Date())
        try rows.insert(&record)
        try rows.append(AuditRecord(actor: actor, action: "plate.add", watchlist: list.name, subject: plate, detail: detail))
        return .added
    }

    static func plateList(_ rows: any WatchlistRows, _ name: String, operation: String) throws -> WatchlistRecord {
        let list = try WatchlistSteps.existing(rows, name)
        guard list.kind == "plate" else { throw StoreError.wrongKind(watchlist: name, kind: list.kind, operation: operation) }
        return list
    }

    static func normalisedPlate(_ plate: String, list: WatchlistRecord) throws -> String {
        let region = try region(of: list)
        do { return try PlateText.entry(plate, region: region) } catch { throw StoreError.invalidPlate("\(error)") }
    }

    static func region(of list: WatchlistRecord) throws -> PlateRegion {
        do { return try PlateRegion.named(list.region) } catch { throw StoreError.invalidPlate("\(error)") }
    }

    static func cleanLabel(_ label: String?) throws -> String? {
        guard let label = label?.trimmingCharacters(in: .whitespacesAndNewlines), !label.isEmpty else { return nil }
        guard label.count <= 200 else { throw StoreError.invalidPlate("label is longer than 200 characters") }
        return label
    }
}
