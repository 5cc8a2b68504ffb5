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

extension Frame {
    /// A copy of the pixels inside `box` (clamped to the frame), same time and index.
    public func cropped(to box: BoundingBox) -> Frame? {
        let area = box.clamped(width: width, height: height)
        guard area.width > 0, area.height > 0 else { return nil }
        let rowBytes = area.width * 3
        var out = [UInt8](repeating: 0, count: rowBytes * area.height)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for row in 0..<area.height {
                    let from = (area.y + row) * stride + area.x * 3
                    target.baseAddress!.advanced(by: row * rowBytes)
                        .update(from: source.baseAddress!.advanced(by: from), count: rowBytes)
                }
            }
        }
        return Frame(width: area.width, height: area.height, stride: rowBytes, pixels: out, time: time, index: index)
    }
}
