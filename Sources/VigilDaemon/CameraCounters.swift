import Foundation
import VigilCore

/// Where a camera's connection stands.
public enum CameraState: Sendable, Equatable, CustomStringConvertible {
    case connecting
    case streaming
    case backoff(error: String, retryIn: Double)
    /// A file without `loop` played to its end.
    case finished
    case stopped

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .streaming: return "streaming"
        case .backoff(let error, let retry): return String(format: "backoff (retry in %.1f s): %@", retry, error)
        case .finished: return "finished"
        case .stopped: return "stopped"
        }
    }

    public var name: String {
        switch self {
        case .connecting: return "connecting"
        case .streaming: return "streaming"
        case .backoff: return "backoff"
        case .finished: return "finished"
        case .stopped: return "stopped"
        }
    }
}

/// A camera's live figures, written by its decoder and workers, read by status reporting.
/// Per-event figures (time to first frame, alert latency) go to the log instead.
public final class CameraCounters: @unchecked Sendable {
    public struct Snapshot: Sendable {
        public var state: CameraState
        public var lastError: String?
        public var framesDecoded: Int
        public var framesAnalysed: Int
        public var motionSkipped: Int
        public var reconnects: Int
        /// CPU seconds by stage since start (decode on the camera's thread, the rest on workers).
        public var costs = StageCosts()
        /// Region searches (detections) run since start.
        public var detections = 0
    }

    private let lock = NSLock()
    private var value = Snapshot(state: .connecting, lastError: nil, framesDecoded: 0, framesAnalysed: 0, motionSkipped: 0,
                                 reconnects: 0)

    public init() {}

    public func update(_ change: (inout Snapshot) -> Void) {
        lock.lock()
        change(&value)
        lock.unlock()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
