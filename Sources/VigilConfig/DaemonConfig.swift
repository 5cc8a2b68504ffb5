import Foundation
import VigilCore

/// The global configuration (`vigil.yaml`) and the cameras it points at.
public struct DaemonConfig: Sendable, Equatable {
    public var database: String
    public var snapshots: String
    /// Analysis workers; each owns one detector and one encoder.
    public var workers: Int
    public var logLevel: String
    public var models: String?
    public var camerasDirectory: String
    public var cameras: [CameraConfig]
    /// Days alert snapshots and face crops are kept (0 = forever).
    public var snapshotRetentionDays: Int
    /// Days finished hook deliveries and alert-stream events are kept (always pruned, whatever
    /// the snapshot retention: they grow with every alert).
    public var historyRetentionDays = 30
    /// Where alerts go besides the database (`hooks:`), and how deliveries are retried (`delivery:`).
    public var hooks: [HookConfig] = []
    public var delivery = DeliveryPolicy()
    /// The HTTP API and web page (`api:`).
    public var api = APIConfig()
    /// Secondary services loaded into the daemon (`services: [eeg]`).
    public var services: [String] = []
    /// Where `vigil eeg train` saved the EEG models the API scores with (`eeg_models:`).
    public var eegModels = "models/eeg"
    /// `defaults:`, kept for cameras defined elsewhere (a shared database) as for the files.
    var cameraDefaults = CameraDefaults()
    /// The crime service's schedule and drift settings (`crime:`).
    public var crime = CrimeSettings()

    /// Loads `vigil.yaml` (optional: defaults apply when `path` is nil) and every
    /// `*.yaml` in its cameras folder. Relative paths resolve against the config's folder.
    public static func load(path: String?, camerasDirectory override: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DaemonConfig {
        var config = DaemonConfig(
            database: "vigil.sqlite", snapshots: "snapshots", workers: max(1, ProcessInfo.processInfo.activeProcessorCount),
            logLevel: "info", models: nil, camerasDirectory: "cameras", cameras: [], snapshotRetentionDays: 30)
        var defaults = CameraDefaults()
        var base = FileManager.default.currentDirectoryPath
        if let path {
            let text = try read(path)
            base = (path as NSString).deletingLastPathComponent
            var root = try YAMLMapping.load(text: text, file: path)
            if let value = try root.string("database") {
                if DatabaseAddress.isPostgres(value), let problem = DatabaseAddress.postgresProblem(value) {
                    throw root.error("database", "\(Redaction.url(value)): \(problem)")
                }
                config.database = value
            }
            if let value = try root.string("snapshots") { config.snapshots = value }
            if let value = try root.int("workers", in: 1...64) { config.workers = value }
            if let value = try root.string("log_level") {
                guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
                    throw root.error("log_level", "expected trace, debug, info, notice, warning, error or critical")
                }
                config.logLevel = value
            }
            config.models = try root.string("models")
            if let value = try root.string("cameras") { config.camerasDirectory = value }
            if let value = try root.int("snapshot_retention_days", in: 0...3650) { config.snapshotRetentionDays = value }
            if let value = try root.int("history_retention_days", in: 1...3650) { config.historyRetentionDays = value }
            if var section = try root.mapping("defaults") {
                try defaults.read(&section)
                try section.finish(known: CameraDefaults.keys)
            }
            for var entry in try root.mappings("hooks") ?? [] {
                let hook = try HookConfig.read(&entry, base: base, environment: environment)
                if let other = config.hooks.first(where: { $0.name == hook.name }) {
                    throw entry.error("name", "'\(hook.name)' is already used by the hook at \(other.location)")
                }
                config.hooks.append(hook)
            }
            if var section = try root.mapping("delivery") { try config.delivery.read(&section) }
            if var section = try root.mapping("api") { try config.api.read(&section) }
            if let values = try root.strings("services") {
                for value in values where !["eeg", "crime"].contains(value) {
                    throw root.error("services", "unknown service '\(value)' (expected eeg or crime)")
                }
                config.services = values
            }
            if let value = try root.string("eeg_models") { config.eegModels = value }
            if var section = try root.mapping("crime") { try config.crime.read(&section) }
            try root.finish(known: ["database", "snapshots", "workers", "log_level", "models", "cameras",
                                    "snapshot_retention_days", "history_retention_days", "defaults", "hooks", "delivery", "api", "services", "eeg_models", "crime"])
        }
        config.database = resolve(config.database, base)
        config.snapshots = resolve(config.snapshots, base)
        config.models = config.models.map { resolve($0, base) }
        config.api.uploads = resolve(config.api.uploads, base)
        config.eegModels = resolve(config.eegModels, base)
        config.camerasDirectory = resolve(override ?? config.camerasDirectory, base)
        config.cameras = try loadCameras(directory: config.camerasDirectory, defaults: defaults)
        config.cameraDefaults = defaults
        return config
    }

    /// Camera files' texts from elsewhere (`source` names where, for messages), checked as files
    /// are and with this configuration's `defaults:`.
    public func parseCameras(_ definitions: [(source: String, text: String)]) throws -> [CameraConfig] {
        var cameras: [CameraConfig] = []
        for definition in definitions {
            let camera = try CameraDefaults.camera(text: definition.text, file: definition.source, defaults: cameraDefaults)
            if let other = cameras.first(where: { $0.id == camera.id }) {
                throw ConfigError(file: definition.source, key: "id", message: "'\(camera.id)' is already used by \(other.file)")
            }
            cameras.append(camera)
        }
        return cameras
    }

    /// Adds cameras defined in a shared database to those of this node's files; a camera a file
    /// defines is kept as the file says (a node's own file wins). Returns the ids added.
    @discardableResult
    public mutating func addCameras(_ definitions: [(source: String, text: String)]) throws -> [String] {
        let local = Set(cameras.map(\.id))
        let added = try parseCameras(definitions).filter { !local.contains($0.id) }
        cameras += added
        return added.map(\.id)
    }

    /// Where the Debian package installs the configuration.
    public static let installedPath = "/etc/vigil/vigil.yaml"

    /// The configuration a command uses when none is named: `./vigil.yaml` (a clone or a working
    /// folder), else the installed `/etc/vigil/vigil.yaml`, else none (defaults apply).
    public static func defaultPath(fileManager: FileManager = .default) -> String? {
        if fileManager.fileExists(atPath: "vigil.yaml") { return "vigil.yaml" }
        if fileManager.fileExists(atPath: installedPath) { return installedPath }
        return nil
    }

    /// The `database:` a configuration file names, resolved against its folder; only that key is
    /// read, so a command that needs the database alone is not stopped by a broken camera file.
    public static func databaseSetting(in path: String) throws -> String? {
        var root = try YAMLMapping.load(text: try read(path), file: path)
        return try root.string("database").map { resolve($0, (path as NSString).deletingLastPathComponent) }
    }

    static func loadCameras(directory: String, defaults: CameraDefaults) throws -> [CameraConfig] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError(file: directory, message: "cameras folder does not exist")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var cameras: [CameraConfig] = []
        for name in files {
            let file = (directory as NSString).appendingPathComponent(name)
            let camera = try CameraDefaults.camera(text: try read(file), file: file, defaults: defaults)
            if let other = cameras.first(where: { $0.id == camera.id }) {
                throw ConfigError(file: file, key: "id", message: "'\(camera.id)' is already used by \(other.file)")
            }
            cameras.append(camera)
        }
        return cameras
    }

    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
    }

    static func resolve(_ path: String, _ base: String) -> String {
        path.hasPrefix("/") || path.contains("://") ? path : ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}
