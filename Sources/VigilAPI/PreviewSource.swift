import Foundation

/// Live camera pictures for the preview endpoints. The daemon implements it; frames are
/// only kept (and JPEG-encoded) while somebody watches, so previews cost nothing otherwise.
public protocol PreviewSource: Sendable {
    /// The newest analysed frame of `camera` as JPEG with its detection boxes drawn, if newer than `after`.
    /// Returns the JPEG and its sequence number, or nil when there is nothing newer (or no such camera).
    func jpeg(camera: String, after sequence: UInt64) async -> (data: Data, sequence: UInt64)?
    /// A viewer arrives or leaves: the workers publish frames only while the count is above zero.
    func watch(camera: String, delta: Int)
}
