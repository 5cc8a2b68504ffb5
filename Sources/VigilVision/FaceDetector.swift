import CVision
import Foundation
import VigilCore

/// A face found in a frame, in source pixels.
public struct FaceDetection: Sendable, Equatable {
    public var box: BoundingBox
    /// HOG: SVM margin (higher is surer). Haar: neighbour count.
    public var score: Double

    public init(box: BoundingBox, score: Double) {
        self.box = box
        self.score = score
    }
}

/// Finds faces with the strategy in `DetectorSettings`.
///
/// Owns one native detector handle; not thread-safe. One per camera or worker.
public final class FaceDetector {
    /// Which evaluator runs the Haar cascade. All give the same boxes, window for window
    /// (`HaarEngineTests`): `avx512` and `avx2` are Vigil's own, evaluating sixteen or eight
    /// neighbouring windows at once, for a quarter to a sixth of the CPU of `opencv`, which is
    /// `cv::CascadeClassifier`. Ordered from narrowest to widest.
    public enum HaarEngine: String, Sendable, CaseIterable, Comparable {
        case opencv, avx2, avx512

        var native: Int32 {
            switch self {
            case .opencv: Int32(VG_HAAR_OPENCV)
            case .avx2: Int32(VG_HAAR_AVX2)
            case .avx512: Int32(VG_HAAR_AVX512)
            }
        }

        init(native: Int32) {
            self = native == Int32(VG_HAAR_AVX512) ? .avx512 : native == Int32(VG_HAAR_AVX2) ? .avx2 : .opencv
        }

        public static func < (a: HaarEngine, b: HaarEngine) -> Bool { a.native < b.native }
    }

    /// The environment variable that pins the evaluator (`opencv`, `avx2` or `avx512`), for comparing them.
    public static let haarEngineVariable = "VIGIL_HAAR_ENGINE"

    private let handle: OpaquePointer
    /// The evaluator in use: the widest the CPU and the cascade allow, or narrower where the
    /// environment pins one.
    public private(set) var haarEngine: HaarEngine
    /// Mutable so one worker can serve cameras with different settings (one call at a time).
    public var settings: DetectorSettings
    private static let capacity = 512

    public init(cascade: String, settings: DetectorSettings) throws {
        let preferred = try Self.preferredHaarEngine()
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = vg_detector_create(cascade, &error, error.count) else {
            throw VisionError.modelUnreadable(path: cascade, reason: NativeStatus.errorText(error))
        }
        self.handle = handle
        self.settings = settings
        haarEngine = HaarEngine(native: vg_detector_set_haar_engine(handle, preferred.native))
    }

    /// The evaluator a new detector asks for: the environment's pin, else the widest this CPU runs.
    /// Throws for a pin that names no evaluator (the daemon checks this at start).
    public static func preferredHaarEngine() throws -> HaarEngine {
        if let pinned = ProcessInfo.processInfo.environment[haarEngineVariable], !pinned.isEmpty {
            guard let engine = HaarEngine(rawValue: pinned) else {
                throw VisionError.badEnvironment(variable: haarEngineVariable, value: pinned,
                                                 expected: "opencv, avx2 or avx512")
            }
            return engine
        }
        return HaarEngine(native: vg_haar_widest_engine())
    }

    /// Asks for `engine`; returns the one in use (the widest available below it, where it is not).
    @discardableResult
    public func useHaarEngine(_ engine: HaarEngine) -> HaarEngine {
        haarEngine = HaarEngine(native: vg_detector_set_haar_engine(handle, engine.native))
        return haarEngine
    }

    deinit { vg_detector_destroy(handle) }

    public func detect(in frame: Frame) throws -> [FaceDetection] {
        try detect(in: frame, strategy: settings.strategy)
    }

    public func detect(in frame: Frame, strategy: DetectionStrategy) throws -> [FaceDetection] {
        switch strategy {
        case .haar: return try haar(frame)
        case .hog: return try wholeImageHOG(frame)
        case .haarVerified: return try verified(try haar(frame), in: frame)
        }
    }

    /// The scale that brings the long side within `maxDetectionSide` (never enlarges).
    private func downscale(_ frame: Frame) -> Double {
        min(1, Double(settings.maxDetectionSide) / Double(max(frame.width, frame.height)))
    }

    private func haar(_ frame: Frame) throws -> [FaceDetection] {
        let scale = downscale(frame)
        var params = vg_haar_params(
            scale_factor: settings.scaleFactor, min_neighbors: Int32(settings.minNeighbors),
            min_size: Int32(max(20, (Double(settings.minFaceSize) * scale).rounded())),
            scale: scale, equalize: 1)
        return try frame.withNativeImage { image in
            try collect("Haar detection") { out, capacity, count in
                vg_detect_haar(handle, image, &params, out, capacity, count)
            }
        }.filter { $0.box.width >= settings.minFaceSize }
    }

    /// HOG over the whole picture. HOG's window is 80 px, so the picture is
    /// enlarged until a `minFaceSize` face fills it, within `maxDetectionSide`.
    /// When nothing is found it is padded and tried again: portraits cropped
    /// tight to the face (150x150 chips) leave no margin for the window.
    private func wholeImageHOG(_ frame: Frame) throws -> [FaceDetection] {
        let longSide = Double(max(frame.width, frame.height))
        let scale = min(80 / Double(max(1, settings.minFaceSize)), Double(settings.maxDetectionSide) / longSide)
        var found = try hog(frame, region: nil, scale: scale, pad: 0)
        if found.isEmpty {
            found = try hog(frame, region: nil, scale: scale, pad: 0.3)
        }
        return found.filter { $0.box.width >= settings.minFaceSize }
    }

