import CAnalytics
import VigilCharts

/// A random forest (OpenCV ml) over numeric features: trained, saved, loaded,
/// and asked for class probabilities (the share of trees per class).
public final class Forest {
    private let handle: OpaquePointer

    public init(features: [[Double]], labels: [Int], trees: Int = 100, maxDepth: Int = 8) throws {
        let columns = features.first?.count ?? 0
        let flat = features.flatMap { $0.map(Float.init) }
        let y = labels.map(Int32.init)
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = vg_forest_train(flat, y, Int32(features.count), Int32(columns), Int32(trees), Int32(maxDepth), &error, error.count) else {
            throw EEGError.native("forest training", CStrings.text(error))
        }
        self.handle = handle
    }

    public init(path: String) throws {
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = vg_forest_load(path, &error, error.count) else {
            throw EEGError.model(path, CStrings.text(error))
        }
        self.handle = handle
    }

    deinit { vg_forest_destroy(handle) }

    public func save(to path: String) throws {
        try AnalyticsStatus.check(vg_forest_save(handle, path), "forest save", message: String(cString: vg_forest_last_error(handle)))
    }

    /// Probability per class index 0..<classCount.
    public func probabilities(_ features: [Double], classCount: Int) throws -> [Double] {
        var out = [Float](repeating: 0, count: classCount)
        let wanted = (0..<Int32(classCount)).map { $0 }
        let status = vg_forest_probabilities(handle, features.map(Float.init), Int32(features.count), wanted, Int32(classCount), &out)
        try AnalyticsStatus.check(status, "forest prediction", message: String(cString: vg_forest_last_error(handle)))
        return out.map(Double.init)
    }
}
