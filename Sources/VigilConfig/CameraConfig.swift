import Foundation
import VigilCore

/// What a camera looks for.
public enum DetectionKind: String, Sendable, Codable, CaseIterable {
    case faces
    case plates
}

/// Reconnection policy: exponential backoff with jitter for attempts that reach no frame; a session that delivered a frame starts the next outage from `initialDelay`.
public struct ReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Double = 1
    public var maxDelay: Double = 30
    /// No frame for this long means the stream is stalled: reconnect.
    public var stallTimeout: Double = 10
    /// Connecting (open + first packet) may take at most this long.
    public var openTimeout: Double = 10

    public init() {}
}

/// One camera, from `cameras/<id>.yaml` merged over the global defaults.
public struct CameraConfig: Sendable, Equatable {
    public var id: String
    public var name: String
    /// rtsp://, rtsps://, http(s):// (MJPEG) or a file path.
    public var url: String
    public var enabled: Bool
    /// Files only: start again at the end.
    public var loop: Bool
    public var analyseFPS: Double
    /// Motion regions, detection cadence, sweep and tracking for faces.
    public var analysis: AnalysisSettings
    public var detect: [DetectionKind]
    public var face: DetectorSettings
    /// Plate localisation, OCR and voting settings (`plates:`).
    public var plates: PlateSettings
    public var cascade: String?
    public var watchlists: [String]
    /// Detection region, pixel coordinates of the source; nil = whole frame.
    public var roi: [Point]?
    /// People and behaviour rules (`behaviour:`); nil when the camera has none.
    public var behaviour: BehaviourSettings?
    /// Seconds during which repeated sightings of one subject on this camera update one alert.
    public var cooldown: Double
    public var reconnect: ReconnectPolicy
    /// The file this camera came from, for messages.
    public var file: String

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
    }

    public var isFile: Bool { !url.contains("://") }
}
