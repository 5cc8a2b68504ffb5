import Foundation
import Logging
import ServiceLifecycle
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore
import VigilVision

/// Switches for `vigil run` that are not part of the configuration files.
public struct DaemonOptions: Sendable {
    /// Files are decoded as fast as possible instead of at their frame rate.
    public var fast = false
    public var motionGating = true
    public var tracking = true

    public init(fast: Bool = false, motionGating: Bool = true, tracking: Bool = true) {
        self.fast = fast
        self.motionGating = motionGating
        self.tracking = tracking
    }
}

/// `vigil run`: cameras, the analysis pool and upkeep as services of one
/// ServiceGroup. SIGTERM/SIGINT shut down in reverse order: cameras stop
/// decoding, workers finish the frames in hand, the alert sink commits what
/// it holds, and the last status is written.
public final class Daemon: Sendable {
    public let config: DaemonConfig
    public let cameras: [CameraIngest]
    let database: VigilDatabase
    let galleries: GalleryCache
    let scheduler: FrameScheduler
    let workers: [AnalysisWorker]
    let sink: AlertSink
    /// Nil when no hook is configured.
    let dispatcher: WebhookDispatcher?
    /// `services: [crime]`: the API's crime routes and the scheduled retrain.
    let crime: DaemonCrime?
    let ready = ReadyFlag()
    let metrics: DaemonMetrics
    let previews: PreviewHub
    let logger: Logger

    public init(config: DaemonConfig, options: DaemonOptions, logger: Logger) throws {
        self.config = config
        self.logger = logger
        database = try VigilDatabase(path: config.database, logger: logger)
        galleries = GalleryCache(database: database, logger: logger)
        try galleries.refresh()
        let enabled = config.cameras.filter(\.enabled)
        let scheduler = FrameScheduler(cameras: enabled.count)
        self.scheduler = scheduler
        let clock = MonotonicClock()
        let cameras = enabled.enumerated().map { index, camera in
            CameraIngest(index: index, config: camera, scheduler: scheduler, clock: clock, fast: options.fast, logger: logger)
        }
        self.cameras = cameras
        var tracking = FaceTracker.Settings()
        if !options.tracking {
            tracking.maxEncodings = .max
            tracking.encodeInterval = 0
        }
        let metrics = DaemonMetrics(registry: Self.registry, cameras: enabled.map(\.id))
        self.metrics = metrics
        let previews = PreviewHub(cameras: enabled.map(\.id))
        self.previews = previews
        let analyses = enabled.map { CameraAnalysis(config: $0, tracker: tracking, useMotionGate: options.motionGating) }
        let dispatcher = config.hooks.isEmpty ? nil
            : WebhookDispatcher(hooks: config.hooks, policy: config.delivery, database: database, logger: logger)
        self.dispatcher = dispatcher
        crime = config.services.contains("crime")
            ? DaemonCrime(database: database, settings: config.crime, routes: config.hooks.map(\.route), logger: logger) : nil
        let sink = AlertSink(database: database, snapshots: config.snapshots, routes: config.hooks.map(\.route),
                             metrics: metrics, logger: logger, committed: { dispatcher?.notify() })
        self.sink = sink
        let galleries = self.galleries
        let models = VisionModels(directory: config.models)
        let count = min(config.workers, max(1, enabled.count))
        workers = try (0..<count).map { id in
            try AnalysisWorker(id: id, scheduler: scheduler, cameras: analyses, counters: cameras.map(\.counters),
                               metrics: metrics, previews: previews, galleries: galleries, sink: sink, models: models, logger: logger)
        }
    }

    public func run() async throws {
        logger.info("vigil starting", metadata: ["cameras": "\(cameras.count)", "workers": "\(workers.count)",
                                                 "hooks": "\(config.hooks.count)", "database": "\(config.database)"])
        // Services stop in reverse order: cameras, then analysis (which commits its last alerts), then the dispatcher.
        var services: [any Service] = dispatcher.map { [$0] } ?? []
        if let crime { services.append(CrimeSchedulerService(crime: crime, wake: { [dispatcher] in dispatcher?.notify() })) }
        if config.api.enabled { services.append(APIService(daemon: self)) }
        services += [UpkeepService(daemon: self), AnalysisService(daemon: self)]
        services += cameras.map { CameraService(ingest: $0) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ready.set()
        try await group.run()
        logger.info("vigil stopped")
    }

    /// swift-metrics can be bootstrapped once per process; `vigil run` makes one daemon.
    static let registry = DaemonMetrics.bootstrap()

    /// Writes every camera's figures to the database for `vigil status`, and samples the metrics.
    func reportStatus() {
        metrics.sample(cameras: cameras.map(\.counters.snapshot), dropped: cameras.map { scheduler.droppedFrames(camera: $0.index) },
                       hooks: (try? database.hookStats()) ?? [])
        let rows = cameras.map { camera -> CameraStatusRow in
            let s = camera.counters.snapshot
            return CameraStatusRow(cameraID: camera.config.id, state: s.state.description, lastError: s.lastError,
                                   framesDecoded: s.framesDecoded, framesAnalysed: s.framesAnalysed,
                                   framesDropped: scheduler.droppedFrames(camera: camera.index), motionSkipped: s.motionSkipped,
                                   reconnects: s.reconnects, updatedAt: Date())
        }
        do { try database.reportCameraStatus(rows) } catch { logger.warning("status not written", metadata: ["error": "\(error)"]) }
    }
}

/// Runs blocking work off the cooperative pool.
func offPool(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async {
            body()
            continuation.resume()
        }
    }
}

/// One camera's decoder thread.
struct CameraService: Service {
    let ingest: CameraIngest

    func run() async throws {
        ingest.start()
        try? await gracefulShutdown()
        await offPool { ingest.stop() }
    }
}

/// The analysis workers and the alert sink: drained and flushed on shutdown.
struct AnalysisService: Service {
    let daemon: Daemon

    func run() async throws {
        daemon.workers.forEach { $0.start() }
        try? await gracefulShutdown()
        await offPool {
            daemon.scheduler.close()
            daemon.workers.forEach { $0.join() }
            daemon.sink.flush()
        }
    }
}

/// Once a second: reload changed watchlists, report camera status. Hourly: expire old evidence.
struct UpkeepService: Service {
    let daemon: Daemon

    func run() async throws {
        var lastExpiry = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { try daemon.galleries.refresh() } catch {
                daemon.logger.warning("watchlists not reloaded", metadata: ["error": "\(error)"])
            }
            daemon.reportStatus()
            if daemon.config.snapshotRetentionDays > 0 && Date().timeIntervalSince(lastExpiry) > 3600 {
                lastExpiry = Date()
                expireEvidence()
            }
            try? await Task.sleep(for: .seconds(1))
        }
        daemon.reportStatus()
    }

    private func expireEvidence() {
        let cutoff = Date().addingTimeInterval(-Double(daemon.config.snapshotRetentionDays) * 86_400)
        do {
            let files = try daemon.database.expireEvidence(before: cutoff)
            let pruned = try daemon.database.pruneDeliveries(before: cutoff)
            if pruned > 0 { daemon.logger.info("pruned finished hook deliveries", metadata: ["deliveries": "\(pruned)"]) }
            for file in files { try? FileManager.default.removeItem(atPath: file) }
            if !files.isEmpty { daemon.logger.info("expired alert evidence", metadata: ["files": "\(files.count)"]) }
        } catch {
            daemon.logger.warning("evidence not expired", metadata: ["error": "\(error)"])
        }
    }
}
