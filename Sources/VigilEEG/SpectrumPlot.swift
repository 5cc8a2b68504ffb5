import CAnalytics
import VigilCharts

/// Writes spectra as a PNG through CAnalytics (OpenCV drawing, libpng): for `vigil eeg plot`.
public enum SpectrumPlot {
    public struct Series: Sendable {
        public var label: String
        public var density: [Double]

        public init(label: String, density: [Double]) {
            self.label = label
            self.density = density
        }
    }

    /// `frequencies` is the shared grid; every series has one density per frequency.
    public static func write(path: String, title: String, frequencies: [Double], series: [Series],
                             bands: [(name: String, low: Double, high: Double)], maxFrequency: Double) throws {
        guard !series.isEmpty, series.allSatisfy({ $0.density.count == frequencies.count }) else {
            throw EEGError.native("spectrum plot", "every series needs one value per frequency")
        }
        let densities = series.flatMap(\.density)
        let edges = bands.flatMap { [$0.low, $0.high] }
        var error = [CChar](repeating: 0, count: 256)
        let status = CStrings.with(series.map(\.label)) { labels in
            CStrings.with(bands.map(\.name)) { names in
                vg_plot_spectra(path, title, frequencies, Int32(frequencies.count), densities, labels, Int32(series.count),
                                edges, names, Int32(bands.count), maxFrequency, &error, error.count)
            }
        }
        try AnalyticsStatus.check(status, "spectrum plot", message: CStrings.text(error))
    }
}

import Foundation
