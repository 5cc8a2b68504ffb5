/// What a source declares about itself when opened.
public struct MediaInfo: Sendable, Equatable {
    public let source: String
    public let container: String
    public let codec: String
    public let width: Int
    public let height: Int
    /// Frames per second the stream declares (0 when unknown).
    public let frameRate: Double
    /// Where the video ends, in seconds from the container's start, as declared (nil for live streams and unknown).
    public let duration: Double?
    /// A single picture (jpg, png...) rather than a video.
    public let isStillImage: Bool
}
