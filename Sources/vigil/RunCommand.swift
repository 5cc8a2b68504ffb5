import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilDaemon
import VigilStore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon: every enabled camera, live watchlists, durable alerts.")

    @OptionGroup var files: ConfigOptions
    @Option(help: "Database (overrides the configuration).") var db: String?
    @Flag(help: "Decode files as fast as possible instead of at their frame rate.") var fast = false
    @Flag(help: "Analyse every sampled frame, even when nothing moves (for measurements).") var noMotionGate = false
    @Flag(help: "Encode every face in every analysed frame instead of tracking (for measurements).") var noTracking = false

    func run() async throws {
        var loaded = try files.load(database: db)
        if loaded.models == nil { loaded.models = ProcessInfo.processInfo.environment["VIGIL_MODELS"] }
        Bootstrap.logging(level: Logger.Level(rawValue: loaded.logLevel) ?? .info)
        let daemon = try wrap {
            try Daemon(config: loaded, options: DaemonOptions(fast: fast, motionGating: !noMotionGate, tracking: !noTracking),
                       logger: Logger(label: "vigil"))
        }
        try await daemon.run()
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Camera states as the running daemon last reported them.")
    @OptionGroup var common: CommonOptions
    @Flag(help: "JSON output.") var json = false

    func run() async throws {
        let rows = try wrap { try open(common).cameraStatus() }
        if json {
            for r in rows {
                print(Output.jsonLine([("camera", r.cameraID), ("state", r.state), ("last_error", r.lastError),
                                       ("frames_decoded", r.framesDecoded), ("frames_analysed", r.framesAnalysed),
                                       ("frames_dropped", r.framesDropped), ("motion_skipped", r.motionSkipped),
                                       ("reconnects", r.reconnects), ("updated_at", r.updatedAt)]))
            }
            return
        }
        guard !rows.isEmpty else {
            print("no camera status: the daemon has not run against this database")
            return
        }
        let stale = rows.allSatisfy { Date().timeIntervalSince($0.updatedAt) > 5 }
        if stale { print("(last reported \(Int(Date().timeIntervalSince(rows[0].updatedAt))) s ago: the daemon is not running)") }
        print(Output.table(["CAMERA", "STATE", "DECODED", "ANALYSED", "DROPPED", "STILL", "RECONNECTS"], rows.map {
            [$0.cameraID, $0.state, "\($0.framesDecoded)", "\($0.framesAnalysed)", "\($0.framesDropped)", "\($0.motionSkipped)", "\($0.reconnects)"]
        }))
    }
}
