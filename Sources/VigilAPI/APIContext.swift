import Foundation
import Hummingbird
import VigilStore

/// The request context: Hummingbird's core storage plus the authenticated token.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `Authenticator` on every `/v1` route.
    public var token: APIToken?
    /// The peer's address, for failed-login rate limiting (nil in in-process tests).
    public var peer: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }

    /// Uploads (enrolment photos) may be this large; everything else is small JSON.
    public var maxUploadSize: Int { 20 * 1024 * 1024 }

    public var requestDecoder: APIJSON { APIJSON() }
    public var responseEncoder: APIJSON { APIJSON() }

    /// Who to write in the audit log: `api:<token name>`.
    public var actor: String { "api:" + (token?.name ?? "anonymous") }

    /// A path parameter, percent-decoded (`/plates/AB%3F12` names plate `AB?12`), and refused
    /// when its encoding is broken. (What a name may hold is the store's to check.)
    public func pathText(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let text = raw.removingPercentEncoding else {
            throw HTTPError(.badRequest, message: "path parameter \(name) '\(raw)' is not valid percent-encoded text")
        }
        return text
    }

    /// Throws 403 unless the token's role is at least `role`.
    public func require(_ role: Role) throws {
        guard let token else { throw HTTPError(.unauthorized, message: "an API token is required") }
        guard token.role >= role else {
            throw HTTPError(.forbidden, message: "this needs the \(role.rawValue) role; token '\(token.name)' is \(token.role.rawValue)")
        }
    }
}

/// JSON in and out: snake_case keys, ISO 8601 dates with milliseconds, sorted keys.
public struct APIJSON: RequestDecoder, ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try Self.encoder.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1024 * 1024)
        do {
            return try Self.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError(.badRequest, message: "missing field '\(key.stringValue.snakeCased)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue.snakeCased).joined(separator: ".")
            throw HTTPError(.badRequest, message: "field '\(field)' has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            let field = context.codingPath.map(\.stringValue.snakeCased).joined(separator: ".")
            throw HTTPError(.badRequest, message: "field '\(field)': \(context.debugDescription)")
        } catch {
            throw HTTPError(.badRequest, message: "the body is not valid JSON")
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}

extension String {
    var snakeCased: String {
        reduce(into: "") { out, c in
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
    }
}
