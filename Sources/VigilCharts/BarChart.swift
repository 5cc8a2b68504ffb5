import CAnalytics
import Foundation

/// A stacked bar chart written as PNG through CAnalytics (OpenCV drawing, libpng): case
/// statistics per period for the CLI and the page.
public enum BarChart {
    public enum ChartError: Error, CustomStringConvertible, Equatable, Sendable {
        case shape(String)
        case native(String)

        public var description: String {
            switch self {
            case .shape(let reason): return "chart: \(reason)"
            case .native(let message): return "chart failed: \(message)"
            }
        }
    }

    /// `values[p][g]` is group `g`'s count in period `p`.
    public static func write(path: String, title: String, periods: [String], groups: [String], values: [[Double]],
                             yLabel: String) throws {
        guard !periods.isEmpty, !groups.isEmpty, values.count == periods.count, values.allSatisfy({ $0.count == groups.count }) else {
            throw ChartError.shape("need one row of \(groups.count) values per period, and at least one period and group")
        }
        var error = [CChar](repeating: 0, count: 256)
        let flat = values.flatMap { $0 }
        let status = CStrings.with(periods) { periodNames in
            CStrings.with(groups) { groupNames in
                vg_plot_bars(path, title, periodNames, Int32(periods.count), groupNames, Int32(groups.count), flat, yLabel,
                             &error, error.count)
            }
        }
        guard status == Int32(VG_OK) else { throw ChartError.native(CStrings.text(error)) }
    }
}

/// C string arrays for the CAnalytics calls that take labels.
public enum CStrings {
    /// Lends `strings` to C as `const char *const *` for the duration of `body`.
    public static func with<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }

    /// The text a C call wrote into a caller's buffer.
    public static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
