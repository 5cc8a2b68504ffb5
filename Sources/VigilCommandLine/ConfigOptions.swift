import ArgumentParser
import Foundation
import VigilConfig

/// `--config` and `--cameras`, for every command that reads the daemon's configuration.
public struct ConfigOptions: ParsableArguments {
    public init() {}
    @Option(help: "Global configuration file (default: ./vigil.yaml, else /etc/vigil/vigil.yaml, if present).") public var config: String?
    @Option(help: "Cameras folder (default: from the configuration, else ./cameras).") public var cameras: String?

    public var path: String? {
        config ?? DaemonConfig.defaultPath()
    }

    /// The configuration, with the database taken from `--db`, else `$VIGIL_DB` unless `--config`
    /// names a file, else the file's `database:`.
    public func load(database override: String? = nil) throws -> DaemonConfig {
        var loaded = try wrap { try DaemonConfig.load(path: path, camerasDirectory: cameras) }
        if let override {
            loaded.database = override
        } else if config == nil, let env = ProcessInfo.processInfo.environment["VIGIL_DB"], !env.isEmpty {
            loaded.database = env
        }
        return loaded
    }
}
