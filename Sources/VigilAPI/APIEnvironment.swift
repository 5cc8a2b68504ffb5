import Foundation
import VigilConfig
import VigilStore

/// Turns an uploaded image into a checked enrolment (one face, encoded). The daemon
/// supplies one backed by its vision stack; without it, enrolment answers 503.
public protocol FaceEnrolling: Sendable {
    /// Throws an `UploadError` (422) naming the problem, as the CLI would print it.
    func prepare(imageAt path: String) async throws -> NewEnrolment
}

/// What the API needs from the daemon besides the database.
public struct APIEnvironment: Sendable {
    public var cameras: [CameraConfig]
    public var hooks: [HookConfig]
    /// Uploaded enrolment photos are kept here (they are the evidence an alert points back to).
    public var uploads: String
    public var enroller: (any FaceEnrolling)?
    /// Set when the daemon runs `services: [eeg]`; the `/v1/eeg/*` routes answer 404 otherwise.
    public var eeg: (any EEGService)?
    /// Set when the daemon runs `services: [crime]`; the `/v1/crime/*` routes answer 404 otherwise.
    public var crime: (any CrimeService)?
    /// Wakes the hook dispatcher after an operator re-queues deliveries.
    public var requeued: @Sendable () -> Void
    /// True once the daemon's services are running (`/readyz`).
    public var ready: @Sendable () -> Bool
    /// The Prometheus text exposition for `/metrics` (nil: no metrics in this process).
    public var metrics: (@Sendable () -> String)?
    public var previews: (any PreviewSource)?
    /// Set on a node of an installation: where each camera runs, so previews of cameras other nodes
    /// run are forwarded to them and `/v1/cameras` names each holder.
    public var placement: (any CameraPlacement)?
    /// This node's name (sent with forwarded requests).
    public var nodeName = ""
    /// Frames per second decoded and analysed over the last second, per camera (nil outside the daemon).
    public var frameRates: (@Sendable () -> [String: (decoded: Double, analysed: Double)])?
    /// Most preview frames per second per viewer: previews must never slow analysis.
    public var previewFPS = 2.0
    /// Proxies whose `X-Forwarded-For` names the client (`api.trusted_proxies`).
    public var trustedProxies: [AddressBlock] = []
    /// Open alert streams and previews per token (`api.max_streams_per_token`).
    public var maxStreamsPerToken = 8

    public init(cameras: [CameraConfig] = [], hooks: [HookConfig] = [], uploads: String, enroller: (any FaceEnrolling)? = nil,
                requeued: @escaping @Sendable () -> Void = {}, ready: @escaping @Sendable () -> Bool = { true },
                metrics: (@Sendable () -> String)? = nil, previews: (any PreviewSource)? = nil) {
        self.previews = previews
        self.metrics = metrics
        self.cameras = cameras
        self.hooks = hooks
        self.uploads = uploads
        self.enroller = enroller
        self.requeued = requeued
        self.ready = ready
    }
}
