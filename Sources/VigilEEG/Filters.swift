import Foundation

/// Zero-phase IIR filtering (forward then backward, like `scipy.signal.filtfilt`)
/// with RBJ biquads: a mains notch and a band-pass made of a 2nd-order
/// Butterworth high-pass and low-pass. Optional: PSD band powers are read
/// from bins, so a notch matters only when mains leaks into a band.
public struct Preprocessing: Sendable, Equatable, Codable {
    /// 50 or 60 Hz; nil = no notch.
    public var notch: Double?
    /// [low, high] Hz; nil = no band-pass.
    public var bandPass: [Double]?

    public init(notch: Double? = nil, bandPass: [Double]? = nil) {
        self.notch = notch
        self.bandPass = bandPass
    }

    public func apply(_ x: [Double], sampleRate fs: Double) throws -> [Double] {
        var y = x
        if let notch {
            guard notch > 0, notch < fs / 2 else { throw EEGError.setting("--notch", "\(notch) Hz is not below Nyquist (\(fs / 2) Hz)") }
            y = Biquad.notch(notch, q: 30, fs: fs).filtfilt(y)
        }
        if let band = bandPass {
            guard band.count == 2, band[0] > 0, band[1] > band[0], band[1] < fs / 2 else {
                throw EEGError.setting("--band-pass", "expected 0 < low < high < \(fs / 2) Hz, found \(band)")
            }
            y = Biquad.highPass(band[0], fs: fs).filtfilt(y)
            y = Biquad.lowPass(band[1], fs: fs).filtfilt(y)
        }
        return y
    }
}

struct Biquad {
    var b0, b1, b2, a1, a2: Double

    private static func make(_ b: (Double, Double, Double), _ a: (Double, Double, Double)) -> Biquad {
        Biquad(b0: b.0 / a.0, b1: b.1 / a.0, b2: b.2 / a.0, a1: a.1 / a.0, a2: a.2 / a.0)
    }

    static func notch(_ f: Double, q: Double, fs: Double) -> Biquad {
        let w = 2 * Double.pi * f / fs, alpha = sin(w) / (2 * q)
        return make((1, -2 * cos(w), 1), (1 + alpha, -2 * cos(w), 1 - alpha))
    }

    static func highPass(_ f: Double, fs: Double) -> Biquad {
        let w = 2 * Double.pi * f / fs, alpha = sin(w) / (2 * 0.5.squareRoot())
        let c = cos(w)
        return make(((1 + c) / 2, -(1 + c), (1 + c) / 2), (1 + alpha, -2 * c, 1 - alpha))
    }

    static func lowPass(_ f: Double, fs: Double) -> Biquad {
        let w = 2 * Double.pi * f / fs, alpha = sin(w) / (2 * 0.5.squareRoot())
        let c = cos(w)
        return make(((1 - c) / 2, 1 - c, (1 - c) / 2), (1 + alpha, -2 * c, 1 - alpha))
    }

    func run(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        var x1 = x.first ?? 0, x2 = x1, y1 = x1 * (b0 + b1 + b2) / (1 + a1 + a2), y2 = y1
        if !(y1.isFinite) { y1 = 0; y2 = 0 }
        for i in x.indices {
            let v = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2 = x1; x1 = x[i]; y2 = y1; y1 = v
            y[i] = v
        }
        return y
    }

    func filtfilt(_ x: [Double]) -> [Double] {
        Array(run(Array(run(x).reversed())).reversed())
    }
}
