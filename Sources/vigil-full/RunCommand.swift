import ArgumentParser
import VigilCommandLine
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilDaemon
import VigilStore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: CommandAbstracts.run)

    @OptionGroup var files: ConfigOptions
    @Option(help: "Database (overrides the configuration).") var db: String?
    @Flag(help: "Decode files as fast as possible instead of at their frame rate.") var fast = false
    @Flag(help: "Search whole frames instead of motion regions and the rolling sweep (for measurements).") var noMotionRegions = false
    @Flag(help: "Run the region search in every analysed frame instead of at detect_fps (for measurements).") var noCadence = false
    @Flag(help: "Detect in full and encode every face in every analysed frame, as before tracking (for measurements).") var noTracking = false
    @Option(help: "This node's name in an installation on a shared postgres:// database (default: the host name).") var node: String?
    @Option(help: "The most cameras this node claims on a shared database (default: a fair share of all).") var maxCameras: Int?
    @Option(help: "Where other nodes reach this node's API, http://host:port (overrides api.advertise; e.g. a pod's address).") var advertise: String?

    func validate() throws {
        if let maxCameras, maxCameras < 0 { throw ValidationError("--max-cameras must be 0 or more, not \(maxCameras)") }
        if let advertise, APIConfig.advertisable(advertise) == nil { throw ValidationError("--advertise: \(APIConfig.advertiseRule)") }
    }

    func run() async throws {
        var loaded = try files.load(database: db)
        if loaded.models == nil { loaded.models = ProcessInfo.processInfo.environment["VIGIL_MODELS"] }
        Bootstrap.logging(level: Logger.Level(rawValue: loaded.logLevel) ?? .info)
        if (node != nil || maxCameras != nil || advertise != nil) && !DatabaseAddress.isPostgres(loaded.database) {
            throw ValidationError("--node, --max-cameras and --advertise are for nodes sharing a postgres:// database; \(loaded.database) is an SQLite file")
        }
        if let advertise { loaded.api.advertise = APIConfig.advertisable(advertise) }
        let daemon = try await wrapAsync {
            try await Daemon.open(config: loaded, options: DaemonOptions(fast: fast, motionRegions: !noMotionRegions, cadence: !noCadence,
                                                                      tracking: !noTracking, node: node, maxCameras: maxCameras),
                                  logger: Logger(label: "vigil"))
        }
        try await daemon.run()
    }
}
