import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilCore

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
        /// `--db`, `VIGIL_DB` or `database:` in vigil.yaml, as for every command; here it must be PostgreSQL.
        @OptionGroup var common: CommonOptions
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let location = try ClusterCommand.location(common.databasePath)
            let logger = common.logger("vigil.cluster")
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

    static func location(_ value: String) throws -> DatabaseLocation {
        guard DatabaseAddress.isPostgres(value) else {
            throw Failure("vigil cluster: database \(value) is an SQLite file; nodes share a postgres:// database (--db postgres://user@host:port/db, or VIGIL_DB)")
        }
        return try wrap { try DatabaseLocation(parsing: value) }
    }
}
