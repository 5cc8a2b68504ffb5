import Crypto
import Foundation
import VigilTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VigilAPI
import VigilConfig
import VigilCore
import VigilStore

/// What a hostile or careless client must not get: credentials in URLs, another's files through
/// an enrolment path, frames of the page, or the power to lock operators out.
@Suite struct APISecurityTests {
    let bench: APIBench
    var directory: URL { bench.directory }
    var database: VigilDatabase { bench.database }
    var tokens: [Role: String] { bench.tokens }

    init() throws { bench = try APIBench() }

    func app(hooks: [HookConfig] = []) -> some ApplicationProtocol { bench.app(hooks: hooks) }
    func headers(_ role: Role) -> HTTPFields { bench.headers(role) }

    @Test func everyResponseCarriesTheHardeningHeaders() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            for (uri, auth) in [("/healthz", false), ("/", false), ("/v1/alerts", true), ("/v1/alerts", false), ("/v1/nowhere", true)] {
                let response = try await client.execute(uri: uri, method: .get, headers: auth ? headers(.viewer) : [:])
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri) \(response.status)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(uri) \(response.status)")
            }
            // The page keeps its own policy, with framing forbidden added.
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
            // `Bearer` is matched case-insensitively (RFC 7235).
            var lower = HTTPFields()
            lower[.authorization] = "bearer \(tokens[.viewer]!)"
            #expect(try await client.execute(uri: "/v1/me", method: .get, headers: lower).status == .ok)
        }
    }

    @Test func hookDestinationsAreForAdminsOnlyAndRedacted() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let hooks = [
            HookConfig(name: "siem", target: .webhook(url: URL(string: "https://siem.example/in?token=s3cr3t&site=north")!,
                                                      secret: String(repeating: "k", count: 32), headers: [:]), location: "test"),
            HookConfig(name: "pager", target: .command(program: "/usr/local/bin/page", arguments: ["--key", "abc123"]), location: "test"),
        ]
        try await app(hooks: hooks).test(.router) { client in
            let viewer = String(buffer: try await client.execute(uri: "/v1/hooks", method: .get, headers: headers(.viewer)).body)
            #expect(!viewer.contains("siem.example") && !viewer.contains("s3cr3t") && !viewer.contains("/usr/local/bin/page"), "\(viewer)")
            let admin = String(buffer: try await client.execute(uri: "/v1/hooks", method: .get, headers: headers(.admin)).body)
            #expect(admin.contains("https://siem.example/in?token=***&site=north"), "\(admin)")
            #expect(!admin.contains("s3cr3t") && !admin.contains("abc123") && admin.contains("/usr/local/bin/page (2 arguments)"), "\(admin)")
        }
    }

    @Test func pathParametersArePercentDecoded() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try database.createPlateWatchlist(name: "stolen", actor: "test")
        _ = try database.addPlate(watchlist: "stolen", plate: "AB?12*", label: nil, actor: "test")
        try await app().test(.router) { client in
            let removed = try await client.execute(uri: "/v1/watchlists/stolen/plates/AB%3F12%2A", method: .delete, headers: headers(.operator))
            #expect(removed.status == .noContent, "\(String(buffer: removed.body))")
            let broken = try await client.execute(uri: "/v1/watchlists/stolen/plates/AB%ZZ", method: .delete, headers: headers(.operator))
            #expect(broken.status == .badRequest)
        }
        #expect(try database.auditLog(watchlist: "stolen").first?.action == "plate.remove")
    }

    /// An enrolment row names a file; the API serves it only while it is a regular file at an
    /// absolute path whose bytes hash to what was enrolled.
    @Test func enrolmentImagesAreServedOnlyWhileUnchanged() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try database.createWatchlist(name: "stage", actor: "test")
        let photo = directory.appendingPathComponent("kept.png")
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<64).map { UInt8($0) })
        try bytes.write(to: photo)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let enrolment = NewEnrolment(sha256: digest, sourcePath: photo.path, encoding: FaceEncoding([Float](repeating: 0, count: 128))!,
                                     box: BoundingBox(x: 0, y: 0, width: 1, height: 1), detector: "hog")
        _ = try database.enrol(watchlist: "stage", subject: SubjectInput(id: "s"), images: [enrolment], actor: "test")
        let id = try #require(try database.faceEnrolments(watchlists: ["stage"]).first?.enrolmentID)
        let secret = directory.appendingPathComponent("secret.txt")
        try Data("operator passwords".utf8).write(to: secret)
        try await app().test(.router) { client in
            func get() async throws -> TestResponse {
                try await client.execute(uri: "/v1/enrolments/\(id)/image", method: .get, headers: headers(.viewer))
            }
            let served = try await get()
            #expect(served.status == .ok && served.headers[.cacheControl] == "no-store" && served.body.readableBytes == bytes.count)
            // Replaced by another file: refused.
            try Data("operator passwords".utf8).write(to: photo)
            #expect(try await get().status == .conflict)
            // Replaced by a symbolic link to another file: not followed.
            try FileManager.default.removeItem(at: photo)
            try FileManager.default.createSymbolicLink(at: photo, withDestinationURL: secret)
            let linked = try await get()
            #expect(linked.status == .notFound && !String(buffer: linked.body).contains("passwords"))
        }
    }

    @Test func freeTextIsBounded() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try database.createWatchlist(name: "stage", actor: "test")
        for input in [SubjectInput(id: "a", notes: String(repeating: "n", count: 2001)),
                      SubjectInput(id: "b", displayName: String(repeating: "d", count: 201)),
                      SubjectInput(id: "c", displayName: "forged\u{1B}[2Kline")] {
            #expect(throws: StoreError.self) { try database.enrol(watchlist: "stage", subject: input, images: [], actor: "test") }
        }
        #expect(try database.watchlist(named: "stage").subjects.isEmpty, "nothing stored from a refused edit")
    }

    @Test func theOpenAPIDocumentMarksEveryV1RouteAsNeedingAToken() throws {
        let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var unguarded: [String] = []
        for (path, operations) in paths where path.hasPrefix("/v1/") && path != "/v1/openapi.json" {
            for (method, operation) in operations {
                let security = (operation as? [String: Any])?["security"] as? [[String: Any]]
                if security?.contains(where: { $0["bearer"] != nil }) != true { unguarded.append("\(method.uppercased()) \(path)") }
            }
        }
        #expect(unguarded.isEmpty, "routes documented without a token: \(unguarded)")
    }
}

