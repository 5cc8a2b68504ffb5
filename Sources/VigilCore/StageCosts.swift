#if canImport(Glibc)
import Glibc
#endif

/// The stages a camera's CPU time is accounted to, so an operator can see
/// which camera costs what and size a node.
public enum Stage: Int, CaseIterable, Sendable, CustomStringConvertible {
    case decode, motion, detect, track, encode, plates, people

    public var description: String {
        switch self {
        case .decode: return "decode"
        case .motion: return "motion"
        case .detect: return "detect"
        case .track: return "track"
        case .encode: return "encode"
        case .plates: return "plates"
        case .people: return "people"
        }
    }
}

/// CPU seconds spent per stage. CPU time, not wall time: a stage that waits
/// (for a lock, for the next frame) costs nothing here, so the figures add up
/// to what the process really uses.
public struct StageCosts: Sendable, Equatable {
    public private(set) var seconds = [Double](repeating: 0, count: Stage.allCases.count)

    public init() {}

    public subscript(stage: Stage) -> Double {
        get { seconds[stage.rawValue] }
        set { seconds[stage.rawValue] = newValue }
    }

    public var total: Double { seconds.reduce(0, +) }

    public static func += (lhs: inout StageCosts, rhs: StageCosts) {
        for index in lhs.seconds.indices { lhs.seconds[index] += rhs.seconds[index] }
    }

    public static func - (lhs: StageCosts, rhs: StageCosts) -> StageCosts {
        var out = StageCosts()
        for index in out.seconds.indices { out.seconds[index] = lhs.seconds[index] - rhs.seconds[index] }
        return out
    }

    /// Runs `body`, adding the calling thread's CPU time to `stage`.
    public mutating func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = ThreadCPUClock.now
        defer { self[stage] += ThreadCPUClock.now - start }
        return try body()
    }
}

/// CPU time consumed by the calling thread, in seconds (CLOCK_THREAD_CPUTIME_ID).
public enum ThreadCPUClock {
    public static var now: Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
