import CXGBoost
import Foundation

/// A gradient-boosted (or random-forest) tree ensemble through XGBoost's C API.
/// Not thread-safe: one booster is used from one queue at a time.
final class Booster {
    private var handle: BoosterHandle?

    /// Trains on `rows` x `columns` row-major features (NaN = missing) for `rounds` boosting rounds.
    init(features: [Float], rows: Int, columns: Int, labels: [Float], parameters: [(String, String)], rounds: Int) throws {
        let matrix = try Self.matrix(features, rows: rows, columns: columns)
        defer { XGDMatrixFree(matrix) }
        try Self.check(labels.withUnsafeBufferPointer { XGDMatrixSetFloatInfo(matrix, "label", $0.baseAddress, bst_ulong(labels.count)) }, "label")
        var matrices: [DMatrixHandle?] = [matrix]
        try Self.check(XGBoosterCreate(&matrices, 1, &handle), "create booster")
        for (name, value) in parameters { try Self.check(XGBoosterSetParam(handle, name, value), "parameter \(name)=\(value)") }
        for round in 0..<rounds { try Self.check(XGBoosterUpdateOneIter(handle, Int32(round), matrix), "boosting round \(round)") }
    }

    /// Loads what `serialized()` wrote.
    init(model: Data) throws {
        try Self.check(XGBoosterCreate(nil, 0, &handle), "create booster")
        try Self.check(model.withUnsafeBytes { XGBoosterLoadModelFromBuffer(handle, $0.baseAddress, bst_ulong($0.count)) }, "load model")
    }

    deinit { XGBoosterFree(handle) }

    /// The model in XGBoost's UBJSON format (portable across XGBoost versions that read it).
    func serialized() throws -> Data {
        var length: bst_ulong = 0
        var bytes: UnsafePointer<CChar>?
        try Self.check(XGBoosterSaveModelToBuffer(handle, "{\"format\": \"ubj\"}", &length, &bytes), "save model")
        guard let bytes else { throw CrimeError.native(operation: "XGBoost save model", message: "no bytes") }
        return Data(bytes: bytes, count: Int(length))
    }

    /// One output per row: P(positive) for `binary:logistic`, the prediction for regression.
    func predict(features: [Float], rows: Int, columns: Int) throws -> [Float] {
        guard rows > 0 else { return [] }
        let matrix = try Self.matrix(features, rows: rows, columns: columns)
        defer { XGDMatrixFree(matrix) }
        var shape: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var result: UnsafePointer<Float>?
        let config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false}"
        try Self.check(XGBoosterPredictFromDMatrix(handle, matrix, config, &shape, &dimension, &result), "predict")
        guard let result else { throw CrimeError.native(operation: "XGBoost predict", message: "no output") }
        return Array(UnsafeBufferPointer(start: result, count: rows))
    }

    private static func matrix(_ features: [Float], rows: Int, columns: Int) throws -> DMatrixHandle? {
        guard features.count == rows * columns, rows > 0, columns > 0 else {
            throw CrimeError.native(operation: "XGBoost matrix", message: "\(features.count) values for \(rows) x \(columns)")
        }
        var matrix: DMatrixHandle?
        try check(features.withUnsafeBufferPointer { XGDMatrixCreateFromMat($0.baseAddress, bst_ulong(rows), bst_ulong(columns), .nan, &matrix) }, "matrix")
        return matrix
    }

    /// The one place XGBoost's status codes become errors.
    private static func check(_ status: Int32, _ operation: String) throws {
        guard status != 0 else { return }
        throw CrimeError.native(operation: "XGBoost \(operation)", message: String(cString: XGBGetLastError()))
    }
}
