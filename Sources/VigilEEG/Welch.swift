import CFFTW
import Foundation

/// Welch's power spectral density with FFTW: Hann-windowed segments (periodic
/// Hann, as `scipy.signal.welch`), each detrended, one-sided density in
/// unit²/Hz. The defaults (2 s segments, 50% overlap, mean detrend) match
/// scipy's `welch(x, fs, nperseg=2*fs)` so the two can be compared bin by bin.
public struct Welch: Sendable, Equatable {
    public enum Detrend: String, Sendable, Codable { case none, mean, linear }

    /// Segment tapers (periodic, as scipy's `get_window`). Hann is the default: a tone leaks
    /// into one bin either side (a quarter of its amplitude), so a tone exactly on a band edge
    /// puts a sixth of its power in the band below. A boxcar has no leakage for tones on a bin
    /// and much more for tones between bins.
    public enum Window: String, Sendable, Codable, CaseIterable { case hann, hamming, boxcar }

    public var segmentSeconds: Double
    public var overlap: Double
    public var detrend: Detrend
    public var window: Window

    public init(segmentSeconds: Double = 2, overlap: Double = 0.5, detrend: Detrend = .mean, window: Window = .hann) {
        self.segmentSeconds = segmentSeconds
        self.overlap = overlap
        self.detrend = detrend
        self.window = window
    }

    public struct Spectrum: Sendable {
        /// Bin frequencies, 0 ... fs/2, spaced `resolution` apart.
        public var frequencies: [Double]
        public var density: [Double]
        public var resolution: Double
    }

    /// FFTW's planner is not thread-safe: every plan is made under this lock.
    private static let planLock = NSLock()

    public func spectrum(_ x: [Double], sampleRate fs: Double) throws -> Spectrum {
        guard fs > 0 else { throw EEGError.setting("sample rate", "must be greater than 0 Hz") }
        guard overlap >= 0, overlap < 1 else { throw EEGError.setting("overlap", "must be in 0..<1, found \(overlap)") }
        let n = Int(min(Double(x.count), max(8, (segmentSeconds * fs).rounded())))
        guard x.count >= 8 else { throw EEGError.setting("signal", "has \(x.count) samples: too short for a spectrum") }
        let step = max(1, n - Int((Double(n) * overlap).rounded()))
        let window: [Double] = (0..<n).map { i in
            let phase = 2 * Double.pi * Double(i) / Double(n)
            switch self.window {
            case .hann: return 0.5 - 0.5 * cos(phase)
            case .hamming: return 0.54 - 0.46 * cos(phase)
            case .boxcar: return 1
            }
        }
        let scale = 1 / (fs * window.reduce(0) { $0 + $1 * $1 })
        let bins = n / 2 + 1
        var density = [Double](repeating: 0, count: bins)

        let input = fftw_alloc_real(n)!, output = fftw_alloc_complex(bins)!
        defer { fftw_free(input); fftw_free(output) }
        Self.planLock.lock()
        let plan = fftw_plan_dft_r2c_1d(Int32(n), input, output, UInt32(FFTW_ESTIMATE))
        Self.planLock.unlock()
        defer { Self.planLock.lock(); fftw_destroy_plan(plan); Self.planLock.unlock() }

        var segments = 0, start = 0
        while start + n <= x.count {
            let trend = Self.trend(x, start, n, detrend)
            for i in 0..<n { input[i] = (x[start + i] - trend.0 - trend.1 * Double(i)) * window[i] }
            fftw_execute(plan)
            for k in 0..<bins {
                let re = output[k].0, im = output[k].1
                density[k] += (re * re + im * im)
            }
            segments += 1
            start += step
        }
        let resolution = fs / Double(n)
        for k in 0..<bins {
            // One-sided: every bin but DC (and Nyquist for even n) carries both halves.
            let twice = k != 0 && !(n % 2 == 0 && k == bins - 1)
            density[k] = density[k] * scale / Double(segments) * (twice ? 2 : 1)
        }
        return Spectrum(frequencies: (0..<bins).map { Double($0) * resolution }, density: density, resolution: resolution)
    }

    /// (intercept, slope) removed from a segment.
    private static func trend(_ x: [Double], _ start: Int, _ n: Int, _ kind: Detrend) -> (Double, Double) {
        switch kind {
        case .none: return (0, 0)
        case .mean:
            var sum = 0.0
            for i in 0..<n { sum += x[start + i] }
            return (sum / Double(n), 0)
        case .linear:
            let meanT = Double(n - 1) / 2
            var sumY = 0.0, sumTY = 0.0, sumTT = 0.0
            for i in 0..<n { sumY += x[start + i] }
            let meanY = sumY / Double(n)
            for i in 0..<n {
                let t = Double(i) - meanT
                sumTY += t * (x[start + i] - meanY)
                sumTT += t * t
            }
            let slope = sumTT > 0 ? sumTY / sumTT : 0
            return (meanY - slope * meanT, slope)
        }
    }
}