/// Redaction of credentials in URLs and in text that quotes them.
@Suite struct RedactionTests {
    @Test func credentialsInUserInfoAndQueryAreHidden() {
        #expect(Redaction.url("rtsp://admin:S3cret@10.0.0.5:554/Streaming/101") == "rtsp://***:***@10.0.0.5:554/Streaming/101")
        #expect(Redaction.url("rtsp://admin:p@ss/w#rd@cam.local/live") == "rtsp://***:***@cam.local/live")
        #expect(Redaction.url("rtsp://viewer@cam/live") == "rtsp://***@cam/live")
        #expect(Redaction.url("http://cam/snap.cgi?user=admin&pwd=x&channel=2") == "http://cam/snap.cgi?user=***&pwd=***&channel=2")
        #expect(Redaction.url("https://h/hook?api_key=1&AccessToken=2#frag") == "https://h/hook?api_key=***&AccessToken=***#frag")
        #expect(Redaction.url("/var/video/clip.mp4") == "/var/video/clip.mp4")
        #expect(Redaction.url("rtsp://cam:554/live?channel=1") == "rtsp://cam:554/live?channel=1")
    }

    @Test func everyURLInAMessageIsRedacted() {
        let message = "rtsp://admin:S3cret@10.0.0.5/live: not a readable image or video (Connection refused); retry rtsp://u:p@b/x"
        let shown = Redaction.text(message)
        #expect(!shown.contains("S3cret") && !shown.contains("u:p@"), "\(shown)")
        #expect(shown.contains("rtsp://***:***@10.0.0.5/live: not a readable") && shown.contains("(Connection refused)"))
    }
}

/// Who the client is when a trusted proxy stands in front.
@Suite struct ClientAddressTests {
    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() {
        let proxies = [AddressBlock("127.0.0.1")!, AddressBlock("10.1.0.0/16")!]
        #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["1.2.3.4"], trusted: proxies) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.7"], trusted: proxies) == "198.51.100.7")
        // A client-written entry sits left of what the proxies appended, and is never reached.
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.7, 10.1.2.3"], trusted: proxies) == "198.51.100.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: [], trusted: proxies) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["not-an-address"], trusted: proxies) == "127.0.0.1")
    }

    @Test func blocksMatchByPrefix() {
        #expect(AddressBlock("10.0.0.0/8")!.contains("10.200.3.4") && !AddressBlock("10.0.0.0/8")!.contains("11.0.0.1"))
        #expect(AddressBlock("fd00::/8")!.contains("fd12::1") && !AddressBlock("fd00::/8")!.contains("fe80::1"))
        #expect(AddressBlock("127.0.0.1")!.contains("::ffff:127.0.0.1"))
        #expect(AddressBlock("10.0.0.0/33") == nil && AddressBlock("proxy.local") == nil)
    }
}
