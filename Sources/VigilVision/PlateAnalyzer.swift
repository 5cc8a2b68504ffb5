import Dispatch
import VigilCore

/// Plate reading on its own serial queue (OpenCV and Tesseract block for tens
/// of milliseconds): `vigil scan` and the evaluation run one; the daemon's
/// workers own a `PlateReader` each instead.
public actor PlateAnalyzer {
    private let executor: DispatchQueueExecutor
    private let reader: PlateReader

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(settings: PlateSettings, tessdata: String? = nil, label: String = "vigil.plates") throws {
        executor = DispatchQueueExecutor(label: label)
        reader = try PlateReader(settings: settings, tessdata: tessdata)
    }

    /// Candidates with the milliseconds the frame took.
    public func read(_ frame: Frame) throws -> (candidates: [PlateCandidate], milliseconds: Double) {
        let start = DispatchTime.now()
        let candidates = try reader.read(frame)
        return (candidates, milliseconds(start, DispatchTime.now()))
    }

    public func readCrop(_ frame: Frame) throws -> (candidate: PlateCandidate, milliseconds: Double) {
        let start = DispatchTime.now()
        let candidate = try reader.readCrop(frame)
        return (candidate, milliseconds(start, DispatchTime.now()))
    }
}