    /// Keeps the Haar proposals that HOG confirms in their neighbourhood, with
    /// HOG's box (tighter and better centred for the landmark model).
    public func verified(_ proposals: [FaceDetection], in frame: Frame) throws -> [FaceDetection] {
        var accepted: [FaceDetection] = []
        for proposal in proposals.sorted(by: { $0.box.area > $1.box.area }) {
            let region = proposal.box.expanded(by: 0.5)
            let inside = region.clamped(width: frame.width, height: frame.height)
            // Faces at the frame's edge get a margin so HOG's window fits.
            let pad = inside == region ? 0 : 0.25
            let scale = min(4, max(0.1, 120 / Double(max(1, proposal.box.width))))
            let confirmations = try hog(frame, region: inside, scale: scale, pad: pad).filter { candidate in
                let ratio = Double(candidate.box.width) / Double(max(1, proposal.box.width))
                return ratio > 0.4 && ratio < 2 && proposal.box.contains(x: candidate.box.centerX, y: candidate.box.centerY)
            }
            guard let best = confirmations.max(by: { $0.score < $1.score }) else { continue }
            if accepted.contains(where: { $0.box.iou(best.box) > 0.4 }) { continue }
            accepted.append(best)
        }
        return accepted
    }

    /// dlib HOG inside `region` only, enlarged so a `minFaceSize` face fills HOG's 80 px window.
    public func hog(_ frame: Frame, in region: BoundingBox) throws -> [FaceDetection] {
        let scale = min(80 / Double(max(1, settings.minFaceSize)), 1)
        return try hog(frame, region: region, scale: scale, pad: 0).filter { $0.box.width >= settings.minFaceSize }
    }

    // MARK: prepared frames

    /// Keeps OpenCV's and OpenBLAS's own worker threads out of every later call in this process.
    /// The daemon runs one analysis thread per core already; a library splitting each Haar pass or
    /// matrix product across the same cores adds contention (OpenBLAS's idle threads spin), and
    /// would hide CPU time from the per-thread cost accounting.
    public static func singleThreadedNative() { vg_set_native_threads(1) }

    /// The scale at which `frame` is searched (its long side brought within `maxDetectionSide`).
    public func detectionScale(width: Int, height: Int) -> Double {
        min(1, Double(settings.maxDetectionSide) / Double(max(width, height)))
    }

    /// Converts, shrinks and equalises `frame` once for every search of this frame
    /// (`search(region:)`), and returns its motion grid (`grid` cells, mean luma).
    public func prepare(_ frame: Frame, grid: (width: Int, height: Int)) throws -> [UInt8] {
        var params = vg_prepare_params(scale: detectionScale(width: frame.width, height: frame.height), equalize: 1,
                                       grid_width: Int32(grid.width), grid_height: Int32(grid.height))
        var cells = [UInt8](repeating: 0, count: max(1, grid.width * grid.height))
        let status = frame.withNativeImage { image in
            cells.withUnsafeMutableBufferPointer { vg_detector_prepare(handle, image, &params, $0.baseAddress) }
        }
        try NativeStatus.check(status, "frame preparation", message: String(cString: vg_detector_last_error(handle)))
        return cells
    }

    /// Haar inside `region` of the prepared frame, for faces `minSize`...`maxSize` source pixels (0 = no limit).
    public func search(region: BoundingBox, minSize: Int, maxSize: Int = 0, minNeighbors: Int? = nil) throws -> [FaceDetection] {
        var search = vg_haar_search(region: region.native, min_size: Int32(max(1, minSize)), max_size: Int32(max(0, maxSize)),
                                    scale_factor: settings.scaleFactor,
                                    min_neighbors: Int32(minNeighbors ?? settings.minNeighbors))
        return try collect("Haar region search") { out, capacity, count in
            vg_detect_haar_prepared(handle, &search, out, capacity, count)
        }
    }

    private func hog(_ frame: Frame, region: BoundingBox?, scale: Double, pad: Double) throws -> [FaceDetection] {
        var params = vg_hog_params(scale: scale, pad_fraction: pad, adjust_threshold: settings.hogAdjustThreshold)
        return try frame.withNativeImage { image in
            try collect("HOG detection") { out, capacity, count in
                if var rect = region?.native {
                    return vg_detect_hog(handle, image, &rect, &params, out, capacity, count)
                }
                return vg_detect_hog(handle, image, nil, &params, out, capacity, count)
            }
        }
    }

    private func collect(_ operation: String,
                         _ call: (UnsafeMutablePointer<vg_detection>, Int32, UnsafeMutablePointer<Int32>) -> Int32)
        throws -> [FaceDetection] {
        var results = [vg_detection](repeating: vg_detection(), count: Self.capacity)
        var count: Int32 = 0
        let status = results.withUnsafeMutableBufferPointer { call($0.baseAddress!, Int32(Self.capacity), &count) }
        try NativeStatus.check(status, operation, message: String(cString: vg_detector_last_error(handle)))
        return results.prefix(Int(count)).map { FaceDetection(box: BoundingBox($0.box), score: $0.score) }
    }
}
