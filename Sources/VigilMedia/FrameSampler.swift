/// Chooses which decoded frames to analyse so that analysis runs at `fps`
/// whatever the source's own rate. Every frame is still decoded (codecs need
/// the reference frames); only the chosen ones are handed on.
public struct FrameSampler: Sendable {
    public let fps: Double
    private var nextTime: Double?

    /// `fps <= 0` analyses every frame.
    public init(fps: Double) {
        self.fps = fps
    }

    /// What `shouldAnalyse` would answer, without taking the slot: lets the decoder
    /// skip converting frames nobody will look at.
    public func wouldAnalyse(time: Double) -> Bool {
        guard fps > 0 else { return true }
        if let next = nextTime, time + 0.0005 < next { return false }
        return true
    }

    /// True when the frame at `time` (seconds) should be analysed.
    public mutating func shouldAnalyse(time: Double) -> Bool {
        guard fps > 0 else { return true }
        let interval = 1 / fps
        // Half a millisecond of slack absorbs timestamp rounding in containers.
        if let next = nextTime, time + 0.0005 < next { return false }
        let slot = (time / interval + 0.0005).rounded(.down)
        nextTime = (slot + 1) * interval
        return true
    }
}
