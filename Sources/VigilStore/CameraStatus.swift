import Foundation
import GRDB

/// A camera's state as the running daemon last reported it (`vigil status` reads it from another process).
public struct CameraStatusRow: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cameraStatus"
    public var cameraID: String
    public var state: String
    public var lastError: String?
    public var framesDecoded: Int
    public var framesAnalysed: Int
    public var framesDropped: Int
    public var motionSkipped: Int
    public var reconnects: Int
    public var updatedAt: Date
    /// CPU milliseconds per second over the last report interval, by stage.
    public var cpuDecode = 0.0
    public var cpuMotion = 0.0
    public var cpuDetect = 0.0
    public var cpuTrack = 0.0
    public var cpuEncode = 0.0
    public var cpuPlates = 0.0
    public var cpuPeople = 0.0
    /// Frames handled (analysed or found still) per second, and region searches per second.
    public var handledFPS = 0.0
    public var detectFPS = 0.0
    /// The node could not keep up with every camera and stretched their detection cadence evenly.
    public var overCapacity = false
    /// By how much the node stretches every camera's detection interval (1 = searching at `detect_fps`).
    public var detectStretch = 1.0

    /// CPU ms per second, every stage together.
    public var cpuTotal: Double { cpuDecode + cpuMotion + cpuDetect + cpuTrack + cpuEncode + cpuPlates + cpuPeople }

    public init(cameraID: String, state: String, lastError: String?, framesDecoded: Int, framesAnalysed: Int,
                framesDropped: Int, motionSkipped: Int, reconnects: Int, updatedAt: Date) {
        self.cameraID = cameraID
        self.state = state
        self.lastError = lastError
        self.framesDecoded = framesDecoded
        self.framesAnalysed = framesAnalysed
        self.framesDropped = framesDropped
        self.motionSkipped = motionSkipped
        self.reconnects = reconnects
        self.updatedAt = updatedAt
    }
}

/// What the daemon reports about its cameras. One API with two backends, like `WatchlistStore`.
/// On a shared database each node reports only the cameras it runs, and replaces only its own rows.
public protocol CameraStatusStore: BackedStore {}

/// Camera status rows, inside one transaction.
protocol CameraStatusRows {
    /// Makes `rows` this node's reported cameras: others it reported before are removed.
    func replaceCameraStatus(_ rows: [CameraStatusRow]) throws
    /// Every node's cameras, ordered by camera id.
    func cameraStatus() throws -> [CameraStatusRow]
}

extension CameraStatusStore {
    /// Replaces the reported status of the daemon's cameras (cameras no longer configured are removed).
    public func reportCameraStatus(_ rows: [CameraStatusRow]) throws {
        try backend.write(announcing: nil) { statuses in try statuses.replaceCameraStatus(rows) }
    }

    public func cameraStatus() throws -> [CameraStatusRow] {
        try backend.read { rows in try rows.cameraStatus() }
    }
}
