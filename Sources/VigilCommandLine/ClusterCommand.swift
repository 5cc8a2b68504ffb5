import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilConfig

/// `vigil cluster`: the nodes sharing a PostgreSQL database, and which node holds each camera and hook.
public struct ClusterCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Nodes sharing a PostgreSQL database, and who holds each camera and hook.",
        subcommands: [Status.self])

    public struct Status: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Nodes (alive or not, last seen) and the holder of every camera and hook.")
        @Option(help: "postgres://user@host:port/database (default: $VIGIL_DB, else the database: of vigil.yaml).")
        var database: String?
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let location = try ClusterCommand.location(database)
            Bootstrap.logging(level: .warning)
            let logger = Logger(label: "vigil.cluster")
            let status = try await wrapAsync {
                let database = try await ClusterDatabase.open(location, logger: logger)
                defer { Task { await database.close() } }
                return try await database.status()
            }
            if json {
                for node in status.nodes {
                    print(Output.jsonLine([("node", node.name), ("alive", node.alive), ("seen_seconds_ago", node.secondsSinceSeen),
                                           ("camera_capacity", node.cameraCapacity)]))
                }
                for lease in status.leases {
                    print(Output.jsonLine([("kind", lease.kind.rawValue), ("key", lease.key), ("holder", lease.holder)]))
                }
                return
            }
            print(Output.table(["NODE", "STATE", "SEEN", "CAMERAS HELD", "HOOKS HELD"], status.nodes.map { node in
                let held = { (kind: LeaseKind) in status.leases.filter { $0.kind == kind && $0.holder == node.name }.count }
                return [node.name, node.alive ? "alive" : "gone", String(format: "%.0f s ago", node.secondsSinceSeen),
                        "\(held(.camera))", "\(held(.hook))"]
            }))
            print("")
            print(Output.table(["KIND", "NAME", "HELD BY"], status.leases.map {
                [$0.kind.rawValue, $0.key, $0.holder ?? "(nobody: waiting for a node)"]
            }))
        }
    }

    /// The shared database: the option, else `VIGIL_DB`, else `database:` in vigil.yaml; it must be PostgreSQL.
    static func location(_ option: String?) throws -> DatabaseLocation {
        let value = option ?? ProcessInfo.processInfo.environment["VIGIL_DB"].flatMap { $0.isEmpty ? nil : $0 }
            ?? DaemonConfig.defaultPath().flatMap { try? DaemonConfig.databaseSetting(in: $0) }
        guard let value else { throw Failure("vigil cluster: no database given (--database postgres://user@host:port/db, or VIGIL_DB)") }
        guard DatabaseLocation.isPostgres(value) else {
            throw Failure("vigil cluster: database \(value) is an SQLite file; nodes share a postgres:// database")
        }
        return try wrap { try DatabaseLocation(parsing: value) }
    }
}
