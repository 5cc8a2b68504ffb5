import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilAPI
import VigilCore
import VigilScan
import VigilStore
import VigilVision

/// Enrolment through the API with the same checks as the CLI (one face, HOG). Its
/// analyzer is made on first use: a daemon nobody enrols through never loads a second model copy.
public final class DaemonEnroller: FaceEnrolling, @unchecked Sendable {
    private let models: VisionModels
    private let lock = NSLock()
    private var enroller: Enroller?

    public init(models: VisionModels) {
        self.models = models
    }

    public func prepare(imageAt path: String) async throws -> NewEnrolment {
        let enroller = try lock.withLock {
            if let enroller = self.enroller { return enroller }
            let made = Enroller(analyzer: try FaceAnalyzer(models: models, settings: .enrolment, label: "vigil.api.enrol"))
            self.enroller = made
            return made
        }
        do {
            return try await enroller.prepare(image: path)
        } catch let error as EnrolmentError {
            throw UploadError(.unprocessableContent, error.description)
        }
    }
}

/// Set once every service has started; `/readyz` reads it.
final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// The HTTP API as a service of the daemon's ServiceGroup (graceful shutdown with the rest).
struct APIService: Service {
    let daemon: Daemon

    func run() async throws {
        let config = daemon.config
        var environment = APIEnvironment(
            cameras: config.cameras, hooks: config.hooks, uploads: config.api.uploads,
            enroller: DaemonEnroller(models: VisionModels(directory: config.models)),
            requeued: { [dispatcher = daemon.dispatcher] in dispatcher?.notify() },
            ready: { [ready = daemon.ready] in ready.isSet },
            metrics: { [registry = daemon.metrics.registry] in registry.emitToString() },
            previews: daemon.previews)
        environment.frameRates = { [metrics = daemon.metrics] in metrics.frameRates }
        if config.services.contains("eeg") { environment.eeg = DaemonEEG(models: config.eegModels) }
        environment.crime = daemon.crime
        let router = APIServer.router(store: StoreAccess(database: daemon.database), environment: environment,
                                      limiter: FailureLimiter(limit: config.api.failedAuthLimit, window: 60))
        let logger = daemon.logger
        let app = Application(router: router, configuration: .init(address: .hostname(config.api.host, port: config.api.port), serverName: "Vigil"),
                              onServerRunning: { channel in
                                  logger.notice("api listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")",
                                                                           "port": "\(channel.localAddress?.port ?? 0)"])
                              }, logger: logger)
        try await app.run()
    }
}
