/// How motion regions are found (`motion:` in a camera file).
public struct MotionSettings: Sendable, Equatable {
    /// Luma difference (0-255) between a cell and its background that counts as change.
    public var threshold: Int = 15
    /// Cells each changed cell is grown by before blobs are joined (closes gaps inside one person).
    public var dilate: Int = 2
    /// Blobs smaller than this many cells are noise (leaves, compression flicker).
    public var minArea: Int = 3
    /// When the regions cover more than this fraction of the frame, the whole frame is searched instead.
    public var maxFraction: Double = 0.6
    /// How fast the background follows the scene, per analysed frame (0...1).
    public var backgroundRate: Double = 0.3

    public init() {}
}

/// How a camera's faces are searched for: motion regions, a detection cadence
/// with tracking in between, and a rolling full-frame sweep
/// (`detect_fps`, `sweep_interval`, `motion:` in a camera file).
public struct AnalysisSettings: Sendable, Equatable {
    /// Region searches per second; between them, live tracks are followed by local searches.
    public var detectFPS: Double = 2
    /// Seconds in which the rolling sweep searches the whole frame once (a face that stands still is found).
    public var sweepInterval: Double = 8
    public var motion = MotionSettings()
    /// Search only where the frame changed (plus the sweep); false searches the whole frame at each detection.
    public var motionRegions = true
    /// Learn where this camera shows faces and search motion only there between sweeps (`FaceZones`).
    public var learnZones = true
    /// Detect at `detectFPS` and track in between; false detects in every analysed frame and encodes every face.
    public var tracking = true

    public init() {}
}
