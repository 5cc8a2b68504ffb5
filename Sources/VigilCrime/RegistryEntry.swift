import Foundation
import VigilStore

/// A registry row as operators (`vigil crime models|train --json`) and the API see it:
/// the figures, the report and the stage history, never the model bytes.
public struct RegistryEntry: Encodable, Sendable {
    public var id: Int64, task: String, version: Int, algorithm: String, stage: String, rows: Int, dataHash: String, leakage: Bool
    public var createdAt: Date, createdBy: String, codeVersion: String, trainedThrough: Date
    public var cvMacroF1: Double, holdoutMacroF1: Double, forwardMacroF1: Double?
    public var report: TrainingReport
    public var history: [CrimeModelEvent]

    public init(record: CrimeModelRecord, history: [CrimeModelEvent] = []) throws {
        let report = try CrimeLifecycle.report(of: record)
        id = record.id ?? 0
        task = record.task
        version = record.version
        algorithm = record.algorithm
        stage = record.stage.rawValue
        rows = record.rows
        dataHash = record.dataHash
        leakage = record.leakage
        createdAt = record.createdAt
        createdBy = record.createdBy
        codeVersion = record.codeVersion
        trainedThrough = record.trainedThrough
        cvMacroF1 = report.crossValidation.meanMacroF1
        holdoutMacroF1 = report.holdout.macroF1
        forwardMacroF1 = report.forward?.metrics.macroF1
        self.report = report
        self.history = history
    }
}

/// The JSON crime answers are written in (CLI and API alike): sorted snake_case keys, ISO 8601 dates.
public enum CrimeJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }
}
