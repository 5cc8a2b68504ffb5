import Foundation
import Metrics
import Prometheus
import VigilCore
import VigilStore

/// The daemon's Prometheus metrics. Hot paths (workers, the alert sink, the hook
/// dispatcher) record through swift-metrics handles made once per camera; totals
/// the daemon already counts (frames decoded, drops, reconnects) are turned into
/// counters once a second by `sample`, so the decode loop pays nothing for them.
final class DaemonMetrics: @unchecked Sendable {
    let registry: PrometheusCollectorRegistry
    private let cameras: [CameraHandles]
    private let lock = NSLock()
    private var last: [CameraCounters.Snapshot?]
    private var lastDropped: [Int]
    private var lastSample = Date()
    private var rates: [String: (decoded: Double, analysed: Double)] = [:]
    private let ids: [String]
    /// The process's CPU time is a counter: it grows by what /proc says was spent since the last sample.
    private let processCPU = FloatingPointCounter(label: "process_cpu_seconds_total")
    private var lastCPUSeconds = 0.0

    struct CameraHandles {
        let detect: Metrics.Timer
        let encode: Metrics.Timer
        let latency: Metrics.Timer
        let faces: Metrics.Counter
        let plates: Metrics.Counter
        let plateStage: Metrics.Timer
        let matches: Metrics.Counter
        let alertsNew: Metrics.Counter
        let alertsUpdated: Metrics.Counter
        let decoded: Metrics.Counter
        let analysed: Metrics.Counter
        let dropped: Metrics.Counter
        let still: Metrics.Counter
        let reconnects: Metrics.Counter
        let fpsDecoded: Metrics.Gauge
        let fpsAnalysed: Metrics.Gauge
        let streaming: Metrics.Gauge
        /// CPU seconds by stage (`Stage` order): what each camera costs the node.
        let cpu: [FloatingPointCounter]
    }

