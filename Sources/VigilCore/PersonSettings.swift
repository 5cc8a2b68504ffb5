/// How people are searched for (`behaviour.people` in a camera's YAML).
public struct PersonSettings: Sendable, Equatable {
    /// The shortest person to find, in source pixels. HOG's window is 128 px tall, so a region is
    /// scaled by 128 / `minHeight`: a larger value is cheaper (fewer pixels) and misses small people.
    public var minHeight = 160
    /// SVM margin a window needs (0: OpenCV's default). Higher finds fewer and surer people.
    public var hitThreshold = 0.0
    /// Image pyramid step: 1.05 is thorough, 1.2 fast.
    public var pyramidStep = 1.1

    public init() {}

    public var scale: Double { min(2, max(0.2, 128 / Double(max(1, minHeight)))) }
}

