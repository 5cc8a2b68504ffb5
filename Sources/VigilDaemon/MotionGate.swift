import VigilCore

/// Decides whether a frame changed enough to be worth detecting faces in.
///
/// Compares a coarse luma thumbnail (80 columns) with the previous frame's: a
/// still scene costs a few thousand additions per frame instead of a detector
/// pass. A detection is still forced every `keyframeInterval` seconds, so a
/// face that arrived while the gate was closed, or stands still, is not missed.
public struct MotionGate: Sendable {
    public var pixelThreshold: Int = 12
    /// Fraction of thumbnail pixels that must change.
    public var changedFraction: Double = 0.003
    public var keyframeInterval: Double = 2
    private var previous: [UInt8] = []
    private var lastOpened = -Double.infinity

    public init() {}

    /// `time` is the camera's monotonic clock in seconds.
    public mutating func shouldAnalyse(_ frame: Frame, time: Double) -> Bool {
        let thumbnail = Self.thumbnail(frame)
        defer { previous = thumbnail }
        if previous.count != thumbnail.count || time - lastOpened >= keyframeInterval || time < lastOpened {
            lastOpened = time
            return true
        }
        var changed = 0
        for index in thumbnail.indices where abs(Int(thumbnail[index]) - Int(previous[index])) > pixelThreshold {
            changed += 1
        }
        if Double(changed) >= changedFraction * Double(thumbnail.count) {
            lastOpened = time
            return true
        }
        return false
    }

    /// Luma of every (width/80)-th pixel in each direction (BT.601 weights, integer maths).
    static func thumbnail(_ frame: Frame) -> [UInt8] {
        let step = max(1, frame.width / 80)
        var output: [UInt8] = []
        output.reserveCapacity((frame.width / step + 1) * (frame.height / step + 1))
        frame.pixels.withUnsafeBufferPointer { pixels in
            var y = 0
            while y < frame.height {
                var offset = y * frame.stride
                var x = 0
                while x < frame.width {
                    let b = Int(pixels[offset]), g = Int(pixels[offset + 1]), r = Int(pixels[offset + 2])
                    output.append(UInt8((29 * b + 150 * g + 77 * r) >> 8))
                    offset += step * 3
                    x += step
                }
                y += step
            }
        }
        return output
    }
}
