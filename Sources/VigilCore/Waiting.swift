/// Durations as numbers, and waiting for a condition by polling: what benchmarks and tests of
/// timing (fail-over, hand-back, delivery) measure.
extension Duration {
    /// The duration in seconds, for figures and arithmetic with rates.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

public enum Waiting {
    /// Checks `condition` every `interval` (monotonic clock) and returns the seconds it took to
    /// hold, or nil if it did not within `timeout`.
    public static func until(upTo timeout: Duration, every interval: Duration = .milliseconds(50),
                             _ condition: () -> Bool) async throws -> Double? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if condition() { return (clock.now - start).seconds }
            try await Task.sleep(for: interval)
        }
        return nil
    }
}
