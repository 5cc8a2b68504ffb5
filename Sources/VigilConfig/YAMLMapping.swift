import Yams

/// Typed, checked access to one YAML mapping, for configuration files.
///
/// Every read names the file, line and full key path on failure, and
/// `finish()` rejects keys nobody read: a misspelt setting is an error, never
/// silently ignored.
struct YAMLMapping {
    let file: String
    let path: String
    let node: Node
    private let entries: [(key: String, value: Node)]
    private var read: Set<String> = []

    init(_ node: Node, file: String, path: String = "") throws {
        self.file = file
        self.path = path
        self.node = node
        guard let mapping = node.mapping else {
            throw ConfigError(file: file, line: node.line, key: path.isEmpty ? nil : path, message: "expected a mapping of keys to values")
        }
        var entries: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigError(file: file, line: key.line, message: "keys must be strings")
            }
            if entries.contains(where: { $0.0 == name }) {
                throw ConfigError(file: file, line: key.line, key: qualified(name, in: path), message: "duplicate key")
            }
            entries.append((name, value))
        }
        self.entries = entries
    }

    static func load(text: String, file: String) throws -> YAMLMapping {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, message: "file is empty")
            }
            return try YAMLMapping(node, file: file)
        } catch let error as YamlError {
            throw ConfigError(file: file, message: "not valid YAML: \(error)")
        }
    }

    func key(_ name: String) -> String { qualified(name, in: path) }

    /// The keys present, in file order.
    var keys: [String] { entries.map(\.key) }

    func has(_ name: String) -> Bool { entries.contains { $0.key == name } }

    mutating func value(_ name: String) -> Node? {
        read.insert(name)
        return entries.first { $0.key == name }?.value
    }

    func error(_ name: String, _ message: String, node: Node? = nil) -> ConfigError {
        ConfigError(file: file, line: (node ?? entries.first { $0.key == name }?.value ?? self.node).line,
                    key: key(name), message: message)
    }

    mutating func string(_ name: String) throws -> String? {
        guard let node = value(name) else { return nil }
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw error(name, "expected text", node: node) }
        return scalar.string
    }

    mutating func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw error(name, "is required") }
        return value
    }

    mutating func bool(_ name: String) throws -> Bool? {
        guard let node = value(name) else { return nil }
        guard let value = node.bool else { throw error(name, "expected true or false, got '\(node.string ?? "?")'", node: node) }
        return value
    }

    mutating func double(_ name: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let node = value(name) else { return nil }
        guard let value = node.float ?? node.int.map({ Double($0) }), value.isFinite else {
            throw error(name, "expected a number, got '\(node.string ?? "?")'", node: node)
        }
        guard range.contains(value) else {
            throw error(name, "\(format(value)) is out of range \(format(range.lowerBound))...\(format(range.upperBound))", node: node)
        }
        return value
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let node = value(name) else { return nil }
        guard let value = node.int else { throw error(name, "expected a whole number, got '\(node.string ?? "?")'", node: node) }
        guard range.contains(value) else {
            throw error(name, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)", node: node)
        }
        return value
    }

    mutating func strings(_ name: String) throws -> [String]? {
        guard let node = value(name) else { return nil }
        guard let items = node.sequence else { throw error(name, "expected a list", node: node) }
        return try items.map { item in
            guard let text = item.string, !text.isEmpty else { throw error(name, "list items must be text", node: item) }
            return text
        }
    }

    mutating func mapping(_ name: String) throws -> YAMLMapping? {
        guard let node = value(name) else { return nil }
        return try YAMLMapping(node, file: file, path: key(name))
    }

    /// A list of mappings (`hooks:`), each addressed as `name[index]` in messages.
    mutating func mappings(_ name: String) throws -> [YAMLMapping]? {
        guard let node = value(name) else { return nil }
        guard let items = node.sequence else { throw error(name, "expected a list", node: node) }
        return try items.enumerated().map { index, item in
            try YAMLMapping(item, file: file, path: key(name) + "[\(index)]")
        }
    }

    /// Rejects keys that were never read (typos, settings from another version).
    func finish(known: [String]? = nil) throws {
        for (name, value) in entries where !read.contains(name) {
            let hint = known.map { " (known keys: \($0.joined(separator: ", ")))" } ?? ""
            throw ConfigError(file: file, line: value.line, key: key(name), message: "unknown key" + hint)
        }
    }
}

private func qualified(_ name: String, in path: String) -> String { path.isEmpty ? name : path + "." + name }

private func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}

extension Node {
    /// 1-based line of this node in its file.
    var line: Int? { mark?.line }
}
