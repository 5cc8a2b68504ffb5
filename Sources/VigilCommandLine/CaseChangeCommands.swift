import ArgumentParser
import Foundation
import VigilCore
import VigilStore

/// The `vigil cases` subcommands that add to or change a case.
extension CasesCommand {
    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append a note (written once, signed with your name, hash-chained).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Argument(help: "The note; `-` reads it from standard input.") var text: String

        func run() async throws {
            let body = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
            let entry = try wrap(try await openStore(common)) { try $0.addCaseNote(id, text: body, actor: AuditActor.current()) }
            print("case \(id): note \(entry.seq) by \(entry.author), hash \(entry.hash.prefix(16))…")
        }
    }

    struct Attach: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Attach a file (stored once by its SHA-256, hash-chained).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Argument(help: "The file.") var file: String
        @Option(help: "What it is.") var description = ""
        @Option(help: "Largest file accepted, in MiB.") var maxMib = CaseJournal.attachmentLimit / (1024 * 1024)

        func run() async throws {
            let entry = try wrap(try await openStore(common)) {
                try $0.attachToCase(id, file: file, description: description, limit: maxMib * 1024 * 1024,
                                              actor: AuditActor.current())
            }
            print("case \(id): attachment \(entry.seq) \(entry.fileName ?? file), \(entry.fileSize ?? 0) bytes, sha256 \(entry.fileSHA256 ?? "")")
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link alerts, incidents, people (subject ids) and vehicles (plates) to a case, all or none.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Option(help: "Alert id (repeatable).") var alert: [Int64] = []
        @Option(help: "Incident id (repeatable).") var incident: [Int64] = []
        @Option(help: "Subject id of a person (repeatable).") var person: [String] = []
        @Option(help: "Plate of a vehicle (repeatable).") var vehicle: [String] = []

        func validate() throws {
            guard !(alert.isEmpty && incident.isEmpty && person.isEmpty && vehicle.isEmpty) else {
                throw ValidationError("name something to link: --alert, --incident, --person or --vehicle")
            }
        }

        func run() async throws {
            let links = CaseLinks(alerts: alert, incidents: incident, people: person.map { CaseLinks.Person(subjectID: $0) }, vehicles: vehicle)
            try wrap(try await openStore(common)) { try $0.linkToCase(id, links, actor: AuditActor.current()) }
            print("case \(id): linked")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a case's title, type, status, assignee or area.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Option(help: "New title.") var title: String?
        @Option(help: "New type.") var type: String?
        @Option(help: "open, investigating or closed.") var status: CaseStatus?
        @Option(help: "Who works on it (empty: nobody).") var assignee: String?
        @Option(help: "Where it happened (empty: unknown).") var area: String?

        func run() async throws {
            let fields = CaseFields(title: title, type: type, status: status, assignee: assignee, area: area)
            let record = try wrap(try await openStore(common)) { try $0.updateCase(id, fields, actor: AuditActor.current()) }
            print("case \(id): \(record.status.rawValue), \(record.title)")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a case, with a closing note if given.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Option(help: "Closing note.") var note: String?

        func run() async throws {
            let actor = AuditActor.current()
            let database = try await openStore(common)
            try wrap {
                if let note { _ = try database.addCaseNote(id, text: note, actor: actor) }
                _ = try database.updateCase(id, CaseFields(status: .closed), actor: actor)
            }
            print("case \(id): closed")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a case with its journal and attachments (linked alerts and incidents stay). Audit-logged.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id.") var id: Int64
        @Flag(help: "Confirm: a deleted case cannot be brought back.") var yes = false

        func validate() throws {
            guard yes else { throw ValidationError("deleting case \(id) cannot be undone: add --yes") }
        }

        func run() async throws {
            let database = try await openStore(common)
            try wrap {
                try database.deleteCase(id, actor: AuditActor.current())
            }
            print("case \(id): deleted")
        }
    }
}
