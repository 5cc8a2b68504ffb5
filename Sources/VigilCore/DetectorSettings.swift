/// How faces are found. Detection decides recognition accuracy more than the
/// encoder does, so the strategy is a setting, not a constant.
public enum DetectionStrategy: String, Sendable, Codable, CaseIterable {
    /// OpenCV Haar cascade alone: fastest, but proposes many non-faces and
    /// misses faces that fill the frame.
    case haar
    /// dlib's HOG detector over the whole image: slower, far more precise.
    /// The default for enrolment and still images, which are not real time.
    case hog
    /// Haar proposes, HOG verifies in each proposal's neighbourhood and gives
    /// the final box: Haar's speed with HOG's precision. The default for video.
    case haarVerified = "haar-verified"
}

/// Detector parameters; every field has a default that works on the shared data.
public struct DetectorSettings: Sendable, Equatable, Codable {
    public var strategy: DetectionStrategy
    /// Haar: image pyramid step (> 1).
    public var scaleFactor: Double
    /// Haar: overlapping detections needed to accept a face.
    public var minNeighbors: Int
    /// Smallest face side in source pixels.
    public var minFaceSize: Int
    /// Images are resized so their long side is at most this before detection
    /// (boxes are mapped back to source pixels). Bounds the cost of 4K frames.
    public var maxDetectionSide: Int
    /// HOG: SVM threshold adjustment (negative finds more, positive fewer).
    public var hogAdjustThreshold: Double

    public init(strategy: DetectionStrategy = .haarVerified, scaleFactor: Double = 1.1, minNeighbors: Int = 5,
                minFaceSize: Int = 30, maxDetectionSide: Int = 1280, hogAdjustThreshold: Double = 0) {
        self.strategy = strategy
        self.scaleFactor = scaleFactor
        self.minNeighbors = minNeighbors
        self.minFaceSize = minFaceSize
        self.maxDetectionSide = maxDetectionSide
        self.hogAdjustThreshold = hogAdjustThreshold
    }

    /// Enrolment: whole-image HOG, since enrolment is offline and a missed or
    /// extra face there makes a subject unrecognisable.
    public static let enrolment = DetectorSettings(strategy: .hog)
}
