import Foundation

/// Where the model files live, checked before any native code touches them so
/// that a missing or unreadable file gets a message naming it.
public struct VisionModels: Sendable, Equatable {
    public static let defaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
    public static let shapePredictorName = "shape_predictor_5_face_landmarks.dat"
    public static let recognitionModelName = "dlib_face_recognition_resnet_model_v1.dat"

    public var cascade: String
    public var shapePredictor: String
    public var recognitionModel: String

    public init(cascade: String, shapePredictor: String, recognitionModel: String) {
        self.cascade = cascade
        self.shapePredictor = shapePredictor
        self.recognitionModel = recognitionModel
    }

    /// Models in `directory` (default: `$VIGIL_MODELS`, else `./models`), cascade from opencv-data.
    public init(directory: String? = nil, cascade: String? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let folder = directory ?? environment["VIGIL_MODELS"] ?? "models"
        self.init(
            cascade: cascade ?? environment["VIGIL_CASCADE"] ?? Self.defaultCascade,
            shapePredictor: (folder as NSString).appendingPathComponent(Self.shapePredictorName),
            recognitionModel: (folder as NSString).appendingPathComponent(Self.recognitionModelName))
    }

    /// Throws `VisionError.modelMissing` / `.modelUnreadable` naming the first bad file.
    public func validate() throws {
        try Self.check(cascade, hint: "install Debian's opencv-data or set the camera's cascade")
        try Self.check(shapePredictor, hint: "run scripts/setup.sh to fetch the dlib models")
        try Self.check(recognitionModel, hint: "run scripts/setup.sh to fetch the dlib models")
    }

    private static func check(_ path: String, hint: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VisionError.modelMissing(path: path, hint: hint)
        }
        if isDirectory.boolValue { throw VisionError.modelUnreadable(path: path, reason: "is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw VisionError.modelUnreadable(path: path, reason: "permission denied")
        }
    }
}
