import CVision
import VigilCore

/// A person found in a frame, in source pixels, with the SVM margin (higher is surer).
public struct PersonDetection: Sendable, Equatable {
    public var box: BoundingBox
    public var score: Double

    public init(box: BoundingBox, score: Double) {
        self.box = box
        self.score = score
    }
}

/// Finds people with OpenCV's HOG descriptor and its built-in pedestrian SVM (no model file).
///
/// Owns one native handle; not thread-safe. One per worker.
public final class PersonDetector {
    private let handle: OpaquePointer
    public var settings: PersonSettings
    private static let capacity = 256

    public init(settings: PersonSettings = PersonSettings()) throws {
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = vg_people_create(&error, error.count) else {
            throw VisionError.native(operation: "people detector", message: NativeStatus.errorText(error))
        }
        self.handle = handle
        self.settings = settings
    }

    deinit { vg_people_destroy(handle) }

    /// People inside `region` (the whole frame when nil).
    public func detect(in frame: Frame, region: BoundingBox? = nil) throws -> [PersonDetection] {
        var params = vg_people_params(scale: settings.scale, hit_threshold: settings.hitThreshold, pyramid_step: settings.pyramidStep)
        var results = [vg_detection](repeating: vg_detection(), count: Self.capacity)
        var count: Int32 = 0
        let status = frame.withNativeImage { image in
            results.withUnsafeMutableBufferPointer { out in
                if let region {
                    var rect = region.native
                    return vg_people_detect(handle, image, &rect, &params, out.baseAddress!, Int32(Self.capacity), &count)
                }
                return vg_people_detect(handle, image, nil, &params, out.baseAddress!, Int32(Self.capacity), &count)
            }
        }
        try NativeStatus.check(status, "people detection", message: String(cString: vg_people_last_error(handle)))
        return results.prefix(Int(count)).map { PersonDetection(box: BoundingBox($0.box), score: $0.score) }
    }
}
