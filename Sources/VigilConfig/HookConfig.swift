import Foundation
import VigilCore

/// An alert hook from `vigil.yaml`'s `hooks:` list: where alerts go besides the database.
public struct HookConfig: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        /// POST of the signed JSON event.
        case webhook(url: URL, secret: String, headers: [String: String])
        /// A program run with the event JSON on stdin; exit status 0 is success.
        case command(program: String, arguments: [String])
    }

    public var name: String
    public var target: Target
    public var filter: HookFilter
    /// Seconds one attempt may take (request or program run).
    public var timeout: Double
    /// Add the snapshot JPEG to the body, base64 (webhooks only).
    public var includeSnapshot: Bool
    /// `file:line` of the hook's entry, for messages.
    public var location: String

    public init(name: String, target: Target, filter: HookFilter = HookFilter(), timeout: Double = 10,
                includeSnapshot: Bool = false, location: String) {
        self.name = name
        self.target = target
        self.filter = filter
        self.timeout = timeout
        self.includeSnapshot = includeSnapshot
        self.location = location
    }

    public var route: OutboxRoute { OutboxRoute(hook: name, filter: filter) }

    public var kind: String {
        if case .webhook = target { return "webhook" }
        return "command"
    }

    /// Where the hook delivers, with credentials hidden: URLs redacted, and a command's arguments only
    /// counted (they may carry keys), for the API, the CLI and the log.
    public var shownDestination: String {
        switch target {
        case .webhook(let url, _, _): return Redaction.url(url.absoluteString)
        case .command(let program, let arguments):
            return arguments.isEmpty ? program : "\(program) (\(arguments.count) argument\(arguments.count == 1 ? "" : "s"))"
        }
    }

    static let keys = ["name", "type", "url", "secret", "secret_env", "headers", "program", "args", "timeout",
                       "include_snapshot", "watchlists", "cameras", "kinds", "events"]
    /// HMAC keys shorter than this are guessable; 32 characters is 128 bits of hex or ~190 of base64.
    public static let minimumSecretLength = 32
    /// Every header Vigil sets itself (a receiver relies on them), plus those HTTP owns.
    static let reservedHeaders = ["vigil-id", "vigil-timestamp", "vigil-signature", "vigil-event", "vigil-attempt", "user-agent",
                                  "webhook-id", "webhook-timestamp", "webhook-signature",
                                  "content-type", "content-length", "host", "transfer-encoding", "connection"]

    /// Reads one entry of `hooks:`. `base` resolves a relative program path; `environment` supplies `secret_env`.
    static func read(_ entry: inout YAMLMapping, base: String, environment: [String: String]) throws -> HookConfig {
        let name = try entry.requiredString("name")
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"#, options: .regularExpression) != nil else {
            throw entry.error("name", "'\(name)': use 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit")
        }
        let type = try entry.requiredString("type")
        let target: Target
        switch type {
        case "webhook":
            target = .webhook(url: try url(&entry), secret: try secret(&entry, environment: environment),
                              headers: try headers(&entry))
        case "command":
            target = .command(program: try program(&entry, base: base), arguments: try entry.strings("args") ?? [])
        default:
            throw entry.error("type", "'\(type)': expected webhook or command")
        }
        let filter = HookFilter(
            watchlists: try entry.strings("watchlists") ?? [], cameras: try entry.strings("cameras") ?? [],
            kinds: try checked(&entry, "kinds", allowed: HookFilter.alertKinds),
            events: try checked(&entry, "events", allowed: HookFilter.eventTypes))
        let includeSnapshot = try entry.bool("include_snapshot") ?? false
        if includeSnapshot, case .command = target {
            throw entry.error("include_snapshot", "only webhooks inline the snapshot; a command can read snapshot.path")
        }
        let hook = HookConfig(name: name, target: target, filter: filter, timeout: try entry.double("timeout", in: 0.1...300) ?? 10,
                              includeSnapshot: includeSnapshot, location: "\(entry.file):\(entry.node.line ?? 0)")
        let relevant = type == "webhook" ? ["program", "args"] : ["url", "secret", "secret_env", "headers"]
        for key in relevant where entry.has(key) {
            throw entry.error(key, "does not apply to a \(type) hook")
        }
        try entry.finish(known: keys)
        return hook
    }

    private static func url(_ entry: inout YAMLMapping) throws -> URL {
        let text = try entry.requiredString("url")
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw entry.error("url", "'\(text)' is not an http:// or https:// URL with a host")
        }
        if url.user != nil || url.password != nil {
            throw entry.error("url", "credentials in the URL would be logged; use headers: {Authorization: ...}")
        }
        return url
    }

    public static let standardWebhookPrefix = "whsec_"

    /// The key a Standard Webhooks secret (`whsec_<base64>`) stands for: the bytes the base64 encodes.
    /// Nil for any other secret, whose key is its UTF-8.
    public static func standardWebhookKey(_ secret: String) -> Data? {
        guard secret.hasPrefix(standardWebhookPrefix) else { return nil }
        return Data(base64Encoded: String(secret.dropFirst(standardWebhookPrefix.count)))
    }

    private static func secret(_ entry: inout YAMLMapping, environment: [String: String]) throws -> String {
        let inline = try entry.string("secret")
        let variable = try entry.string("secret_env")
        let value: String
        switch (inline, variable) {
        case (let secret?, nil): value = secret
        case (nil, let name?):
            guard let secret = environment[name], !secret.isEmpty else {
                throw entry.error("secret_env", "environment variable \(name) is not set")
            }
            value = secret
        case (nil, nil): throw entry.error("secret", "is required for a webhook (or secret_env: a variable holding it)")
        case (_?, _?): throw entry.error("secret_env", "set either secret or secret_env, not both")
        }
        if value.hasPrefix(standardWebhookPrefix) {
            guard let key = standardWebhookKey(value), key.count >= 24 else {
                throw entry.error(inline == nil ? "secret_env" : "secret",
                                  "a whsec_ secret must be base64 of at least 24 bytes after the prefix (e.g. `echo whsec_$(openssl rand -base64 32)`)")
            }
        }
        guard value.utf8.count >= minimumSecretLength, value.utf8.count <= 1024 else {
            let key = inline == nil ? "secret_env" : "secret"
            throw entry.error(key, "the secret is \(value.utf8.count) characters; use \(minimumSecretLength) to 1024 (e.g. `openssl rand -hex 32`)")
        }
        return value
    }

    private static func headers(_ entry: inout YAMLMapping) throws -> [String: String] {
        guard var section = try entry.mapping("headers") else { return [:] }
        var headers: [String: String] = [:]
        for name in section.keys {
            guard name.range(of: #"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"#, options: .regularExpression) != nil else {
                throw section.error(name, "not a valid HTTP header name")
            }
            guard !reservedHeaders.contains(name.lowercased()) else {
                throw section.error(name, "is set by Vigil and cannot be overridden")
            }
            let value = try section.requiredString(name)
            guard !value.contains("\r"), !value.contains("\n") else { throw section.error(name, "header values cannot span lines") }
            headers[name] = value
        }
        return headers
    }

    private static func program(_ entry: inout YAMLMapping, base: String) throws -> String {
        let text = try entry.requiredString("program")
        let path = DaemonConfig.resolve(text, base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw entry.error("program", "\(path) does not exist")
        }
        guard !isDirectory.boolValue, FileManager.default.isExecutableFile(atPath: path) else {
            throw entry.error("program", "\(path) is not an executable file")
        }
        return path
    }

    private static func checked(_ entry: inout YAMLMapping, _ key: String, allowed: [String]) throws -> [String] {
        let values = try entry.strings(key) ?? []
        if let bad = values.first(where: { !allowed.contains($0) }) {
            throw entry.error(key, "unknown value '\(bad)' (expected \(allowed.joined(separator: ", ")))")
        }
        return values
    }
}

