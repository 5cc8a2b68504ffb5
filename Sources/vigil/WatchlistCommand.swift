import ArgumentParser
import Foundation
import VigilCore
import VigilPlates
import VigilScan
import VigilStore
import VigilVision

struct WatchlistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist",
        abstract: "Create, fill, list and remove face and plate watchlists (every change is audit-logged).",
        subcommands: [Create.self, Enroll.self, AddPlate.self, ImportPlates.self, List.self, Remove.self, Import.self, Audit.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an empty face or plate watchlist.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "face or plate.") var kind = "face"
        @Option(help: "Faces: match threshold, Euclidean distance between encodings; lower is stricter.")
        var threshold: Double = 0.6
        @Option(help: "Plates: deny (a match alerts) or allow (a match never alerts).") var mode = "deny"
        @Option(help: "Plates: edits (insertions, deletions, substitutions) a read may differ by.") var maxEdits = 1
        @Option(help: "Plates: region whose formats entries must fit (any, us, eu, br).") var region = "any"

        func validate() throws {
            guard ["face", "plate"].contains(kind) else { throw ValidationError("--kind must be face or plate") }
            guard PlateListMode(rawValue: mode) != nil else { throw ValidationError("--mode must be deny or allow") }
        }

        func run() async throws {
            let database = try open(common)
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

    struct AddPlate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-plate",
            abstract: "Add a plate to a plate watchlist (spaces and dashes are dropped; ? and * are wildcards).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Argument(help: "Plate, e.g. ABC1234, or a pattern such as ABC12?? or *1234.") var plate: String
        @Option(help: "Why this plate is on the list.") var label: String?

        func run() async throws {
            let database = try open(common)
            let (entry, created) = try wrap {
                try database.addPlate(watchlist: name, plate: plate, label: label, actor: AuditActor.current())
            }
            print("\(created ? "added" : "updated") plate \(entry.plate) on \(name)")
        }
    }

    struct ImportPlates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-plates",
            abstract: "Import plates from a CSV file (columns plate[,label]; header optional), all or nothing.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Argument(help: "CSV file.") var file: String

        func run() async throws {
            let rows = try wrap { try PlateCSV.rows(file: file) }
            let database = try open(common)
            let outcome = try wrap {
                try database.importPlates(watchlist: name, rows: rows, source: file, actor: AuditActor.current())
            }
            print("imported \(file) into \(name): \(outcome.added.count) added, \(outcome.updated.count) updated, \(outcome.unchanged.count) unchanged")
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol face images for a subject; every image must show exactly one face, or nothing is stored.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "Subject id (letters, digits, _ - .).") var subject: String
        @Option(name: .customLong("name"), help: "Display name.") var displayName: String?
        @Option(help: "Why this subject is on the list.") var notes: String?
        @Argument(help: "Images (jpg, png...).") var images: [String]

        func run() async throws {
            let database = try open(common)
            // Check the watchlist first: no point encoding images for a list that does not exist.
            _ = try wrap { try database.watchlist(named: name) }
            let enroller = Enroller(analyzer: try makeAnalyzer(common, settings: .enrolment), keepImagesIn: common.enrolmentImages)
            let prepared = try await wrapAsync { try await enroller.prepare(images: images) }
            let outcome = try wrap {
                try database.enrol(watchlist: name, subject: SubjectInput(id: subject, displayName: displayName, notes: notes),
                                   images: prepared, actor: AuditActor.current())
            }
            print("\(outcome.subjectCreated ? "created" : "updated") subject \(subject) in \(name): "
                + "\(outcome.added.count) image(s) enrolled"
                + (outcome.alreadyEnrolled.isEmpty ? "" : ", \(outcome.alreadyEnrolled.count) already enrolled"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List watchlists, or one watchlist's subjects.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name (omit for all).") var name: String?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let database = try open(common)
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

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a watchlist, one subject of it (with their face encodings) or one plate.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "Remove only this subject.") var subject: String?
        @Option(help: "Remove only this plate.") var plate: String?

        func run() async throws {
            let database = try open(common)
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

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import DIR/<subject>/<images> (and DIR/watchlist.yaml if present) as one watchlist, all or nothing.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist folder.") var directory: String
        @Option(help: "Watchlist name (default: from watchlist.yaml, else the folder's name).") var name: String?
        @Option(help: "Threshold (default: from watchlist.yaml, else 0.6 for a new watchlist).") var threshold: Double?

        func run() async throws {
            let definition = try wrap { try WatchlistDefinition.load(directory: directory) }
            let database = try open(common)
            let enroller = Enroller(analyzer: try makeAnalyzer(common, settings: .enrolment), keepImagesIn: common.enrolmentImages)
            var prepared: [(SubjectInput, [NewEnrolment])] = [], failures: [String] = []
            for subject in definition.subjects {
                do {
                    prepared.append((subject.input, try await enroller.prepare(images: subject.images)))
                } catch {
                    failures.append("\(error)")
                }
            }
            guard failures.isEmpty else {
                throw Failure(failures.joined(separator: "\n") + "\nnothing imported")
            }
            let listName = name ?? definition.name
            let outcomes = try wrap {
                try database.importWatchlist(name: listName, threshold: threshold ?? definition.threshold,
                                             subjects: prepared, actor: AuditActor.current())
            }
            let added = outcomes.values.reduce(0) { $0 + $1.added.count }
            let known = outcomes.values.reduce(0) { $0 + $1.alreadyEnrolled.count }
            print("imported \(listName): \(outcomes.count) subject(s), \(added) image(s) enrolled"
                + (known > 0 ? ", \(known) already enrolled" : ""))
        }
    }

    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the audit log: who changed what, when.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Only this watchlist.") var name: String?
        @Option(help: "Most recent entries to show.") var limit = 50
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let database = try open(common)
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

func open(_ common: CommonOptions) throws -> VigilDatabase {
    try wrap { try VigilDatabase(path: common.databasePath, logger: common.logger("vigil.store")) }
}

func makeAnalyzer(_ common: CommonOptions, settings: DetectorSettings, cascade: String? = nil) throws -> FaceAnalyzer {
    try wrap { try FaceAnalyzer(models: VisionModels(directory: common.models, cascade: cascade), settings: settings) }
}

/// Rethrows module errors as operator-facing failures (message only, exit status 1).
func wrap<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw Failure(error) }
}

func wrapAsync<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw Failure(error) }
}
