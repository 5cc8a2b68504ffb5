import Foundation

/// Frequency bands, `[low, high)` Hz. Edges are settings; the defaults are the
/// usual clinical ones (alpha 8–13 Hz, beta 13–30 Hz).
public struct Band: Sendable, Equatable, Codable {
    public var name: String
    public var low: Double
    public var high: Double

    public init(_ name: String, _ low: Double, _ high: Double) {
        self.name = name
        self.low = low
        self.high = high
    }

    public static let standard = [Band("delta", 0.5, 4), Band("theta", 4, 8), Band("alpha", 8, 13), Band("beta", 13, 30),
                                  Band("gamma", 30, 45)]

    /// Parses `name:low-high,...` (e.g. `alpha:8-12,beta:12-30`).
    public static func parse(_ text: String) throws -> [Band] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            let range = parts.count == 2 ? parts[1].split(separator: "-") : []
            guard parts.count == 2, range.count == 2, let low = Double(range[0]), let high = Double(range[1]), low >= 0, high > low else {
                throw EEGError.setting("--bands", "expected name:low-high[,...] with 0 <= low < high, found '\(item)'")
            }
            return Band(String(parts[0]), low, high)
        }
    }
}

/// What one channel's spectrum says, over one epoch (or the whole recording).
public struct BandPowers: Sendable, Equatable, Codable {
    /// Power in each band (unit², the integral of the density over the band).
    public var absolute: [String: Double]
    /// Each band's share of the power between the lowest and highest band edge.
    public var relative: [String: Double]
    public var total: Double
    /// alpha / beta absolute power (nil without both bands).
    public var alphaBetaRatio: Double?
    /// Frequency of the largest density in the alpha band, interpolated (nil without an alpha band).
    public var peakAlpha: Double?
    /// Frequency of the largest density between the outer band edges, interpolated.
    public var peak: Double
    /// Shannon entropy of the normalised spectrum between the outer edges, divided by its maximum (0–1).
    public var spectralEntropy: Double

    public init(spectrum s: Welch.Spectrum, bands: [Band]) {
        let low = bands.map(\.low).min() ?? 0, high = bands.map(\.high).max() ?? 0
        func power(_ lo: Double, _ hi: Double) -> Double {
            var sum = 0.0
            for (f, p) in zip(s.frequencies, s.density) where f >= lo && f < hi { sum += p }
            return sum * s.resolution
        }
        total = power(low, high)
        var absolute: [String: Double] = [:], relative: [String: Double] = [:]
        for band in bands {
            let value = power(band.low, band.high)
            absolute[band.name] = value
            relative[band.name] = total > 0 ? value / total : 0
        }
        self.absolute = absolute
        self.relative = relative
        if let alpha = absolute["alpha"], let beta = absolute["beta"], beta > 0 { alphaBetaRatio = alpha / beta } else { alphaBetaRatio = nil }
        peakAlpha = bands.first { $0.name == "alpha" }.flatMap { Self.peak(s, $0.low, $0.high) }
        peak = Self.peak(s, low, high) ?? 0
        let inside = zip(s.frequencies, s.density).filter { $0.0 >= low && $0.0 < high }.map(\.1)
        let sum = inside.reduce(0, +)
        if sum > 0, inside.count > 1 {
            let h = inside.reduce(0.0) { acc, p in p > 0 ? acc - (p / sum) * log(p / sum) : acc }
            spectralEntropy = h / log(Double(inside.count))
        } else {
            spectralEntropy = 0
        }
    }

    /// The largest bin in `[lo, hi)`, refined by a parabola through the log density of it and its
    /// neighbours: with a Hann window this places a pure tone within a few hundredths of a bin.
    static func peak(_ s: Welch.Spectrum, _ lo: Double, _ hi: Double) -> Double? {
        var best: Int?
        for (k, f) in s.frequencies.enumerated() where f >= lo && f < hi {
            if best == nil || s.density[k] > s.density[best!] { best = k }
        }
        guard let k = best else { return nil }
        guard k > 0, k + 1 < s.density.count, s.density[k - 1] > 0, s.density[k + 1] > 0, s.density[k] > 0 else {
            return s.frequencies[k]
        }
        let a = log(s.density[k - 1]), b = log(s.density[k]), c = log(s.density[k + 1])
        let denominator = a - 2 * b + c
        let shift = denominator != 0 ? 0.5 * (a - c) / denominator : 0
        return (Double(k) + max(-0.5, min(0.5, shift))) * s.resolution
    }
}
