import ArgumentParser
import Foundation
import Logging
import VigilConfig

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Real-time video surveillance: face and plate watchlists, scanning, alerts.",
        subcommands: [RunCommand.self, StatusCommand.self, WatchlistCommand.self, ScanCommand.self, PlatesCommand.self, EEGCommand.self, CrimeCommand.self, AlertsCommand.self, HooksCommand.self, TokensCommand.self, ConfigCommand.self, BenchCommand.self])

    static func main() async {
        OpenMP.limitThreads()
        await main(nil)
    }
}

/// Options every command that touches the database or models shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database (default: $VIGIL_DB, else the database: of ./vigil.yaml or /etc/vigil/vigil.yaml, else ./vigil.sqlite).")
    var db: String?

    @Option(name: .long, help: "Folder with the dlib models (default: $VIGIL_MODELS, else /usr/share/vigil/models, else the clone's models/).")
    var models: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "warning"

    var databasePath: String {
        if let db { return db }
        if let variable = ProcessInfo.processInfo.environment["VIGIL_DB"], !variable.isEmpty { return variable }
        if let config = DaemonConfig.defaultPath(), let database = try? DaemonConfig.databaseSetting(in: config) { return database }
        return "vigil.sqlite"
    }

    /// Enrolment photos are copied beside the database (`enrolments/<sha256>.<ext>`), as the
    /// daemon's default `api.uploads` keeps them beside its configuration.
    var enrolmentImages: String {
        let folder = (databasePath as NSString).deletingLastPathComponent
        return folder.isEmpty ? "enrolments" : (folder as NSString).appendingPathComponent("enrolments")
    }

    func logger(_ label: String) -> Logger {
        Bootstrap.logging(level: Logger.Level(rawValue: logLevel) ?? .warning)
        return Logger(label: label)
    }
}

enum Bootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    /// LoggingSystem may be bootstrapped once per process; commands call this freely.
    static func logging(level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// An error already phrased for the operator: printed as is, exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    init(_ error: any Error) {
        description = "\(error)"
    }
}
