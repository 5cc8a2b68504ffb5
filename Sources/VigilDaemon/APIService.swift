import Foundation
import Hummingbird
import NIOCore
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
        // Loading the models takes seconds and blocks: off the concurrency pool.
        let enroller = try await Blocking.run(throwing: { [self] in
            try lock.withLock {
                if let enroller = self.enroller { return enroller }
                let made = Enroller(analyzer: try FaceAnalyzer(models: models, settings: .enrolment, label: "vigil.api.enrol"))
                self.enroller = made
                return made
            }
        })
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
            metrics: { [registry = daemon.metrics.registry] in MetricCatalogue.exposition(registry) },
            previews: daemon.previews)
        environment.frameRates = { [metrics = daemon.metrics] in metrics.frameRates }
        if config.services.contains("eeg") { environment.eeg = DaemonEEG(models: config.eegModels) }
        environment.crime = daemon.crime
        environment.trustedProxies = config.api.trustedProxies
        environment.maxStreamsPerToken = config.api.maxStreamsPerToken
        environment.placement = daemon.directory
        environment.nodeName = daemon.node?.name ?? ""
        let node = daemon.node
        let router = APIServer.router(store: StoreAccess(store: daemon.database), environment: environment,
                                      limiter: FailureLimiter(limit: config.api.failedAuthLimit, window: 60))
        let logger = daemon.logger
        // Idle connections, and requests whose head has not arrived, are closed after idle_timeout
        // (Hummingbird counts activity in whole request parts, so a header sent byte by byte is idle).
        let idle = TimeAmount.milliseconds(Int64(config.api.idleTimeout * 1000))
        let app = Application(router: router, server: .http1(configuration: .init(idleTimeout: idle)), configuration: .init(address: .hostname(config.api.host, port: config.api.port), serverName: "Vigil"),
                              onServerRunning: { channel in
                                  logger.notice("api listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")",
                                                                           "port": "\(channel.localAddress?.port ?? 0)"])
                                  SystemdNotifier.notify("READY=1\nSTATUS=serving on port \(channel.localAddress?.port ?? 0)")
                                  // Other nodes forward previews of this node's cameras here.
                                  node?.advertise(api: config.api.advertised(port: channel.localAddress?.port ?? config.api.port,
                                                                             hostName: PostgresStore.hostName))
                              }, logger: logger)
        try await app.run()
    }
}
