import Foundation

/// `api:` in vigil.yaml: where the HTTP API and web page listen.
public struct APIConfig: Sendable, Equatable {
    public var enabled = true
    /// Loopback by default: exposing the API to a network is a deliberate choice (and wants a TLS proxy).
    public var host = "127.0.0.1"
    /// 0 lets the system choose (the daemon logs the port it got).
    public var port = 8080
    /// Where photos uploaded for enrolment are kept.
    public var uploads = "enrolments"
    /// Failed authentications per address per minute before that address gets 429 for the rest of the minute.
    public var failedAuthLimit = 20

    public init() {}

    static let keys = ["enabled", "host", "port", "uploads", "failed_auth_limit"]

    mutating func read(_ section: inout YAMLMapping) throws {
        if let value = try section.bool("enabled") { enabled = value }
        if let value = try section.string("host") {
            let numeric = value.split(separator: ".").count == 4 && value.split(separator: ".").allSatisfy { UInt8($0) != nil }
            guard numeric || value == "::1" || value == "::" || value == "localhost" else {
                throw section.error("host", "'\(value)': expected an IP address to bind (127.0.0.1, 0.0.0.0, ::1, ::) or localhost")
            }
            host = value
        }
        if let value = try section.int("port", in: 0...65535) { port = value }
        if let value = try section.string("uploads") { uploads = value }
        if let value = try section.int("failed_auth_limit", in: 1...1_000_000) { failedAuthLimit = value }
        try section.finish(known: Self.keys)
    }
}
