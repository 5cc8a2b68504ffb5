import ArgumentParser
import Foundation
import VigilCore
import VigilStore

/// `vigil cases`: case records, from the shell of whoever administers the database (the API
/// checks roles; here the file's permissions do). Every change is audit-logged as `cli:<user>`
/// or `VIGIL_ACTOR`.
public struct CasesCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "cases", abstract: CommandAbstracts.cases,
        discussion: "Notes and attachments are written once and hash-chained per case; `vigil cases verify` checks the chains.",
        subcommands: [Create.self, Show.self, List.self, Search.self, Note.self, Attach.self, Link.self, Update.self, Close.self,
                      Delete.self, Stats.self, Verify.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a case, or open one from an alert (its evidence and subject or plate are linked).")
        @OptionGroup var common: CommonOptions
        @Option(help: "Title (one line; default from the alert).") var title: String?
        @Option(help: "Type, e.g. burglary or missing-person (default from the alert: person or vehicle).") var type: String?
        @Option(help: "Who works on it.") var assignee: String?
        @Option(help: "Where it happened (the area names incidents use).") var area: String?
        @Option(name: .customLong("from-alert"), help: "Open the case from this alert.") var alert: Int64?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let fields = CaseFields(title: title, type: type, assignee: assignee, area: area)
            let actor = AuditActor.current()
            let database = try await openStore(common)
            let record = try wrap {
                try alert.map { try database.openCase(fromAlert: $0, fields, actor: actor) } ?? database.createCase(fields, actor: actor)
            }
            print(json ? try CaseOutput.json(record) : "case \(record.id ?? 0) opened: \(record.title)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A case: who and what is on it, its journal, linked alerts and incidents, and later alerts for its people or vehicles.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let file = try wrap(try await openStore(common)) { try $0.caseFile(id) }
            print(json ? try CaseOutput.json(file) : CaseOutput.text(file))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cases, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "open, investigating or closed.") var status: CaseStatus?
        @Option(help: "Only this type.") var type: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "JSON output, one case per line.") var json = false

        func run() async throws {
            var search = CaseSearch()
            search.status = status
            search.type = type
            search.limit = limit
            let cases = try wrap(try await openStore(common)) { try $0.searchCases(search) }
            try CaseOutput.list(cases, json: json)
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find cases by id, name or subject id, plate (tolerant: one OCR-style edit), camera, area and time.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Case id.") var id: Int64?
        @Option(help: "Words in the title, or a person's name or subject id.") var text: String?
        @Option(help: "A plate on the case or on a linked alert.") var plate: String?
        @Option(help: "Edits a plate may differ by.") var plateEdits = 1
        @Option(help: "A camera of a linked alert.") var camera: String?
        @Option(help: "The case's area or a linked incident's.") var area: String?
        @Option(help: "Created on or after this day (YYYY-MM-DD, UTC).") var from: String?
        @Option(help: "Created before this day (YYYY-MM-DD, UTC).") var to: String?
        @Option(help: "open, investigating or closed.") var status: CaseStatus?
        @Option(help: "Only this type.") var type: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "JSON output, one case per line.") var json = false

        func validate() throws {
            guard (0...3).contains(plateEdits) else { throw ValidationError("--plate-edits \(plateEdits): expected 0 to 3") }
        }

        func run() async throws {
            var search = CaseSearch()
            search.id = id
            search.text = text
            search.plate = plate
            search.plateEdits = plateEdits
            search.camera = camera
            search.area = area
            search.from = try parseDay(from, "--from")
            search.to = try parseDay(to, "--to")
            search.status = status
            search.type = type
            search.limit = limit
            let cases = try wrap(try await openStore(common)) { try $0.searchCases(search) }
            try CaseOutput.list(cases, json: json)
        }
    }
}

extension CaseStatus: ExpressibleByArgument {}
