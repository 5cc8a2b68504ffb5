import ArgumentParser
import Foundation
import VigilCluster
import VigilCore
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
        // On a shared database: which node holds each camera's lease (none while it is free).
        let holders = try await leaseHolders()
        if json {
            for r in rows {
                let node: [(String, Any?)] = holders.map { [("node", $0[r.cameraID] ?? nil)] } ?? []
                print(Output.jsonLine([("camera", r.cameraID)] + node + [("state", r.state), ("last_error", r.lastError),
                                       ("frames_decoded", r.framesDecoded), ("frames_analysed", r.framesAnalysed),
                                       ("frames_dropped", r.framesDropped), ("motion_skipped", r.motionSkipped),
                                       ("reconnects", r.reconnects), ("handled_fps", r.handledFPS), ("detect_fps", r.detectFPS),
                                       ("cpu_ms_per_s", [("decode", r.cpuDecode), ("motion", r.cpuMotion), ("detect", r.cpuDetect),
                                                          ("track", r.cpuTrack), ("encode", r.cpuEncode), ("plates", r.cpuPlates), ("people", r.cpuPeople),
                                                          ("total", r.cpuTotal)] as [(String, Any?)]),
                                       ("over_capacity", r.overCapacity), ("detect_stretch", r.detectStretch), ("updated_at", r.updatedAt)]))
            }
            return
        }
        if let holders {
            // Every camera of the installation, reported or not: an unheld one is the operator's business.
            print(Output.table(["CAMERA", "NODE", "STATE", "UPDATED"], holders.keys.sorted().map { camera in
                let row = rows.first { $0.cameraID == camera }
                let holder = holders[camera] ?? nil
                return [camera, holder ?? "(none: no live node holds it)", row?.state ?? "-",
                        row.map { "\(Int(Date().timeIntervalSince($0.updatedAt))) s ago" } ?? "never"]
            }))
            print("")
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
        // Per node: what sizes it. On SQLite there is one node, unnamed.
        let byNode = Dictionary(grouping: rows) { row in holders.flatMap { $0[row.cameraID] ?? nil } ?? "" }
        for (node, cameras) in byNode.sorted(by: { $0.key < $1.key }) {
            let total = cameras.reduce(0) { $0 + $1.cpuTotal }
            let name = node.isEmpty ? "node" : "node \(node)"
            print("\(name): " + String(format: "%.0f CPU ms/s across %d camera(s) (%.2f cores)", total, cameras.count, total / 1000))
            if cameras.contains(where: \.overCapacity) {
                let stretch = cameras.map(\.detectStretch).max() ?? 1
                print("\(name) OVER CAPACITY: frames were dropped; every camera's detection interval is stretched evenly, "
                      + String(format: "%.2fx,", stretch) + " to keep all of them in real time")
            }
        }
    }

    /// The camera leases' holders by camera id, or nil on an SQLite database (one node, no leases).
    private func leaseHolders() async throws -> [String: String?]? {
        guard DatabaseAddress.isPostgres(common.databasePath) else { return nil }
        return try await ClusterCommand.withDatabase(common) { try await $0.status().holders(.camera) }
    }
}
