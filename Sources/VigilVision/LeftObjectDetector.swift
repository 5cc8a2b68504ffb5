import CVision
import VigilCore

/// Finds foreground that arrived and then stayed still (a bag put down): OpenCV's MOG2 as two
/// background models, one absorbing a change in minutes, one in seconds.
///
/// Owns one native handle with the camera's background; one per camera, fed from one worker at a time.
public final class LeftObjectDetector: @unchecked Sendable {
    private let handle: OpaquePointer
    private static let capacity = 64

    /// `updatesPerSecond`: how often `update` is called; the models absorb a still object in
    /// about 3 s (short) and 5 min (long).
    public init(updatesPerSecond: Double) throws {
        let rate = max(0.1, updatesPerSecond)
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = vg_left_objects_create(min(0.5, 1 / (300 * rate)), min(1, 1 / (3 * rate)), &error, error.count) else {
            throw VisionError.native(operation: "left objects", message: NativeStatus.errorText(error))
        }
        self.handle = handle
    }

    deinit { vg_left_objects_destroy(handle) }

    /// Still-foreground blobs of at least `minArea` source pixels, after feeding `frame`.
    public func update(_ frame: Frame, minArea: Int) throws -> [BoundingBox] {
        let scale = min(1, 320 / Double(max(frame.width, 1)))
        var results = [vg_rect](repeating: vg_rect(), count: Self.capacity)
        var count: Int32 = 0
        let status = frame.withNativeImage { image in
            results.withUnsafeMutableBufferPointer { vg_left_objects_update(handle, image, scale, Int32(minArea), $0.baseAddress!, Int32(Self.capacity), &count) }
        }
        try NativeStatus.check(status, "left objects", message: String(cString: vg_left_objects_last_error(handle)))
        return results.prefix(Int(count)).map { BoundingBox($0) }
    }
}