/// How the dispatcher retries (`vigil.yaml`'s `delivery:`).
public struct DeliveryPolicy: Sendable, Equatable {
    /// Delay before each attempt, in seconds: the first is the initial attempt, the last repeats.
    public var schedule: [Double] = [0, 5, 30, 120, 600, 1800, 3600]
    /// A delivery not delivered this long after it was queued is marked dead.
    public var maxAge: Double = 86_400
    /// Hooks served at the same time (each hook's own deliveries stay strictly in order).
    public var concurrency = 4
    /// Random spread applied to each delay (0.2 = ±20%), so many deliveries do not retry in lockstep.
    public var jitter = 0.2

    public init() {}

    static let keys = ["schedule", "max_age", "concurrency", "jitter"]

    mutating func read(_ section: inout YAMLMapping) throws {
        if let node = section.value("schedule") {
            guard let items = node.sequence, !items.isEmpty else { throw section.error("schedule", "expected a list of delays in seconds") }
            schedule = try items.map { item in
                guard let value = item.float ?? item.int.map(Double.init), value >= 0, value <= 86_400 else {
                    throw section.error("schedule", "'\(item.string ?? "?")' is not a delay in seconds (0...86400)", node: item)
                }
                return value
            }
        }
        if let value = try section.double("max_age", in: 1...(30 * 86_400)) { maxAge = value }
        if let value = try section.int("concurrency", in: 1...64) { concurrency = value }
        if let value = try section.double("jitter", in: 0...0.5) { jitter = value }
        try section.finish(known: Self.keys)
    }
}
