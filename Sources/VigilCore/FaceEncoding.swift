/// A 128-d face descriptor from dlib's ResNet (dlib_face_recognition_resnet_model_v1).
///
/// Faces of one person lie within about 0.6 (Euclidean) of each other; that is
/// the model's documented operating point and Vigil's default threshold.
public struct FaceEncoding: Hashable, Sendable {
    public static let dimensions = 128

    public let values: [Float]

    /// Fails when the vector does not have exactly 128 finite components.
    public init?(_ values: [Float]) {
        guard values.count == Self.dimensions, values.allSatisfy(\.isFinite) else { return nil }
        self.values = values
    }

    /// Euclidean distance: lower means more alike.
    public func distance(to other: FaceEncoding) -> Double {
        var sum: Float = 0
        for index in 0..<Self.dimensions {
            let d = values[index] - other.values[index]
            sum += d * d
        }
        return Double(sum.squareRoot())
    }
}
