/// Which node runs each camera, when several nodes share a database: any node's API answers for
/// the whole installation, so it must know where a camera's live pictures are.
public protocol CameraPlacement: Sendable {
    /// Where `camera` runs now.
    func holder(of camera: String) async -> CameraHolder
    /// The holding node of every camera that has one, by camera id (for `/v1/cameras`).
    func holders() async -> [String: String]
}

public enum CameraHolder: Sendable, Equatable {
    /// This node runs it.
    case here
    /// Another node runs it; `api` is where that node's API answers (nil until it has said).
    case node(name: String, api: String?)
    /// No live node holds its lease right now (a fail-over is under way, or no node can take it).
    case nobody
}
