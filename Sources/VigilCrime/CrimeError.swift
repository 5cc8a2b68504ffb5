import Foundation

/// Everything crime scoring can refuse, each naming the file, field or model concerned.
public enum CrimeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A data file problem: `file:line: message`.
    case data(file: String, line: Int?, message: String)
    /// A missing or unusable field in an incident (import, API, scoring).
    case field(String, String)
    /// A bad option or setting: names it.
    case setting(String, String)
    /// A feature set that contains the label's own source.
    case leakage(task: String, features: [String], source: String)
    case notEnoughData(String)
    case noModel(String)
    /// XGBoost or OpenCV refused: the operation and the library's message.
    case native(operation: String, message: String)

    public var description: String {
        switch self {
        case let .data(file, line, message): return "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        case let .field(name, message): return "\(name): \(message)"
        case let .setting(name, message): return "\(name): \(message)"
        case let .leakage(task, features, source):
            return "leakage: the \(task) label is derived from \(source); the feature set includes \(features.joined(separator: ", ")), so any score would be read off the label's source. Remove \(features.count == 1 ? "it" : "them") (or pass --allow-leakage to measure the leak; such a model can never be promoted)."
        case let .notEnoughData(message): return "not enough data: \(message)"
        case let .noModel(message): return message
        case let .native(operation, message): return "\(operation): \(message)"
        }
    }
}

extension CrimeError {
    /// The message a CAnalytics constructor wrote into the caller's buffer.
    static func nativeText(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The column mappings shipped with Vigil (`lapd`, `chicago`), by name.
public enum BuiltInMappings {
    public static let names = ["lapd", "chicago"]

    /// A built-in mapping's name, or a path to a mapping file.
    public static func path(for nameOrPath: String) -> String {
        guard names.contains(nameOrPath),
              let url = Bundle.module.url(forResource: nameOrPath, withExtension: "yaml", subdirectory: "Resources/mappings") else {
            return nameOrPath
        }
        return url.path
    }
}
