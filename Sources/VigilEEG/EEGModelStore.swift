import Foundation

/// Versioned EEG classifiers under `models/eeg/<name>/v<N>/`: the forest
/// (`forest.yml`) next to `model.json`, which keeps what the model was trained
/// on and its cross-validated figures, so every score can carry them.
public struct EEGModelCard: Sendable, Codable, Equatable {
    public var name: String
    public var version: Int
    public var createdAt: Date
    public var features: [String]
    public var classes: [String]
    public var epochSeconds: Double?
    public var trees: Int
    public var maxDepth: Int
    public var trainingData: String
    public var trainingSha256: String
    public var validation: CrossValidation
    public var note: String

    public init(name: String, version: Int, createdAt: Date, features: [String], classes: [String], epochSeconds: Double?, trees: Int,
                maxDepth: Int, trainingData: String, trainingSha256: String, validation: CrossValidation, note: String) {
        self.name = name
        self.version = version
        self.createdAt = createdAt
        self.features = features
        self.classes = classes
        self.epochSeconds = epochSeconds
        self.trees = trees
        self.maxDepth = maxDepth
        self.trainingData = trainingData
        self.trainingSha256 = trainingSha256
        self.validation = validation
        self.note = note
    }
}

public struct EEGModelStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func folder(_ name: String, _ version: Int) -> String {
        (directory as NSString).appendingPathComponent("\(name)/v\(version)")
    }

    public func versions(_ name: String) -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: (directory as NSString).appendingPathComponent(name))) ?? []
        return entries.compactMap { $0.hasPrefix("v") ? Int($0.dropFirst()) : nil }.sorted()
    }

    /// A new version folder, created; returns its number.
    public func nextVersion(_ name: String) throws -> Int {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"#, options: .regularExpression) != nil else {
            throw EEGError.setting("--out", "invalid model name '\(name)': use letters, digits, '_', '-' or '.'")
        }
        let version = (versions(name).last ?? 0) + 1
        try FileManager.default.createDirectory(atPath: folder(name, version), withIntermediateDirectories: true)
        return version
    }

    public func save(_ card: EEGModelCard) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(card).write(to: URL(fileURLWithPath: (folder(card.name, card.version) as NSString).appendingPathComponent("model.json")))
    }

    /// The card of `name` (latest version unless given), and the forest's path.
    public func load(_ name: String, version: Int? = nil) throws -> (card: EEGModelCard, forest: String) {
        guard let chosen = version ?? versions(name).last, versions(name).contains(chosen) else {
            throw EEGError.setting("--model", "no model '\(name)'\(version.map { " version \($0)" } ?? "") in \(directory) (train one with `vigil eeg train`)")
        }
        let path = (folder(name, chosen) as NSString).appendingPathComponent("model.json")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let data = FileManager.default.contents(atPath: path) else { throw EEGError.unreadable(path) }
        do {
            return (try decoder.decode(EEGModelCard.self, from: data), (folder(name, chosen) as NSString).appendingPathComponent("forest.yml"))
        } catch {
            throw EEGError.field(path, "model card", "\(error)")
        }
    }
}