    /// Bootstraps swift-metrics with a Prometheus registry: once per process.
    static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        let stages: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                  .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1.6), .seconds(3.2)]
        factory.defaultDurationHistogramBuckets = stages
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// Folders whose file systems are watched for space (database, snapshots), by name.
    private let volumes: [(name: String, path: String)]

    init(registry: PrometheusCollectorRegistry, cameras ids: [String], volumes: [(name: String, path: String)] = []) {
        self.registry = registry
        self.ids = ids
        self.volumes = volumes
        cameras = ids.map { id in
            let camera = [("camera", id)]
            return CameraHandles(
                detect: Metrics.Timer(label: "vigil_stage_seconds", dimensions: camera + [("stage", "detect")]),
                encode: Metrics.Timer(label: "vigil_stage_seconds", dimensions: camera + [("stage", "encode")]),
                latency: Metrics.Timer(label: "vigil_stage_seconds", dimensions: camera + [("stage", "capture_to_analysed")]),
                faces: Metrics.Counter(label: "vigil_faces_detected_total", dimensions: camera),
                plates: Metrics.Counter(label: "vigil_plates_read_total", dimensions: camera),
                plateStage: Metrics.Timer(label: "vigil_stage_seconds", dimensions: camera + [("stage", "plates")]),
                matches: Metrics.Counter(label: "vigil_matches_total", dimensions: camera),
                alertsNew: Metrics.Counter(label: "vigil_alerts_total", dimensions: camera + [("event", "created")]),
                alertsUpdated: Metrics.Counter(label: "vigil_alerts_total", dimensions: camera + [("event", "updated")]),
                decoded: Metrics.Counter(label: "vigil_camera_frames_decoded_total", dimensions: camera),
                analysed: Metrics.Counter(label: "vigil_camera_frames_analysed_total", dimensions: camera),
                dropped: Metrics.Counter(label: "vigil_camera_frames_dropped_total", dimensions: camera),
                still: Metrics.Counter(label: "vigil_camera_frames_motion_skipped_total", dimensions: camera),
                reconnects: Metrics.Counter(label: "vigil_camera_reconnects_total", dimensions: camera),
                fpsDecoded: Metrics.Gauge(label: "vigil_camera_fps", dimensions: camera + [("kind", "decoded")]),
                fpsAnalysed: Metrics.Gauge(label: "vigil_camera_fps", dimensions: camera + [("kind", "analysed")]),
                streaming: Metrics.Gauge(label: "vigil_camera_streaming", dimensions: camera),
                cpu: Stage.allCases.map {
                    FloatingPointCounter(label: "vigil_camera_cpu_seconds_total", dimensions: camera + [("stage", $0.description)])
                })
        }
        last = Array(repeating: nil, count: ids.count)
        lastDropped = Array(repeating: 0, count: ids.count)
    }

    func analysed(camera: Int, detectSeconds: Double, encodeSeconds: Double, faces: Int, latency: Double) {
        let c = cameras[camera]
        c.detect.recordNanoseconds(Int64(detectSeconds * 1e9))
        if faces > 0 { c.encode.recordNanoseconds(Int64(encodeSeconds * 1e9)) }
        c.latency.recordNanoseconds(Int64(max(0, latency) * 1e9))
        c.faces.increment(by: faces)
    }

    /// Plate localisation + OCR time, and accepted reads, for one frame.
    func platesRead(camera: Int, seconds: Double, reads: Int) {
        let c = cameras[camera]
        c.plateStage.recordNanoseconds(Int64(seconds * 1e9))
        c.plates.increment(by: reads)
    }

    /// Frames per second decoded and analysed over the last second, per camera id (for the API).
    var frameRates: [String: (decoded: Double, analysed: Double)] { lock.withLock { rates } }

    func matched(camera: Int) { cameras[camera].matches.increment() }

    /// People who crossed a camera's line, by line and direction (made on first use: lines are per camera).
    func crossed(camera: Int, line: String, direction: String, count: Int) {
        Metrics.Counter(label: "vigil_line_crossings_total", dimensions: [("camera", ids[camera]), ("line", line), ("direction", direction)])
            .increment(by: count)
    }

    func alert(camera: Int, isNew: Bool) {
        (isNew ? cameras[camera].alertsNew : cameras[camera].alertsUpdated).increment()
    }

    /// Once a second: the camera totals as counters and frame rates, the outbox by state, the process,
    /// and how far the node stretches detection (`LoadFactor`).
    func sample(cameras snapshots: [CameraCounters.Snapshot], dropped: [Int], hooks: [HookStats], detectStretch: Double) {
        lock.withLock {
            Metrics.Gauge(label: "vigil_detect_stretch").record(detectStretch)
            let now = Date()
            let seconds = max(0.001, now.timeIntervalSince(lastSample))
            lastSample = now
            for (index, s) in snapshots.enumerated() where index < cameras.count {
                let c = cameras[index]
                let previous = last[index]
                let decoded = s.framesDecoded - (previous?.framesDecoded ?? 0)
                let analysed = s.framesAnalysed - (previous?.framesAnalysed ?? 0)
                c.decoded.increment(by: max(0, decoded))
                c.analysed.increment(by: max(0, analysed))
                c.still.increment(by: max(0, s.motionSkipped - (previous?.motionSkipped ?? 0)))
                c.reconnects.increment(by: max(0, s.reconnects - (previous?.reconnects ?? 0)))
                c.dropped.increment(by: max(0, dropped[index] - lastDropped[index]))
                let rate = (decoded: Double(max(0, decoded)) / seconds, analysed: Double(max(0, analysed)) / seconds)
                c.fpsDecoded.record(rate.decoded)
                c.fpsAnalysed.record(rate.analysed)
                rates[ids[index]] = rate
                c.streaming.record(s.state.description == "streaming" ? 1 : 0)
                let spent = s.costs - (previous?.costs ?? StageCosts())
                for stage in Stage.allCases where spent[stage] > 0 { c.cpu[stage.rawValue].increment(by: spent[stage]) }
                last[index] = s
                lastDropped[index] = dropped[index]
            }
            for hook in hooks {
                for (state, value) in [("pending", hook.pending), ("delivered", hook.delivered), ("dead", hook.dead)] {
                    Metrics.Gauge(label: "vigil_hook_outbox", dimensions: [("hook", hook.hook), ("state", state)]).record(value)
                }
            }
            for volume in volumes {
                var figures = statvfs()
                guard statvfs(volume.path, &figures) == 0 else { continue }
                let block = Double(figures.f_frsize)
                Metrics.Gauge(label: "vigil_storage_free_bytes", dimensions: [("volume", volume.name)])
                    .record(Double(figures.f_bavail) * block)
                Metrics.Gauge(label: "vigil_storage_capacity_bytes", dimensions: [("volume", volume.name)])
                    .record(Double(figures.f_blocks) * block)
            }
            ProcessFigures.read().map { p in
                Metrics.Gauge(label: "process_resident_memory_bytes").record(p.residentBytes)
                if p.cpuSeconds > lastCPUSeconds { processCPU.increment(by: p.cpuSeconds - lastCPUSeconds) }
                lastCPUSeconds = max(lastCPUSeconds, p.cpuSeconds)
                Metrics.Gauge(label: "process_open_fds").record(p.openFiles)
            }
        }
    }
}

/// Resident memory, CPU time and open files of this process, from /proc.
struct ProcessFigures {
    var residentBytes: Double
    var cpuSeconds: Double
    var openFiles: Int

    static func read() -> ProcessFigures? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ")?.upperBound else { return nil }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
        // Fields after "(comm) ": state is index 0, so utime (field 14) is index 11 and stime index 12.
        let fields = stat[afterName...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = fields.count > 12 ? ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks : 0
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessFigures(residentBytes: pages * Double(sysconf(Int32(_SC_PAGESIZE))), cpuSeconds: cpu, openFiles: files)
    }
}
