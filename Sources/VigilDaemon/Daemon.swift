import Foundation
import Logging
import ServiceLifecycle
import VigilConfig
import VigilCore
import VigilHooks
import VigilCluster
import VigilStore
import VigilVision

/// Switches for `vigil run` that are not part of the configuration files.
public struct DaemonOptions: Sendable {
    /// Files are decoded as fast as possible instead of at their frame rate.
    public var fast = false
    /// Search only motion regions (plus the sweep); false searches whole frames (for measurements).
    public var motionRegions = true
    /// Detect at each camera's `detect_fps`; false detects in every analysed frame (for measurements).
    public var cadence = true
    /// Track faces between detections; false detects fully and encodes every face in every analysed frame.
    public var tracking = true
    /// On a shared PostgreSQL: this node's name in the installation (default: the host name).
    public var node: String?
    /// On a shared PostgreSQL: the most cameras this node claims (default: no limit but a fair share).
    public var maxCameras: Int?
    /// On a shared PostgreSQL: lease timing (how soon a dead node's cameras move). A node cut off from the
    /// database keeps analysing and spools its alerts (`LeaseSettings.keepWhileCutOff`).
    public var leases = LeaseSettings(keepWhileCutOff: true)

    public init(fast: Bool = false, motionRegions: Bool = true, cadence: Bool = true, tracking: Bool = true,
                node: String? = nil, maxCameras: Int? = nil) {
        self.fast = fast
        self.motionRegions = motionRegions
        self.cadence = cadence
        self.tracking = tracking
        self.node = node
        self.maxCameras = maxCameras
    }
}

/// `vigil run`: cameras, the analysis pool and upkeep as services of one
/// ServiceGroup. SIGTERM/SIGINT shut down in reverse order: cameras stop
/// decoding, workers finish the frames in hand, the alert sink commits what
/// it holds, and the last status is written.
public final class Daemon: Sendable {
    public let config: DaemonConfig
    public let cameras: [CameraIngest]
    /// The store: an SQLite file, or a shared PostgreSQL.
    let database: any SharedStore
    /// On PostgreSQL: this node's membership of the installation, and what it holds.
    let node: ClusterNode?
    /// On PostgreSQL: notifications of watchlist edits made on any node, for an immediate reload.
    let changes: ChangeFeed?
    /// On PostgreSQL: which node runs each camera, for the API.
    let directory: NodeDirectory?
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
    /// The Haar evaluator the workers' detectors ask for (logged at start; a worker warns when a
    /// camera's cascade makes it fall back to OpenCV's).
    let haarEngine: FaceDetector.HaarEngine
    let load = LoadFactor()
    /// How busy the node's cores are between two status reports (the load factor's second input).
    private let cores = CoreUse()
    private let rates = StatusRates()

    /// Opens the database `config` names (an SQLite file, or a `postgres://` address, connected
    /// and migrated) and builds the daemon on it.
    ///
    /// On PostgreSQL the daemon is a node of an installation: it loads the published cameras,
    /// offers its configuration's cameras and hooks as leasables, joins under its name (a name a
    /// live node uses is refused), and runs only the cameras and hooks whose leases it holds.
    public static func open(config: DaemonConfig, options: DaemonOptions, logger: Logger) async throws -> Daemon {
        var config = config
        guard DatabaseAddress.isPostgres(config.database) else {
            let database = try VigilDatabase(path: config.database, logger: logger)
            return try Daemon(config: config, options: options, store: database, node: nil, holdings: nil, changes: nil,
                              directory: nil, logger: logger)
        }
        let location = try DatabaseLocation(parsing: config.database)
        let name = options.node ?? PostgresStore.hostName
        // The node's lease metrics are made when it joins: the registry /metrics serves must exist by then.
        _ = Self.registry
        let store = try await PostgresStore.open(location, node: name, logger: logger)
        do {
            let (cameras, hooks) = try await prepareInstallation(location, config: &config, logger: logger)
            let holdings = NodeHoldings(logger: logger)
            let node = try await ClusterNode.join(location, name: name, cameraCapacity: options.maxCameras, settings: options.leases,
                                                  known: [.camera: cameras, .hook: hooks], logger: logger,
                                                  onChange: { holdings.report($0) })
            let changes = ChangeFeed(location, logger: logger) { topic in
                if topic == StoreTopic.watchlists.rawValue { holdings.watchlistsChanged() }
                if topic == "cameras" {
                    logger.notice("camera definitions were published; this node runs new or changed ones when it next starts")
                }
            }
            let directory = NodeDirectory(location: location, name: name, holdings: holdings, logger: logger)
            return try Daemon(config: config, options: options, store: store, node: node, holdings: holdings, changes: changes,
                              directory: directory, logger: logger)
        } catch {
            store.close()
            throw error
        }
    }

