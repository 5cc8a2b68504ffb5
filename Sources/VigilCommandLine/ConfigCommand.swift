import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

public struct ConfigCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the daemon's configuration without starting it.",
        subcommands: [Check.self])

    public struct Check: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Validate vigil.yaml and cameras/*.yaml: every error names the file, line and key.")
        @OptionGroup var files: ConfigOptions
        @Flag(help: "Check without the network: no webhook receivers, no postgres:// database (a local SQLite file is still read).") var offline = false

        public func run() async throws {
            let loaded = try files.load()
            var problems: [String] = []
            for camera in loaded.cameras {
                let cascade = camera.cascade ?? "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
                if !FileManager.default.isReadableFile(atPath: cascade) {
                    problems.append("\(camera.file): face.cascade: \(cascade) is not a readable file")
                }
            }
            // Watchlists named by cameras must exist, when the database does (a shared one is asked,
            // unless the check is offline: files checked before they are deployed).
            var store: (any WatchlistStore)?
            let shared = DatabaseAddress.isPostgres(loaded.database)
            if shared ? !offline : FileManager.default.fileExists(atPath: loaded.database) {
                do { store = try await openStore(at: loaded.database, logger: Logger(label: "vigil.config")) } catch {
                    // An unreachable server is one more problem to list; an unreadable file stops the check, as before.
                    guard shared else { throw error }
                    problems.append("database: \(error)")
                }
            }
            if let store {
                let known = Set(try wrap { try store.watchlists() }.map(\.name))
                for camera in loaded.cameras {
                    for name in camera.watchlists where !known.contains(name) {
                        problems.append("\(camera.file): watchlists: '\(name)' does not exist in \(store.location)")
                    }
                }
            }
            if !offline {
                // Every receiver at once: a check of many hooks takes one timeout, not one each.
                problems += await withTaskGroup(of: String?.self) { group in
                    for hook in loaded.hooks { group.addTask { await HookProbe.problem(with: hook) } }
                    return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
                }.sorted()
            }
            guard problems.isEmpty else { throw Failure(problems.joined(separator: "\n")) }
            print("configuration ok: \(loaded.cameras.count) camera(s), \(loaded.hooks.count) hook(s), database \(loaded.database), \(loaded.workers) worker(s)")
            print(Output.table(["CAMERA", "ENABLED", "SOURCE", "FPS", "DETECT", "WATCHLISTS", "COOLDOWN"], loaded.cameras.map {
                [$0.id, $0.enabled ? "yes" : "no", Redaction.url($0.url) + ($0.loop ? " (loop)" : ""), Output.number($0.analyseFPS, digits: 1),
                 $0.detect.map(\.rawValue).joined(separator: ","), $0.watchlists.isEmpty ? "(all)" : $0.watchlists.joined(separator: ","),
                 "\(Int($0.cooldown)) s"]
            }))
            if !loaded.hooks.isEmpty {
                print("")
                print(HooksCommand.table(loaded.hooks))
            }
        }
    }
}
