import ArgumentParser
import Foundation
import VigilStore

public struct StatusCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Camera states as the running daemon last reported them.")
    @OptionGroup var common: CommonOptions
    @Flag(help: "JSON output.") var json = false

    public func run() async throws {
        let store = try await openStore(common)
        let rows = try wrap { try store.cameraStatus() }
        if json {
            for r in rows {
                print(Output.jsonLine([("camera", r.cameraID), ("state", r.state), ("last_error", r.lastError),
                                       ("frames_decoded", r.framesDecoded), ("frames_analysed", r.framesAnalysed),
                                       ("frames_dropped", r.framesDropped), ("motion_skipped", r.motionSkipped),
                                       ("reconnects", r.reconnects), ("handled_fps", r.handledFPS), ("detect_fps", r.detectFPS),
                                       ("cpu_ms_per_s", [("decode", r.cpuDecode), ("motion", r.cpuMotion), ("detect", r.cpuDetect),
                                                          ("track", r.cpuTrack), ("encode", r.cpuEncode), ("plates", r.cpuPlates), ("people", r.cpuPeople),
                                                          ("total", r.cpuTotal)] as [(String, Any?)]),
                                       ("over_capacity", r.overCapacity), ("updated_at", r.updatedAt)]))
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
        // What each camera costs, in CPU milliseconds per second (1000 = one core), over the last few seconds.
        let ms = { (value: Double) in String(format: "%.0f", value) }
        print("")
        print(Output.table(["CAMERA", "FPS", "DETECT/S", "DECODE", "MOTION", "DETECT", "TRACK", "ENCODE", "PLATES", "PEOPLE", "CPU MS/S"], rows.map {
            [$0.cameraID, String(format: "%.1f", $0.handledFPS), String(format: "%.1f", $0.detectFPS), ms($0.cpuDecode),
             ms($0.cpuMotion), ms($0.cpuDetect), ms($0.cpuTrack), ms($0.cpuEncode), ms($0.cpuPlates), ms($0.cpuPeople), ms($0.cpuTotal)]
        }))
        let total = rows.reduce(0) { $0 + $1.cpuTotal }
        print(String(format: "node: %.0f CPU ms/s across %d camera(s) (%.2f cores)", total, rows.count, total / 1000))
        if rows.contains(where: \.overCapacity) {
            print("node OVER CAPACITY: frames are being dropped; every camera's detection interval is stretched evenly")
        }
    }
}
