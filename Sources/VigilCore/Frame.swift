/// A decoded picture that owns its pixels: packed 8-bit BGR, `stride` bytes per row.
///
/// Frames are copied out of FFmpeg's buffers so they can cross threads and
/// outlive the decoder; nothing here points into native memory.
public struct Frame: Sendable {
    public let width: Int
    public let height: Int
    public let stride: Int
    public let pixels: [UInt8]
    /// Seconds from the start of the stream (0 for still images).
    public let time: Double
    /// Position in decode order, counting from 0.
    public let index: Int

    public init(width: Int, height: Int, stride: Int, pixels: [UInt8], time: Double, index: Int) {
        precondition(width > 0 && height > 0 && stride >= width * 3 && pixels.count >= stride * height,
                     "frame buffer does not match its size")
        self.width = width
        self.height = height
        self.stride = stride
        self.pixels = pixels
        self.time = time
        self.index = index
    }
}
