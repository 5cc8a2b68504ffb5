/// Chooses which decoded frames to analyse so that analysis runs at `fps`
/// whatever the source's own rate. Every frame is still decoded (codecs need
/// the reference frames); only the chosen ones are handed on.
///
/// `phase` shifts the slots by that fraction of an interval. Cameras that start
/// together (a daemon starting, files paced from the same moment) would
/// otherwise hand their frames over in the same instant, five times a second:
/// the analysis workers get all of them at once and then nothing, and the
/// last ones taken wait most of an interval and are dropped although the node
/// has idle CPU. The daemon gives camera `i` the phase `i × 0.618… mod 1`
/// (golden-ratio spacing), which spreads any number of cameras evenly.
public struct FrameSampler: Sendable {
    public let fps: Double
    public let phase: Double
    private var nextTime: Double?

    /// `fps <= 0` analyses every frame.
    public init(fps: Double, phase: Double = 0) {
        self.fps = fps
        self.phase = phase - phase.rounded(.down)
    }

    /// The phase of the `index`-th of many streams sampled side by side: evenly spread for any count.
    public static func staggeredPhase(index: Int) -> Double {
        let golden = 0.6180339887498949
        let value = Double(index) * golden
        return value - value.rounded(.down)
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
        let offset = phase * interval
        let slot = ((time - offset) / interval + 0.0005).rounded(.down)
        nextTime = (slot + 1) * interval + offset
        return true
    }
}
