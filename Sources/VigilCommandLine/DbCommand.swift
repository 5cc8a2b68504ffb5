import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilCore
import VigilStore

/// `vigil db`: moving an installation's database.
public struct DbCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Move an installation's database.", subcommands: [Copy.self])

    public struct Copy: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Copy an SQLite database, every row with its id, into an empty shared PostgreSQL, and check the counts.")
        @Option(help: "The SQLite database to copy (left as it is).") var from: String
        @Option(help: "The empty target: postgres://user[:password]@host[:port]/database.") var to: String
        @Option(help: "The node name camera status is kept under (default: this machine's name).") var node: String?
        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "warning"

        public func run() async throws {
            Bootstrap.logging(level: Logger.Level(rawValue: logLevel) ?? .warning)
            let logger = Logger(label: "vigil.db.copy")
            guard FileManager.default.fileExists(atPath: from) else { throw Failure("--from \(from): no such file") }
            guard DatabaseAddress.isPostgres(to) else { throw Failure("--to \(Redaction.url(to)): expected postgres://user@host[:port]/database") }
            let source = try wrap { try VigilDatabase(path: from, logger: logger) }
            let target = try wrap { try DatabaseLocation(parsing: to) }
            let counts = try await wrapAsync {
                try await StoreCopy.copy(from: source, to: target, node: node ?? PostgresStore.hostName, logger: logger)
            }
            print(Output.table(["TABLE", "SQLITE", "POSTGRESQL"], counts.map { [$0.table, "\($0.source)", "\($0.target)"] }))
            let wrong = counts.filter { $0.source != $0.target }
            guard wrong.isEmpty else {
                throw Failure("the counts differ for " + wrong.map(\.table).joined(separator: ", ") + "; do not switch to \(target)")
            }
            print("copied \(counts.reduce(0) { $0 + $1.target }) rows from \(from) to \(target); every count matches")
        }
    }
}
