import CAnalytics
import Foundation

/// Binary logistic regression through OpenCV's ml module (batch gradient descent).
/// Not thread-safe: one model is used from one queue at a time.
final class LogisticModel {
    private let handle: OpaquePointer

    init(features: [Float], rows: Int, columns: Int, labels: [Int], iterations: Int, learningRate: Double, l2: Double) throws {
        var error = [CChar](repeating: 0, count: 256)
        guard let handle = vg_logistic_train(features, labels.map(Int32.init), Int32(rows), Int32(columns), Int32(iterations),
                                             learningRate, l2, &error, error.count) else {
            throw CrimeError.native(operation: "logistic regression training", message: CrimeError.nativeText(error))
        }
        self.handle = handle
    }

    init(model: Data) throws {
        var error = [CChar](repeating: 0, count: 256)
        let text = String(decoding: model, as: UTF8.self)
        guard let handle = vg_logistic_load(text, &error, error.count) else {
            throw CrimeError.native(operation: "logistic regression load", message: CrimeError.nativeText(error))
        }
        self.handle = handle
    }

    deinit { vg_logistic_destroy(handle) }

    func serialized() throws -> Data {
        var text: UnsafeMutablePointer<CChar>?
        try check(vg_logistic_save(handle, &text), "save")
        defer { vg_free(text) }
        return Data(String(cString: text!).utf8)
    }

    func probabilities(features: [Float], rows: Int, columns: Int) throws -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        try check(vg_logistic_probability(handle, features, Int32(rows), Int32(columns), &out), "predict")
        return out
    }

    private func check(_ status: Int32, _ operation: String) throws {
        guard status != Int32(VG_OK) else { return }
        throw CrimeError.native(operation: "logistic regression \(operation)", message: String(cString: vg_logistic_last_error(handle)))
    }
}
