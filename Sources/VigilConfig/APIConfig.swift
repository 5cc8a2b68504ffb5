import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks). Without
    /// this, everyone behind the proxy shares its address for rate limiting.
    public var trustedProxies: [AddressBlock] = []
    /// Seconds a connection may sit idle, or take to send a request's head, before it is closed.
    public var idleTimeout = 15.0
    /// Open alert streams and camera previews per token at most (each holds a connection and a task).
    public var maxStreamsPerToken = 8
    /// Where other nodes of an installation reach this node's API (`http://address:port`), for
    /// proxying camera previews. Unset: the bound address and port, or the host name when the API
    /// listens on every interface.
    public var advertise: String?

    public init() {}

    static let keys = ["enabled", "host", "port", "uploads", "failed_auth_limit", "trusted_proxies", "idle_timeout",
                       "max_streams_per_token", "advertise"]

    /// What `advertise` must look like. The value is not echoed: a mistaken one may carry credentials.
    public static let advertiseRule = "expected http://host:port (or https://), without a path, query or credentials"

    /// `value` without a trailing slash when it is a usable `advertise` address, else nil.
    public static func advertisable(_ value: String) -> String? {
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
              url.user == nil, url.password == nil, url.query == nil, url.path.isEmpty || url.path == "/" else { return nil }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// The address other nodes use for this API, once it listens on `port`.
    public func advertised(port: Int, hostName: String) -> String {
        if let advertise { return advertise }
        let host: String
        switch self.host {
        case "0.0.0.0", "::": host = hostName
        case let address where address.contains(":"): host = "[\(address)]"
        default: host = self.host
        }
        return "http://\(host):\(port)"
    }

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
        if let values = try section.strings("trusted_proxies") {
            trustedProxies = try values.map { text in
                guard let block = AddressBlock(text) else {
                    throw section.error("trusted_proxies", "'\(text)': expected an IP address or CIDR block such as 10.0.0.0/8 or ::1")
                }
                return block
            }
        }
        if let value = try section.double("idle_timeout", in: 1...3600) { idleTimeout = value }
        if let value = try section.int("max_streams_per_token", in: 1...1000) { maxStreamsPerToken = value }
        if let value = try section.string("advertise") {
            guard let checked = Self.advertisable(value) else { throw section.error("advertise", Self.advertiseRule) }
            advertise = checked
        }
        try section.finish(known: Self.keys)
    }
}

/// An IPv4 or IPv6 address, or a CIDR block of them (`10.0.0.0/8`, `fd00::/8`).
public struct AddressBlock: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefix: Int
    public let description: String

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let bytes = Self.parse(parts[0]) else { return nil }
        let bits = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            prefix = bits
        }
        self.bytes = bytes
        description = text
    }

    /// Whether `address` (textual, as a socket reports it) lies in this block.
    public func contains(_ address: String) -> Bool {
        guard let other = Self.parse(address), other.count == bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(bytes, other) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    /// Bytes of an IPv4 (4) or IPv6 (16) address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) reads as IPv4.
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
