/// Deterministic stratified folds: each class's samples are shuffled with `seed` and
/// dealt round-robin, so every fold keeps the class balance and every run is the same.
public enum StratifiedFolds {
    /// The fold (0..<folds) of each sample.
    public static func assign(labels: [Int], folds: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        let byClass = Dictionary(grouping: labels.indices, by: { labels[$0] })
        for (_, members) in byClass.sorted(by: { $0.key < $1.key }) {
            for (i, index) in members.shuffled(using: &generator).enumerated() { fold[index] = i % folds }
        }
        return fold
    }
}

/// A small seeded generator (SplitMix64) so shuffles are the same on every run and platform.
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
