import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilCore

/// Options every command that touches the database or models shares.
public struct CommonOptions: ParsableArguments {
    public init() {}
    @Option(name: .long, help: "Database: an SQLite file, or a shared postgres://user@host:port/db (default: $VIGIL_DB, else the database: of ./vigil.yaml or /etc/vigil/vigil.yaml, else ./vigil.sqlite).")
    public var db: String?

    @Option(name: .long, help: "Folder with the dlib models (default: $VIGIL_MODELS, else /usr/share/vigil/models, else the clone's models/).")
    public var models: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String = "warning"

    public var databasePath: String {
        if let db { return db }
        if let variable = ProcessInfo.processInfo.environment["VIGIL_DB"], !variable.isEmpty { return variable }
        if let config = DaemonConfig.defaultPath(), let database = try? DaemonConfig.databaseSetting(in: config) { return database }
        return "vigil.sqlite"
    }

    /// Enrolment photos are copied beside the database (`enrolments/<sha256>.<ext>`), as the
    /// daemon's default `api.uploads` keeps them beside its configuration.
    /// With a shared `postgres://` database they are kept in `./enrolments`, on the machine that enrols.
    public var enrolmentImages: String {
        if DatabaseAddress.isPostgres(databasePath) { return "enrolments" }
        let folder = (databasePath as NSString).deletingLastPathComponent
        return folder.isEmpty ? "enrolments" : (folder as NSString).appendingPathComponent("enrolments")
    }

    public func logger(_ label: String) -> Logger {
        Bootstrap.logging(level: Logger.Level(rawValue: logLevel) ?? .warning)
        return Logger(label: label)
    }
}

public enum Bootstrap {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()

    /// LoggingSystem may be bootstrapped once per process; commands call this freely.
    public static func logging(level: Logger.Level) {
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
public struct Failure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    public init(_ error: any Error) {
        description = "\(error)"
    }
}