    /// Before a node joins: loads the cameras published to the installation into `config` (this
    /// node's own files win) and offers its enabled cameras and its hooks as leasables. Returns
    /// the ids it can serve.
    private static func prepareInstallation(_ location: DatabaseLocation, config: inout DaemonConfig,
                                            logger: Logger) async throws -> (cameras: Set<String>, hooks: Set<String>) {
        let cluster = try await ClusterDatabase.open(location, logger: logger)
        do {
            let published = try await cluster.cameraDefinitions()
            let added = try config.addCameras(published.map { (source: "published camera \($0.id)", text: $0.text) })
            if !added.isEmpty { logger.info("published cameras loaded", metadata: ["cameras": "\(added)"]) }
            let cameras = Set(config.cameras.filter(\.enabled).map(\.id)), hooks = Set(config.hooks.map(\.name))
            try await cluster.offer(.camera, keys: cameras)
            try await cluster.offer(.hook, keys: hooks)
            await cluster.close()
            return (cameras, hooks)
        } catch {
            await cluster.close()
            throw error
        }
    }

    init(config: DaemonConfig, options: DaemonOptions, store: any SharedStore, node: ClusterNode?, holdings: NodeHoldings?,
         changes: ChangeFeed?, directory: NodeDirectory?, logger: Logger) throws {
        self.config = config
        var logger = logger
        if let node { logger[metadataKey: "node"] = .string(node.name) }
        self.logger = logger
        FaceDetector.singleThreadedNative()
        haarEngine = try FaceDetector.preferredHaarEngine()
        database = store
        self.node = node
        self.changes = changes
        self.directory = directory
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
        // A shared database's disk is its server's: only a local file's folder is watched here.
        let databaseFolder = (config.database as NSString).deletingLastPathComponent
        let volumes = (store is VigilDatabase ? [("database", databaseFolder.isEmpty ? "." : databaseFolder)] : []) + [("snapshots", config.snapshots)]
        let metrics = DaemonMetrics(registry: Self.registry, cameras: enabled.map(\.id), volumes: volumes)
        self.metrics = metrics
        let previews = PreviewHub(cameras: enabled.map(\.id))
        self.previews = previews
        let analyses = enabled.enumerated().map { CameraAnalysis(config: $0.element, index: $0.offset, options: options) }
        let dispatcher = config.hooks.isEmpty ? nil
            : WebhookDispatcher(hooks: config.hooks, policy: config.delivery, database: database, leased: node != nil, logger: logger)
        self.dispatcher = dispatcher
        crime = config.services.contains("crime")
            ? DaemonCrime(database: database, settings: config.crime, routes: config.hooks.map(\.route), logger: logger) : nil
        if let problem = DurableFile.probe(folder: config.snapshots) {
            logger.error("the snapshots folder cannot be written: alerts will be stored without evidence until it can",
                         metadata: ["snapshots": "\(config.snapshots)", "error": "\(problem)"])
        }
        let sink = try AlertSink(database: database, snapshots: config.snapshots, spool: Self.spoolFolder(config),
                                 routes: config.hooks.map(\.route), metrics: metrics, logger: logger,
                                 committed: { dispatcher?.notify() })
        self.sink = sink
        let galleries = self.galleries
        let models = VisionModels(directory: config.models)
        let count = min(config.workers, max(1, enabled.count))
        let load = self.load
        workers = try (0..<count).map { id in
            try AnalysisWorker(id: id, scheduler: scheduler, cameras: analyses, counters: cameras.map(\.counters),
                               metrics: metrics, previews: previews, galleries: galleries, sink: sink, models: models, load: load,
                               logger: logger)
        }
        holdings?.attach(cameras: cameras, dispatcher: dispatcher, galleries: galleries)
    }

