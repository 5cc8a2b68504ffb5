import ArgumentParser
import VigilCommandLine
import Foundation
import VigilCore
import VigilPlates
import VigilScan
import VigilStore
import VigilVision

struct WatchlistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist",
        abstract: CommandAbstracts.watchlist,
        subcommands: [WatchlistSubcommands.Create.self, Enroll.self, WatchlistSubcommands.AddPlate.self, WatchlistSubcommands.ImportPlates.self,
                      WatchlistSubcommands.List.self, WatchlistSubcommands.Remove.self, Import.self, WatchlistSubcommands.Audit.self])

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CommandAbstracts.enroll)
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist name.") var name: String
        @Option(help: "Subject id (letters, digits, _ - .).") var subject: String
        @Option(name: .customLong("name"), help: "Display name.") var displayName: String?
        @Option(help: "Why this subject is on the list.") var notes: String?
        @Argument(help: "Images (jpg, png...).") var images: [String]

        func run() async throws {
            let database = try await openStore(common)
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

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CommandAbstracts.importFolder)
        @OptionGroup var common: CommonOptions
        @Argument(help: "Watchlist folder.") var directory: String
        @Option(help: "Watchlist name (default: from watchlist.yaml, else the folder's name).") var name: String?
        @Option(help: "Threshold (default: from watchlist.yaml, else 0.6 for a new watchlist).") var threshold: Double?

        func run() async throws {
            let definition = try wrap { try WatchlistDefinition.load(directory: directory) }
            let database = try await openStore(common)
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
}

func makeAnalyzer(_ common: CommonOptions, settings: DetectorSettings, cascade: String? = nil) throws -> FaceAnalyzer {
    try wrap { try FaceAnalyzer(models: VisionModels(directory: common.models, cascade: cascade), settings: settings) }
}

