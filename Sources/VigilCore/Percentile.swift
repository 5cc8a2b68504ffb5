extension Array where Element == Double {
    /// Nearest-rank percentile of a sorted array (`p` in 0...1): the figures benchmarks and
    /// `vigil hooks list` print as p50 and p99.
    public func percentile(_ p: Double) -> Double? {
        guard !isEmpty else { return nil }
        return self[Swift.min(count - 1, Swift.max(0, Int((p * Double(count)).rounded(.up)) - 1))]
    }
}