    public func run() async throws {
        logger.info("vigil starting", metadata: ["cameras": "\(cameras.count)", "workers": "\(workers.count)", "haar": "\(haarEngine)",
                                                 "hooks": "\(config.hooks.count)", "database": "\(config.database)"])
        // Services stop in reverse order: cameras, then analysis (which commits its last alerts), then the dispatcher.
        var services: [any Service] = dispatcher.map { [$0] } ?? []
        if let crime {
            var scheduler = CrimeSchedulerService(crime: crime, wake: { [dispatcher] in dispatcher?.notify() })
            if let directory { scheduler.isTurn = { await directory.leads() } }
            services.append(scheduler)
        }
        if config.api.enabled { services.append(APIService(daemon: self)) }
        services += [UpkeepService(daemon: self), AnalysisService(daemon: self)]
        services += cameras.map { CameraService(ingest: $0, leased: node != nil) }
        // The node stops last: its leases are handed back once its cameras have stopped.
        if let node { services.insert(node, at: 0) }
        if let changes { services.append(changes) }
        if let directory { services.append(directory) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ready.set()
        // Without the API there is nothing to wait for: ready once the services are handed to the group.
        if !config.api.enabled { SystemdNotifier.notify("READY=1") }
        try await group.run()
        SystemdNotifier.notify("STOPPING=1")
        logger.info("vigil stopped")
    }

    /// Sightings waiting for the database live beside it, so they share its disk and its backups;
    /// with a shared PostgreSQL, on this machine beside the snapshots, which wait there too.
    static func spoolFolder(_ config: DaemonConfig) -> String {
        let beside = DatabaseAddress.isPostgres(config.database) ? config.snapshots : config.database
        return (beside as NSString).deletingLastPathComponent.isEmpty ? "alert-spool"
            : ((beside as NSString).deletingLastPathComponent as NSString).appendingPathComponent("alert-spool")
    }

    /// swift-metrics can be bootstrapped once per process; `vigil run` makes one daemon.
    static let registry = DaemonMetrics.bootstrap()

    /// Writes every camera's figures to the database for `vigil status`, samples the metrics,
    /// and lets the load factor judge whether the node keeps up.
    func reportStatus() {
        let snapshots = cameras.map(\.counters.snapshot)
        let dropped = cameras.map { scheduler.droppedFrames(camera: $0.index) }
        let handled = snapshots.reduce(0) { $0 + $1.framesAnalysed + $1.motionSkipped }
        load.sample(offered: handled + dropped.reduce(0, +), dropped: dropped.reduce(0, +), busy: cores.busy(), logger: logger)
        metrics.sample(cameras: snapshots, dropped: dropped, hooks: (try? database.hookStats()) ?? [], detectStretch: load.factor)
        let perSecond = rates.update(snapshots)
        let overCapacity = load.overCapacity, stretch = load.factor
        // A node reports the cameras it runs; the others are their holders' to report.
        let reported = node == nil ? cameras : cameras.filter(\.isActive)
        let rows = reported.map { camera -> CameraStatusRow in
            let s = snapshots[camera.index]
            var row = CameraStatusRow(cameraID: camera.config.id, state: s.state.description, lastError: s.lastError,
                                      framesDecoded: s.framesDecoded, framesAnalysed: s.framesAnalysed,
                                      framesDropped: dropped[camera.index], motionSkipped: s.motionSkipped,
                                      reconnects: s.reconnects, updatedAt: Date())
            let rate = perSecond[camera.index]
            row.cpuDecode = 1000 * rate.costs[.decode]
            row.cpuMotion = 1000 * rate.costs[.motion]
            row.cpuDetect = 1000 * rate.costs[.detect]
            row.cpuTrack = 1000 * rate.costs[.track]
            row.cpuEncode = 1000 * rate.costs[.encode]
            row.cpuPlates = 1000 * rate.costs[.plates]
            row.cpuPeople = 1000 * rate.costs[.people]
            row.handledFPS = rate.handled
            row.detectFPS = rate.detections
            row.overCapacity = overCapacity
            row.detectStretch = stretch
            return row
        }
        do { try database.reportCameraStatus(rows) } catch { logger.warning("status not written", metadata: ["error": "\(error)"]) }
    }
}

/// Per-second rates from the cameras' running totals, over a window of a few
/// seconds so one slow frame does not make a camera look idle or swamped.
final class StatusRates: @unchecked Sendable {
    struct Rate {
        var costs = StageCosts()
        var handled = 0.0
        var detections = 0.0
    }

