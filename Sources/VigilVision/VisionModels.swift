import Foundation

/// Where the model files live, checked before any native code touches them so
/// that a missing or unreadable file gets a message naming it.
public struct VisionModels: Sendable, Equatable {
    public static let defaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"
    public static let shapePredictorName = "shape_predictor_5_face_landmarks.dat"
    public static let recognitionModelName = "dlib_face_recognition_resnet_model_v1.dat"

    /// Where the Debian package installs the dlib models.
    public static let installedFolder = "/usr/share/vigil/models"

    public var cascade: String
    public var shapePredictor: String
    public var recognitionModel: String
    /// The model folders tried, in order, each with why it was a candidate (for the error).
    public var searched: [String] = []

    public init(cascade: String, shapePredictor: String, recognitionModel: String) {
        self.cascade = cascade
        self.shapePredictor = shapePredictor
        self.recognitionModel = recognitionModel
    }

    /// The dlib models from the first folder that holds them: `directory` (the configuration's
    /// `models:` or `--models`), `$VIGIL_MODELS`, the installed `/usr/share/vigil/models`, then the
    /// clone's `models/` (beside the working directory, or above the executable in `.build`).
    /// The cascade comes from Debian's opencv-data unless `cascade` or `$VIGIL_CASCADE` says otherwise.
    public init(directory: String? = nil, cascade: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let candidates = Self.candidateFolders(explicit: directory, environment: environment)
        let folder = candidates.first { FileManager.default.fileExists(atPath: ($0.path as NSString).appendingPathComponent(Self.shapePredictorName)) }
            ?? candidates[0]
        self.init(
            cascade: cascade ?? environment["VIGIL_CASCADE"] ?? Self.defaultCascade,
            shapePredictor: (folder.path as NSString).appendingPathComponent(Self.shapePredictorName),
            recognitionModel: (folder.path as NSString).appendingPathComponent(Self.recognitionModelName))
        searched = candidates.map { "\($0.path) (\($0.source))" }
    }

    /// The folders in the order they are tried. An explicit folder or `$VIGIL_MODELS` is the only
    /// candidate when given: a configured path that lacks the models is an error, not a fallback.
    static func candidateFolders(explicit: String?, environment: [String: String]) -> [(path: String, source: String)] {
        if let explicit { return [(explicit, "models: in the configuration or --models")] }
        if let variable = environment["VIGIL_MODELS"], !variable.isEmpty { return [(variable, "$VIGIL_MODELS")] }
        var folders: [(String, String)] = [(installedFolder, "installed"), ("models", "the working directory")]
        // A build in a clone: <clone>/.build/<configuration>/vigil, so the clone is three levels up.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("models/manifest.sha256").path
            if FileManager.default.fileExists(atPath: candidate) {
                folders.append((folder.appendingPathComponent("models").path, "the clone"))
                break
            }
        }
        return folders
    }

    /// Throws `VisionError.modelMissing` / `.modelUnreadable` naming the first bad file.
    public func validate() throws {
        try Self.check(cascade, hint: "install Debian's opencv-data or set the camera's cascade")
        let looked = searched.count > 1 ? "looked in " + searched.joined(separator: ", ") + "; " : ""
        try Self.check(shapePredictor, hint: looked + "run scripts/setup.sh to fetch the dlib models, or set models: in vigil.yaml")
        try Self.check(recognitionModel, hint: looked + "run scripts/setup.sh to fetch the dlib models, or set models: in vigil.yaml")
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
