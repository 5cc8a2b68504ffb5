import CVision
import VigilCore

/// A detected face with its alignment landmarks and 128-d encoding.
public struct EncodedFace: Sendable {
    public var detection: FaceDetection
    public var encoding: FaceEncoding
    /// dlib's 5 landmarks (eye corners and nose), source pixels.
    public var landmarks: [(x: Float, y: Float)]
    /// Variance of the Laplacian of the aligned chip: higher is sharper.
    /// Used to keep the sharpest sighting as evidence.
    public var sharpness: Float

    public var box: BoundingBox { detection.box }
}

/// Aligns and encodes faces: 5-point landmarks, a 150x150 chip, dlib's ResNet.
///
/// Owns the native network (~22 MB of weights); not thread-safe. One per worker.
public final class FaceEncoder {
    private let handle: OpaquePointer

    public init(models: VisionModels) throws {
        try models.validate()
        var error = [CChar](repeating: 0, count: 1024)
        guard let handle = vg_encoder_create(models.shapePredictor, models.recognitionModel, &error, error.count) else {
            let message = NativeStatus.errorText(error)
            let path = message.contains(models.shapePredictor) ? models.shapePredictor : models.recognitionModel
            throw VisionError.modelUnreadable(path: path, reason: message)
        }
        self.handle = handle
    }

    deinit { vg_encoder_destroy(handle) }

    /// Encodes all `detections` of `frame` in one batch through the network.
    public func encode(_ detections: [FaceDetection], in frame: Frame) throws -> [EncodedFace] {
        guard !detections.isEmpty else { return [] }
        let boxes = detections.map(\.box.native)
        var outputs = [vg_face_encoding](repeating: vg_face_encoding(), count: boxes.count)
        let status = frame.withNativeImage { image in
            outputs.withUnsafeMutableBufferPointer { out in
                vg_encode_faces(handle, image, boxes, Int32(boxes.count), out.baseAddress)
            }
        }
        try NativeStatus.check(status, "face encoding", message: String(cString: vg_encoder_last_error(handle)))
        return try zip(detections, outputs).map { detection, output in
            var native = output
            let values = withUnsafeBytes(of: &native.encoding) { Array($0.bindMemory(to: Float.self)) }
            guard let encoding = FaceEncoding(values) else {
                throw VisionError.native(operation: "face encoding", message: "network produced a non-finite encoding")
            }
            let points = withUnsafeBytes(of: &native.landmarks) { Array($0.bindMemory(to: vg_point.self)) }
            return EncodedFace(detection: detection, encoding: encoding,
                               landmarks: points.map { (x: $0.x, y: $0.y) }, sharpness: native.sharpness)
        }
    }
}