    private let lock = NSLock()
    private var history: [(time: Double, cameras: [CameraCounters.Snapshot])] = []
    private let window = 5.0

    func update(_ snapshots: [CameraCounters.Snapshot]) -> [Rate] {
        lock.withLock {
            let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
            history.append((now, snapshots))
            while history.count > 2, now - history[0].time > window { history.removeFirst() }
            guard let first = history.first, now - first.time > 0.2, first.cameras.count == snapshots.count else {
                return snapshots.map { _ in Rate() }
            }
            let seconds = now - first.time
            return zip(first.cameras, snapshots).map { before, after in
                var costs = after.costs - before.costs
                for stage in Stage.allCases { costs[stage] /= seconds }
                let handled = (after.framesAnalysed + after.motionSkipped) - (before.framesAnalysed + before.motionSkipped)
                return Rate(costs: costs, handled: Double(handled) / seconds, detections: Double(after.detections - before.detections) / seconds)
            }
        }
    }
}

/// One camera's decoder thread. A node's camera is started and stopped by its lease
/// (`NodeHoldings`); this only stops it for good on shutdown.
struct CameraService: Service {
    let ingest: CameraIngest
    let leased: Bool

    func run() async throws {
        if !leased { ingest.activate() }
        try? await gracefulShutdown()
        await Blocking.run { ingest.shutdown() }
    }
}

/// The analysis workers and the alert sink: drained and flushed on shutdown.
struct AnalysisService: Service {
    let daemon: Daemon

    func run() async throws {
        daemon.workers.forEach { $0.start() }
        try? await gracefulShutdown()
        await Blocking.run {
            daemon.scheduler.close()
            daemon.workers.forEach { $0.join() }
            daemon.sink.flush()
        }
    }
}

/// Once a second: reload changed watchlists, report camera status. Hourly: expire old evidence
/// and prune finished history. Every step blocks on SQLite or the disk, so each runs off the
/// cooperative pool.
struct UpkeepService: Service {
    let daemon: Daemon

    func run() async throws {
        var lastExpiry = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let hourly = Date().timeIntervalSince(lastExpiry) > 3600
            if hourly { lastExpiry = Date() }
            await Blocking.run { [daemon] in
                do { try daemon.galleries.refresh() } catch {
                    daemon.logger.warning("watchlists not reloaded", metadata: ["error": "\(error)"])
                }
                daemon.reportStatus()
                if hourly { Self.expire(daemon) }
            }
            try? await Task.sleep(for: .seconds(1))
        }
        await Blocking.run { [daemon] in daemon.reportStatus() }
    }

    static func expire(_ daemon: Daemon) {
        let config = daemon.config
        do {
            if config.snapshotRetentionDays > 0 {
                let files = try daemon.database.expireEvidence(before: Date().addingTimeInterval(-Double(config.snapshotRetentionDays) * 86_400))
                for file in files { try? FileManager.default.removeItem(atPath: file) }
                if !files.isEmpty { daemon.logger.info("expired alert evidence", metadata: ["files": "\(files.count)"]) }
            }
            let history = Date().addingTimeInterval(-Double(config.historyRetentionDays) * 86_400)
            let pruned = try daemon.database.pruneDeliveries(before: history)
            let events = try daemon.database.pruneAlertEvents(before: history)
            if pruned + events > 0 {
                daemon.logger.info("pruned history", metadata: ["deliveries": "\(pruned)", "alert_events": "\(events)"])
            }
        } catch {
            daemon.logger.warning("evidence and history not expired", metadata: ["error": "\(error)"])
        }
    }
}
