import ArgumentParser
import Foundation
import Logging
import VigilCore
import VigilPlates
import VigilCluster
import VigilStore

/// The watchlist subcommands that need no vision: both binaries list them under `vigil watchlist`.
public enum WatchlistSubcommands {
    public struct Create: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Create an empty face or plate watchlist.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "face or plate.") var kind = "face"
        @Option(help: "Faces: match threshold, Euclidean distance between encodings; lower is stricter.")
        var threshold: Double = 0.6
        @Option(help: "Plates: deny (a match alerts) or allow (a match never alerts).") var mode = "deny"
        @Option(help: "Plates: edits (insertions, deletions, substitutions) a read may differ by.") var maxEdits = 1
        @Option(help: "Plates: region whose formats entries must fit (any, us, eu, br).") var region = "any"

        public func validate() throws {
            guard ["face", "plate"].contains(kind) else { throw ValidationError("--kind must be face or plate") }
            guard PlateListMode(rawValue: mode) != nil else { throw ValidationError("--mode must be deny or allow") }
        }

        public func run() async throws {
            let database = try await openStore(common)
            if kind == "plate" {
                let list = try wrap {
                    try database.createPlateWatchlist(name: name, mode: PlateListMode(rawValue: mode)!, maxEdits: maxEdits,
                                                      region: region, actor: AuditActor.current())
                }
                print("created plate watchlist \(list.name) (\(list.mode ?? mode), max edits \(list.maxEdits ?? maxEdits), region \(list.region ?? region))")
            } else {
                let list = try wrap { try database.createWatchlist(name: name, threshold: threshold, actor: AuditActor.current()) }
                print("created watchlist \(list.name) (threshold \(list.threshold))")
            }
        }
    }

    public struct AddPlate: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            commandName: "add-plate",
            abstract: "Add a plate to a plate watchlist (spaces and dashes are dropped; ? and * are wildcards).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Argument(help: "Plate, e.g. ABC1234, or a pattern such as ABC12?? or *1234.") var plate: String
        @Option(help: "Why this plate is on the list.") var label: String?

        public func run() async throws {
            let database = try await openStore(common)
            let (entry, created) = try wrap {
                try database.addPlate(watchlist: name, plate: plate, label: label, actor: AuditActor.current())
            }
            print("\(created ? "added" : "updated") plate \(entry.plate) on \(name)")
        }
    }

    public struct ImportPlates: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            commandName: "import-plates",
            abstract: "Import plates from a CSV file (columns plate[,label]; header optional), all or nothing.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Argument(help: "CSV file.") var file: String

        public func run() async throws {
            let rows = try wrap { try PlateCSV.rows(file: file) }
            let database = try await openStore(common)
            let outcome = try wrap {
                try database.importPlates(watchlist: name, rows: rows, source: file, actor: AuditActor.current())
            }
            print("imported \(file) into \(name): \(outcome.added.count) added, \(outcome.updated.count) updated, \(outcome.unchanged.count) unchanged")
        }
    }

    public struct List: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "List watchlists, or one watchlist's subjects.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name (omit for all).") var name: String?
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let database = try await openStore(common)
            if let name {
                let detail = try wrap { try database.watchlist(named: name) }
                printDetail(detail)
            } else {
                let lists = try wrap { try database.watchlists() }
                if json {
                    for list in lists { print(Output.jsonLine(fields(list))) }
                } else if lists.isEmpty {
                    print("no watchlists")
                } else {
                    print(Output.table(["NAME", "KIND", "THRESHOLD", "SUBJECTS", "IMAGES", "PLATES", "MODE"], lists.map {
                        $0.kind == "plate"
                            ? [$0.name, $0.kind, "\($0.maxEdits ?? 0) edit(s)", "-", "-", "\($0.plates ?? 0)", "\($0.mode ?? "")/\($0.region ?? "")"]
                            : [$0.name, $0.kind, Output.number($0.threshold, digits: 2), "\($0.subjects)", "\($0.enrolments)", "-", "-"]
                    }))
                }
            }
        }

        private func fields(_ list: WatchlistSummary) -> [(String, Any?)] {
            list.kind == "plate"
                ? [("name", list.name), ("kind", list.kind), ("mode", list.mode), ("max_edits", list.maxEdits),
                   ("region", list.region), ("plates", list.plates), ("created_at", list.createdAt)]
                : [("name", list.name), ("kind", list.kind), ("threshold", list.threshold), ("subjects", list.subjects),
                   ("enrolments", list.enrolments), ("created_at", list.createdAt)]
        }

        private func printDetail(_ detail: WatchlistDetail) {
            if detail.watchlist.kind == "plate" {
                if json {
                    print(Output.jsonLine(fields(detail.watchlist) + [("plate_list", detail.plates.map { entry in
                        [("plate", entry.plate), ("label", entry.label), ("wildcard", entry.wildcard)] as [(String, Any?)]
                    })]))
                    return
                }
                let list = detail.watchlist
                print("\(list.name): \(detail.plates.count) plate(s), \(list.mode ?? "") list, max edits \(list.maxEdits ?? 0), region \(list.region ?? "")")
                print(Output.table(["PLATE", "LABEL"], detail.plates.map { [$0.plate, $0.label ?? ""] }))
                return
            }
            if json {
                print(Output.jsonLine(fields(detail.watchlist) + [("subject_list", detail.subjects.map { subject in
                    [("id", subject.id), ("name", subject.name), ("notes", subject.notes),
                     ("images", subject.enrolments.map(\.sourcePath))] as [(String, Any?)]
                })]))
                return
            }
            print("\(detail.watchlist.name): \(detail.watchlist.subjects) subject(s), threshold \(detail.watchlist.threshold)")
            print(Output.table(["SUBJECT", "NAME", "IMAGES", "NOTES"], detail.subjects.map {
                [$0.id, $0.name, "\($0.enrolments.count)", $0.notes ?? ""]
            }))
        }
    }

    public struct Remove: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Remove a watchlist, one subject of it (with their face encodings) or one plate.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "Remove only this subject.") var subject: String?
        @Option(help: "Remove only this plate.") var plate: String?

        public func run() async throws {
            let database = try await openStore(common)
            if let plate {
                try wrap { try database.removePlate(watchlist: name, plate: plate, actor: AuditActor.current()) }
                print("removed plate \(plate) from \(name)")
            } else if let subject {
                try wrap { try database.removeSubject(watchlist: name, subject: subject, actor: AuditActor.current()) }
                print("removed subject \(subject) from \(name)")
            } else {
                try wrap { try database.removeWatchlist(name: name, actor: AuditActor.current()) }
                print("removed watchlist \(name)")
            }
        }
    }

    public struct Audit: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Show the audit log: who changed what, when.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Only this watchlist.") var name: String?
        @Option(help: "Most recent entries to show.") var limit = 50
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let database = try await openStore(common)
            let entries = try wrap { try database.auditLog(watchlist: name, limit: limit) }
            if json {
                for e in entries {
                    print(Output.jsonLine([("id", e.id), ("at", e.at), ("actor", e.actor), ("action", e.action),
                                           ("watchlist", e.watchlist), ("subject", e.subject), ("detail", e.detail)]))
                }
            } else {
                let formatter = ISO8601DateFormatter()
                print(Output.table(["WHEN", "WHO", "ACTION", "WATCHLIST", "SUBJECT", "DETAIL"], entries.map {
                    [formatter.string(from: $0.at), $0.actor, $0.action, $0.watchlist ?? "", $0.subject ?? "", $0.detail ?? ""]
                }))
            }
        }
    }
}

/// The store where `--db` (or `VIGIL_DB`, or `vigil.yaml`) says, for the areas both backends
/// have: an SQLite file, or a shared `postgres://` database, connected and migrated.
public func openStore(_ common: CommonOptions) async throws -> any SharedStore {
    try await openStore(at: common.databasePath, logger: common.logger("vigil.store"))
}

public func openStore(at address: String, logger: Logger) async throws -> any SharedStore {
    guard DatabaseAddress.isPostgres(address) else { return try wrap { try VigilDatabase(path: address, logger: logger) } }
    let location = try wrap { try DatabaseLocation(parsing: address) }
    do {
        return try await PostgresStore.open(location, logger: logger)
    } catch {
        throw Failure(error)
    }
}

/// Rethrows module errors as operator-facing failures (message only, exit status 1).
public func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw Failure(error) }
}

/// `wrap` for a body that works on something opened first (a store, the crime lifecycle).
public func wrap<Value, T>(_ value: Value, _ body: (Value) throws -> T) throws -> T {
    try wrap { try body(value) }
}

public func wrapAsync<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw Failure(error) }
}
