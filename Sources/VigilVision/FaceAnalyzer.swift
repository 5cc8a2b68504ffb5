import Dispatch
import VigilCore

/// What one frame yielded, with the time each stage took.
public struct FrameAnalysis: Sendable {
    public var faces: [EncodedFace]
    public var detectMilliseconds: Double
    public var encodeMilliseconds: Double
}

/// Detection then encoding on one serial queue, owning one native detector and
/// one encoder. The daemon runs one per worker; `vigil scan` runs one.
///
/// An actor on a dedicated DispatchQueue: the dlib and OpenCV calls block for
/// tens of milliseconds and must stay off Swift's cooperative thread pool.
public actor FaceAnalyzer {
    private let executor: DispatchQueueExecutor
    private let detector: FaceDetector
    private let encoder: FaceEncoder

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(models: VisionModels, settings: DetectorSettings, label: String = "vigil.vision") throws {
        executor = DispatchQueueExecutor(label: label)
        // The encoder validates every model file (cascade included) before anything native loads them.
        encoder = try FaceEncoder(models: models)
        detector = try FaceDetector(cascade: models.cascade, settings: settings)
    }

    /// Detects with the configured strategy, or `strategy` when given, then encodes every face.
    public func analyse(_ frame: Frame, strategy: DetectionStrategy? = nil) throws -> FrameAnalysis {
        let start = DispatchTime.now()
        let detections = try detector.detect(in: frame, strategy: strategy ?? detector.settings.strategy)
        let detected = DispatchTime.now()
        let faces = try encoder.encode(detections, in: frame)
        let encoded = DispatchTime.now()
        return FrameAnalysis(faces: faces, detectMilliseconds: milliseconds(start, detected),
                             encodeMilliseconds: milliseconds(detected, encoded))
    }

    /// Runs `body` with this analyzer's native detector and encoder, on its queue (tracking scans
    /// drive the handles themselves).
    public func withHandles<T: Sendable>(_ body: @Sendable (FaceDetector, FaceEncoder) throws -> T) throws -> T {
        try body(detector, encoder)
    }

    /// Detection only (no encoding): for counting faces and measuring detectors.
    public func detect(_ frame: Frame, strategy: DetectionStrategy? = nil) throws -> [FaceDetection] {
        try detector.detect(in: frame, strategy: strategy ?? detector.settings.strategy)
    }
}

func milliseconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
    Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1_000_000
}
