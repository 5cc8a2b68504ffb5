import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import VigilAPI
import VigilConfig
import VigilCore
import VigilCrime
import VigilStore

/// `services: [crime]`: incidents, scores, hotspots and the registry for the API, and the
/// scheduled retrain and drift check. XGBoost and OpenCV run on one serial queue, never on
/// the cooperative pool; the lifecycle (and its loaded models) is only touched there.
public final class DaemonCrime: CrimeService, @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.crime")
    /// Only used on `queue`.
    private let lifecycle: QueueConfined<CrimeLifecycle>
    let settings: CrimeSettings
    let routes: [OutboxRoute]
    let logger: Logger

    public init(database: any CrimeStore, settings: CrimeSettings, routes: [OutboxRoute], logger: Logger) {
        lifecycle = QueueConfined(CrimeLifecycle(database: database, logger: logger))
        self.settings = settings
        self.routes = routes
        self.logger = logger
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (CrimeLifecycle) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { [lifecycle] in
                continuation.resume(with: Result {
                    do { return try body(lifecycle.value) } catch let error as CrimeError { throw Self.http(error) }
                })
            }
        }
    }

    /// Crime errors as the API answers them: the same message, a 4xx status.
    static func http(_ error: CrimeError) -> UploadError {
        switch error {
        case .noModel: return UploadError(.notFound, error.description)
        case .notEnoughData: return UploadError(.unprocessableContent, error.description)
        case .native: return UploadError(.internalServerError, error.description)
        default: return UploadError(.badRequest, error.description)
        }
    }

    public func addIncident(_ body: Data) async throws -> Data {
        try await onQueue { crime in
            let stored = try crime.database.recordIncident(try IncidentJSON.parse(body, requireID: true))
            return try CrimeJSON.encode(stored)
        }
    }

    public func recordOutcome(source: String, id: String, body: Data) async throws -> Data {
        try await onQueue { crime in
            let outcome = try IncidentJSON.outcome(body)
            return try CrimeJSON.encode(try crime.database.recordOutcome(source: source, sourceID: id, arrest: outcome.arrest, severity: outcome.severity))
        }
    }

    public func score(_ body: Data, task: String) async throws -> Data {
        try await onQueue { crime in try CrimeJSON.encode(try crime.score(json: body, task: task)) }
    }

    public func hotspots(_ query: HotspotQuery) async throws -> Data {
        try await onQueue { crime in
            var incidents = try crime.database.incidents()
            if let days = query.days, let newest = incidents.map(\.occurredAt).max() {
                let cutoff = newest.addingTimeInterval(-Double(days) * 86_400)
                incidents = incidents.filter { $0.occurredAt > cutoff }
            }
            guard !incidents.isEmpty else { throw CrimeError.notEnoughData("no incidents stored") }
            let method: HotspotMethod = query.method == "dbscan" ? .dbscan(epsMetres: query.epsMetres, minSamples: query.minSamples)
                : .kmeans(k: query.k, seed: query.seed)
            return try Hotspots.geoJSON(try Hotspots.find(incidents, method: method))
        }
    }

    public func models(task: String?) async throws -> Data {
        try await onQueue { crime in
            try CrimeJSON.encode(try crime.database.crimeModels(task: task).map { record in
                try RegistryEntry(record: record, history: try crime.database.crimeModelEvents(model: record.id ?? 0))
            })
        }
    }

    /// One scheduled cycle: retrain each task (promoting only if not worse), then check drift.
    func cycle() async -> (retrained: [CrimeLifecycle.RetrainOutcome], drift: [CrimeDriftRecord]) {
        var outcomes: [CrimeLifecycle.RetrainOutcome] = [], drifts: [CrimeDriftRecord] = []
        for name in settings.tasks {
            do {
                let settings = self.settings
                outcomes.append(try await onQueue { crime in try crime.retrain(task: try CrimeTask.named(name), tolerance: settings.tolerance) })
            } catch {
                logger.warning("crime retrain failed; production unchanged", metadata: ["task": "\(name)", "error": "\(error)"])
            }
            do {
                let settings = self.settings, routes = self.routes
                if let drift = try await onQueue({ crime in
                    try crime.checkDrift(task: name, threshold: settings.driftThreshold, window: settings.driftWindow,
                                         minimum: settings.driftMinimum, routes: routes)
                }) { drifts.append(drift) }
            } catch {
                logger.info("crime drift not checked", metadata: ["task": "\(name)", "error": "\(error)"])
            }
        }
        return (outcomes, drifts)
    }
}

/// A non-Sendable value that only one serial queue ever touches (the queue is the lock).
final class QueueConfined<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Retrains on `crime.retrain_interval` (daily by default) and checks drift after each
/// retrain; drift alerts wake the hook dispatcher. In an installation of several nodes only one
/// runs the cycle (`isTurn`: the first live node by name), or every node would register its own
/// version of each model.
struct CrimeSchedulerService: Service {
    let crime: DaemonCrime
    let wake: @Sendable () -> Void
    var isTurn: @Sendable () async -> Bool = { true }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(crime.settings.retrainInterval)) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            guard await isTurn() else {
                crime.logger.info("crime retrain left to another node (the first live node by name runs it)")
                continue
            }
            let (_, drifts) = await crime.cycle()
            if drifts.contains(where: \.alerted) { wake() }
        }
    }
}
