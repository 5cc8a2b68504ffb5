import Foundation
import VigilStore
import Yams

/// A watchlist on disk, ready to import: `DIR/<subject>/<images>`, plus an
/// optional `DIR/watchlist.yaml` giving the name, threshold, display names,
/// notes, and images kept elsewhere (paths relative to the YAML file).
///
/// ```yaml
/// name: demo
/// threshold: 0.6
/// subjects:
///   barack_obama:
///     name: Barack Obama
///     notes: why this person is on the list
///     images: [../../.demo/images/obama.jpg]
/// ```
public struct WatchlistDefinition: Sendable, Equatable {
    public struct Subject: Sendable, Equatable {
        public var input: SubjectInput
        public var images: [String]
    }

    public var name: String
    public var threshold: Double?
    public var subjects: [Subject]

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"]

    public static func load(directory: String) throws -> WatchlistDefinition {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DefinitionError(file: directory, message: "not a directory")
        }
        let yamlURL = root.appendingPathComponent("watchlist.yaml")
        let spec = FileManager.default.fileExists(atPath: yamlURL.path) ? try Spec.load(yamlURL) : Spec()

        var subjects: [String: Subject] = [:]
        let folders = try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        for folder in folders where !folder.lastPathComponent.hasPrefix(".") {
            let images = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { imageExtensions.contains($0.pathExtension.lowercased()) }
                .map(\.path).sorted()
            let id = folder.lastPathComponent
            subjects[id] = Subject(input: SubjectInput(id: id, displayName: displayName(id)), images: images)
        }
        for (id, entry) in spec.subjects ?? [:] {
            var subject = subjects[id] ?? Subject(input: SubjectInput(id: id, displayName: displayName(id)), images: [])
            if let name = entry.name { subject.input.displayName = name }
            subject.input.notes = entry.notes
            for image in entry.images ?? [] {
                let path = image.hasPrefix("/") ? image : root.appendingPathComponent(image).standardizedFileURL.path
                subject.images.append(path)
            }
            subjects[id] = subject
        }
        for subject in subjects.values where subject.images.isEmpty {
            throw DefinitionError(file: directory, message: "subject '\(subject.input.id)' has no images")
        }
        guard !subjects.isEmpty else {
            throw DefinitionError(file: directory, message: "no subjects: expected DIR/<subject>/<images> or watchlist.yaml")
        }
        return WatchlistDefinition(name: spec.name ?? root.lastPathComponent, threshold: spec.threshold,
                                   subjects: subjects.values.sorted { $0.input.id < $1.input.id })
    }

    /// `lin_manuel_miranda` -> `Lin Manuel Miranda`.
    static func displayName(_ id: String) -> String {
        id.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: " ")
    }
}

/// A problem in a watchlist definition, naming the file (and line when known).
public struct DefinitionError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

private struct Spec: Decodable {
    struct SubjectSpec: Decodable {
        var name: String?
        var notes: String?
        var images: [String]?
    }

    var name: String?
    var threshold: Double?
    var subjects: [String: SubjectSpec]?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case name, threshold, subjects }

    static func load(_ url: URL) throws -> Spec {
        let text = try String(contentsOf: url, encoding: .utf8)
        do {
            try checkKeys(text, file: url.path)
            return try YAMLDecoder().decode(Spec.self, from: text)
        } catch let error as DefinitionError {
            throw error
        } catch let error as YamlError {
            throw DefinitionError(file: url.path, line: nil, message: "\(error)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw DefinitionError(file: url.path, line: line(of: context.codingPath.last?.stringValue, in: text),
                                  message: "\(key): \(context.debugDescription)")
        } catch {
            throw DefinitionError(file: url.path, line: nil, message: "\(error)")
        }
    }

    /// Unknown keys are errors (a typo must not silently drop a setting).
    private static func checkKeys(_ text: String, file: String) throws {
        guard let node = try Yams.compose(yaml: text), let mapping = node.mapping else { return }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            if !known.contains(name) {
                throw DefinitionError(file: file, line: key.mark.map { $0.line }, message: "unknown key '\(name)'")
            }
            if name == "subjects", let subjects = value.mapping {
                for (_, subject) in subjects {
                    for (field, _) in subject.mapping ?? [:] where !["name", "notes", "images"].contains(field.string ?? "") {
                        throw DefinitionError(file: file, line: field.mark.map { $0.line },
                                              message: "unknown key '\(field.string ?? "?")' (expected name, notes, images)")
                    }
                }
            }
        }
    }

    private static func line(of key: String?, in text: String) -> Int? {
        guard let key else { return nil }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") {
            return index + 1
        }
        return nil
    }
}
