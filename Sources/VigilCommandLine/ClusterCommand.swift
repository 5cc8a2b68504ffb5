import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilConfig
import VigilCore

/// `vigil cluster`: the nodes sharing a PostgreSQL database, and which node holds each camera and hook.
public struct ClusterCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Nodes sharing a PostgreSQL database, and who holds each camera and hook.",
        subcommands: [Status.self, Cameras.self])

    public struct Status: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Nodes (alive or not, last seen) and the holder of every camera and hook.")
        /// `--db`, `VIGIL_DB` or `database:` in vigil.yaml, as for every command; here it must be PostgreSQL.
        @OptionGroup var common: CommonOptions
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let status = try await ClusterCommand.withDatabase(common) { try await $0.status() }
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

    /// Camera definitions kept in the shared database, so every node can run every camera.
    public struct Cameras: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Camera definitions in the shared database: publish a cameras folder, list what is published.",
            subcommands: [Publish.self, List.self])

        public struct Publish: AsyncParsableCommand {
            public init() {}
            public static let configuration = CommandConfiguration(
                abstract: "Publish the cameras folder's files to every node (checked first; all or none; audit-logged).",
                discussion: "Nodes load the published cameras when they start; a node's own camera file of the same id wins on that node.")
            @OptionGroup var common: CommonOptions
            @OptionGroup var files: ConfigOptions
            @Flag(help: "Also remove published cameras that are not in the folder (and their leases).") var prune = false

            public func run() async throws {
                // Every file is checked as `vigil config check` does, with vigil.yaml's defaults: a bad one names
                // its file, line and key, and nothing is published.
                let loaded = try files.load(database: common.databasePath)
                let definitions = try loaded.cameras.map { camera in
                    (id: camera.id, text: try wrap { try String(contentsOfFile: camera.file, encoding: .utf8) }, enabled: camera.enabled)
                }
                let published = try await ClusterCommand.withDatabase(common) {
                    try await $0.publishCameras(definitions, prune: prune, actor: AuditActor.current())
                }
                for (label, ids) in [("added", published.added), ("changed", published.changed), ("unchanged", published.unchanged),
                                     ("removed", published.removed)] where !ids.isEmpty {
                    print("\(label): \(ids.joined(separator: ", "))")
                }
                if !(published.added.isEmpty && published.changed.isEmpty) {
                    print("nodes run new and changed cameras when they next start (restart them one at a time: their cameras move meanwhile)")
                }
            }
        }

        public struct List: AsyncParsableCommand {
            public init() {}
            public static let configuration = CommandConfiguration(abstract: "The published camera definitions (sources without credentials).")
            @OptionGroup var common: CommonOptions
            @OptionGroup var files: ConfigOptions

            public func run() async throws {
                let definitions = try await ClusterCommand.withDatabase(common) { try await $0.cameraDefinitions() }
                // Checked with vigil.yaml's defaults, as a node reads them; without a cameras folder here, with no files of its own.
                let config = try (try? files.load(database: common.databasePath)) ?? {
                    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-no-cameras-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
                    defer { try? FileManager.default.removeItem(at: empty) }
                    return try wrap { try DaemonConfig.load(path: files.path, camerasDirectory: empty.path) }
                }()
                let cameras = try wrap { try config.parseCameras(definitions.map { (source: "published camera \($0.id)", text: $0.text) }) }
                guard !cameras.isEmpty else {
                    print("no published cameras (vigil cluster cameras publish)")
                    return
                }
                print(Output.table(["CAMERA", "SOURCE", "WATCHLISTS"], cameras.map {
                    [$0.id, Redaction.url($0.url), $0.watchlists.isEmpty ? "(all)" : $0.watchlists.joined(separator: ",")]
                }))
            }
        }
    }

    /// Runs `body` on the shared database `--db` names (migrated first), then closes it.
    static func withDatabase<T: Sendable>(_ common: CommonOptions, _ body: (ClusterDatabase) async throws -> T) async throws -> T {
        let location = try location(common.databasePath)
        let logger = common.logger("vigil.cluster")
        return try await wrapAsync {
            let database = try await ClusterDatabase.open(location, logger: logger)
            defer { Task { await database.close() } }
            return try await body(database)
        }
    }

    static func location(_ value: String) throws -> DatabaseLocation {
        guard DatabaseAddress.isPostgres(value) else {
            throw Failure("vigil cluster: database \(value) is an SQLite file; nodes share a postgres:// database (--db postgres://user@host:port/db, or VIGIL_DB)")
        }
        return try wrap { try DatabaseLocation(parsing: value) }
    }
}
