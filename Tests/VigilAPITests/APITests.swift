import Foundation
import VigilTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VigilAPI
import VigilCore
import VigilDaemon
import VigilStore

/// The HTTP API in-process (Hummingbird's router test client) against a real SQLite file,
/// with the real vision stack behind enrolment uploads.
@Suite struct APITests {
    let bench: APIBench
    var directory: URL { bench.directory }
    var database: VigilDatabase { bench.database }

    init() throws { bench = try APIBench() }

    func app(enroller: (any FaceEnrolling)? = nil) -> some ApplicationProtocol { bench.app(enroller: enroller) }
    func headers(_ role: Role?, json: Bool = false) -> HTTPFields { bench.headers(role, json: json) }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    }

    @Test func healthAndOpenAPIAreOpenEverythingElseNeedsAToken() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let spec = try await client.execute(uri: "/v1/openapi.json", method: .get)
            #expect(spec.status == .ok && Self.text(spec).contains("\"openapi\""))
            let none = try await client.execute(uri: "/v1/alerts", method: .get)
            #expect(none.status == .unauthorized && none.headers[.wwwAuthenticate] == "Bearer")
            #expect(Self.text(none).contains("an API token is required"))
            var bad = HTTPFields()
            bad[.authorization] = "Bearer vgl_not-a-token"
            let wrong = try await client.execute(uri: "/v1/alerts", method: .get, headers: bad)
            #expect(wrong.status == .unauthorized && Self.text(wrong).contains("not valid"))
        }
    }

    /// Each route with the least role it needs: one role below gets 403 naming both roles.
    @Test func rolesAreEnforcedOnEveryRoute() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try database.createWatchlist(name: "w", actor: "test")
        try HookFixtures.alerts(1, in: database, routes: [OutboxRoute(hook: "h", filter: HookFilter())])
        let alert = try #require(try database.alerts(AlertQuery()).first?.id)
        let delivery = try #require(try database.deliveries().first?.id)
        let routes: [(HTTPRequest.Method, String, String?, Role)] = [
            (.get, "/v1/cameras", nil, .viewer), (.get, "/v1/watchlists", nil, .viewer), (.get, "/v1/watchlists/w", nil, .viewer),
            (.get, "/v1/alerts", nil, .viewer), (.get, "/v1/alerts/\(alert)", nil, .viewer), (.get, "/v1/hooks", nil, .viewer),
            (.get, "/v1/deliveries", nil, .viewer), (.get, "/v1/me", nil, .viewer),
            (.get, "/v1/cameras/none/preview.jpg", nil, .viewer), (.get, "/v1/cameras/none/preview.mjpeg", nil, .viewer),
            (.post, "/v1/watchlists", #"{"name":"x"}"#, .operator), (.delete, "/v1/watchlists/x", nil, .operator),
            (.post, "/v1/alerts/\(alert)/acknowledge", nil, .operator),
            (.post, "/v1/alerts/\(alert)/verdict", #"{"verdict":"confirmed"}"#, .operator),
            (.delete, "/v1/watchlists/w/subjects/nobody", nil, .operator), (.get, "/v1/audit", nil, .operator),
            (.get, "/v1/tokens", nil, .admin), (.post, "/v1/tokens", #"{"name":"t2","role":"viewer"}"#, .admin),
            (.post, "/v1/deliveries/\(delivery)/retry", nil, .admin), (.delete, "/v1/tokens/t2", nil, .admin),
        ]
        try await app().test(.router) { client in
            for (method, path, body, needed) in routes {
                for role in Role.allCases {
                    let response = try await client.execute(uri: path, method: method, headers: headers(role, json: body != nil),
                                                            body: body.map { ByteBuffer(string: $0) })
                    if role < needed {
                        #expect(response.status == .forbidden, "\(role) \(method) \(path): \(response.status)")
                        #expect(Self.text(response).contains("needs the \(needed.rawValue) role"))
                    } else {
                        #expect(response.status != .forbidden && response.status != .unauthorized && response.status.code < 500,
                                "\(role) \(method) \(path): \(response.status) \(Self.text(response))")
                    }
                }
            }
        }
    }

    @Test func watchlistsValidateAndAuditWithTheTokenName() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            let post = { (body: String) in
                try await client.execute(uri: "/v1/watchlists", method: .post, headers: headers(.operator, json: true), body: ByteBuffer(string: body))
            }
            let created = try await post(#"{"name":"gate","threshold":0.5}"#)
            #expect(created.status == .created && Self.text(created).contains("\"threshold\":0.5"))
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"name":"gate"}"#, .conflict, "watchlist 'gate' already exists"),
                (#"{"name":"bad name"}"#, .badRequest, "invalid watchlist name 'bad name'"),
                (#"{"name":"w2","threshold":3}"#, .badRequest, "invalid threshold 3.0"),
                (#"{"threshold":0.5}"#, .badRequest, "missing field 'name'"),
                (#"{"name":5}"#, .badRequest, "field 'name' has the wrong type"),
                ("not json", .badRequest, "not valid JSON"),
            ]
            for (body, status, message) in cases {
                let response = try await post(body)
                #expect(response.status == status && Self.text(response).contains(message), "\(body): \(Self.text(response))")
            }
            let missing = try await client.execute(uri: "/v1/watchlists/none", method: .get, headers: headers(.viewer))
            #expect(missing.status == .notFound && Self.text(missing).contains("watchlist 'none' does not exist"))
            #expect(try await client.execute(uri: "/v1/watchlists/gate", method: .delete, headers: headers(.operator)).status == .noContent)
        }
        let audit = try database.auditLog()
        #expect(audit.map(\.action).prefix(2) == ["watchlist.remove", "watchlist.create"] && audit.first?.actor == "api:operator-desk")
    }

    @Test func plateWatchlistsAndEntriesOverTheAPI() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            let send = { (method: HTTPRequest.Method, uri: String, body: String?, role: Role) in
                try await client.execute(uri: uri, method: method, headers: headers(role, json: body != nil),
                                         body: body.map { ByteBuffer(string: $0) })
            }
            let created = try await send(.post, "/v1/watchlists", #"{"name":"stolen","kind":"plate","region":"br","max_edits":1}"#, .operator)
            #expect(created.status == .created && Self.text(created).contains("\"mode\":\"deny\""), "\(Self.text(created))")
            #expect(try await send(.post, "/v1/watchlists", #"{"name":"p2","kind":"car"}"#, .operator).status == .badRequest)
            #expect(try await send(.post, "/v1/watchlists", #"{"name":"p2","kind":"plate","max_edits":7}"#, .operator).status == .badRequest)
            let added = try await send(.post, "/v1/watchlists/stolen/plates", #"{"plate":"abc-1234","label":"reported"}"#, .operator)
            #expect(added.status == .created && Self.text(added).contains("\"plate\":\"ABC1234\""))
            #expect(try await send(.post, "/v1/watchlists/stolen/plates", #"{"plate":"ABC1234","label":"seen again"}"#, .operator).status == .ok)
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"plate":""}"#, .badRequest, "plate is empty"),
                (#"{"plate":"AB#1234"}"#, .badRequest, "outside the br alphabet"),
                (#"{"plate":"AB12345"}"#, .badRequest, "fits no br format"),
                (#"{"label":"x"}"#, .badRequest, "missing field 'plate'"),
            ]
            for (body, status, message) in cases {
                let response = try await send(.post, "/v1/watchlists/stolen/plates", body, .operator)
                #expect(response.status == status && Self.text(response).contains(message), "\(body): \(Self.text(response))")
            }
            #expect(try await send(.post, "/v1/watchlists/stolen/plates", #"{"plate":"ABC1234"}"#, .viewer).status == .forbidden)
            _ = try await send(.post, "/v1/watchlists", #"{"name":"faces"}"#, .operator)
            #expect(try await send(.post, "/v1/watchlists/faces/plates", #"{"plate":"ABC1234"}"#, .operator).status == .conflict)
            let detail = try await send(.get, "/v1/watchlists/stolen", nil, .viewer)
            #expect(Self.text(detail).contains("\"label\":\"seen again\"") && Self.text(detail).contains("\"plates\":1"))
            #expect(try await send(.delete, "/v1/watchlists/stolen/plates/ABC1234", nil, .operator).status == .noContent)
            #expect(try await send(.delete, "/v1/watchlists/stolen/plates/ABC1234", nil, .operator).status == .notFound)
        }
        let actions = try database.auditLog(watchlist: "stolen").map(\.action)
        #expect(actions == ["plate.remove", "plate.update", "plate.add", "watchlist.create"])
    }

    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func enrolmentByUploadUsesTheCLIsChecks() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try database.createWatchlist(name: "stage", actor: "test")
        let enroller = DaemonEnroller(models: Fixtures.models)
        let face = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.shared("faces/lin_manuel_miranda/1.png")))
        let group = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.shared("faces/group/two_people.jpg")))
        try await app(enroller: enroller).test(.router) { client in
            func upload(_ subject: String, _ files: [(String, Data)], fields: [String: String] = [:]) async throws -> TestResponse {
                let (body, type) = Self.multipart(files: files, fields: fields)
                var h = headers(.operator)
                h[.contentType] = type
                return try await client.execute(uri: "/v1/watchlists/stage/subjects/\(subject)/enrolments", method: .post, headers: h,
                                                body: ByteBuffer(bytes: body))
            }
            let ok = try await upload("lin", [("lin.png", face)], fields: ["display_name": "Lin-Manuel Miranda"])
            #expect(ok.status == .created && Self.text(ok).contains("\"added\":1") && Self.text(ok).contains("\"subject_created\":true"),
                    "\(Self.text(ok))")
            let again = try await upload("lin", [("copy.png", face)])
            #expect(again.status == .created && Self.text(again).contains("\"already_enrolled\":1"))
            let two = try await upload("pair", [("two_people.jpg", group)])
            #expect(two.status == .unprocessableContent && Self.text(two).contains("two_people.jpg: 2 faces found"), "\(Self.text(two))")
            let junk = try await upload("junk", [("notes.jpg", Data("not an image".utf8))])
            #expect(junk.status == .unprocessableContent && Self.text(junk).contains("notes.jpg"), "\(Self.text(junk))")
            let empty = try await upload("none", [], fields: ["display_name": "No Photo"])
            #expect(empty.status == .badRequest && Self.text(empty).contains("no 'image' file"), "\(Self.text(empty))")
            var plain = headers(.operator, json: true)
            plain[.contentType] = "application/json"
            let wrongType = try await client.execute(uri: "/v1/watchlists/stage/subjects/x/enrolments", method: .post, headers: plain,
                                                     body: ByteBuffer(string: "{}"))
            #expect(wrongType.status == .unsupportedMediaType)
            let form = Self.multipart(files: [("a.png", face)], fields: [:])
            var formHeaders = headers(.operator)
            formHeaders[.contentType] = form.1
            let nowhere = try await client.execute(uri: "/v1/watchlists/nowhere/subjects/x/enrolments", method: .post,
                                                   headers: formHeaders, body: ByteBuffer(bytes: form.0))
            #expect(nowhere.status == .notFound)
            // The stored photo is served back (what an alert's evidence points to).
            let detail = try database.watchlist(named: "stage")
            #expect(detail.subjects.map(\.id) == ["lin"] && detail.subjects.first?.name == "Lin-Manuel Miranda")
            let enrolment = try #require(try database.faceEnrolments(watchlists: ["stage"]).first)
            let image = try await client.execute(uri: "/v1/enrolments/\(enrolment.enrolmentID)/image", method: .get, headers: headers(.viewer))
            #expect(image.status == .ok && image.headers[.contentType] == "image/png" && image.body.readableBytes == face.count)
        }
        #expect(try database.auditLog().first { $0.action == "enrolment.add" }?.actor == "api:operator-desk")
    }

    @Test func alertsPageFilterAcknowledgeAndJudge() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try HookFixtures.alerts(5, in: database, routes: [], camera: "gate")
        try HookFixtures.alerts(3, in: database, routes: [], camera: "lobby", offset: 10)
        try await app().test(.router) { client in
            let get = { (path: String) in try await client.execute(uri: path, method: .get, headers: headers(.viewer)) }
            let first = try Self.json(try await get("/v1/alerts?limit=3")) as? [String: Any]
            let page1 = (first?["alerts"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
            #expect(page1 == [8, 7, 6])
            let next = try #require(first?["next_before"] as? Int)
            let second = try Self.json(try await get("/v1/alerts?limit=3&before=\(next)")) as? [String: Any]
            #expect((second?["alerts"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [5, 4, 3])
            let gate = try Self.json(try await get("/v1/alerts?camera=gate&limit=100")) as? [String: Any]
            #expect((gate?["alerts"] as? [Any])?.count == 5 && gate?["next_before"] is NSNull)
            for bad in ["limit=0", "since=yesterday", "acknowledged=maybe", "verdict=maybe", "before=-1"] {
                let response = try await get("/v1/alerts?\(bad)")
                #expect(response.status == .badRequest && Self.text(response).contains(String(bad.split(separator: "=")[0])), "\(bad)")
            }
            let one = try Self.json(try await get("/v1/alerts/2")) as? [String: Any]
            #expect(one?["subject_id"] as? String == "s1" && one?["threshold"] as? Double == 0.6 && one?["distance"] as? Double == 0.4)
            #expect(one?["enrolment_image_url"] as? String == "/v1/enrolments/2/image")
            #expect(try await get("/v1/alerts/99").status == .notFound)
            #expect(try await get("/v1/alerts/2/snapshot").status == .notFound)

            let ack = try await client.execute(uri: "/v1/alerts/2/acknowledge", method: .post, headers: headers(.operator))
            #expect(ack.status == .ok && Self.text(ack).contains("\"acknowledged_by\":\"api:operator-desk\""))
            let verdict = try await client.execute(uri: "/v1/alerts/3/verdict", method: .post, headers: headers(.operator, json: true),
                                                   body: ByteBuffer(string: #"{"verdict":"rejected","comment":"twin brother"}"#))
            #expect(verdict.status == .ok && Self.text(verdict).contains("\"verdict\":\"rejected\"") && Self.text(verdict).contains("twin brother"))
            let badVerdict = try await client.execute(uri: "/v1/alerts/3/verdict", method: .post, headers: headers(.operator, json: true),
                                                      body: ByteBuffer(string: #"{"verdict":"maybe"}"#))
            #expect(badVerdict.status == .badRequest && Self.text(badVerdict).contains("expected confirmed or rejected"))
            let reviewed = try Self.json(try await get("/v1/alerts?acknowledged=true")) as? [String: Any]
            #expect((reviewed?["alerts"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [3, 2])
            let rejected = try Self.json(try await get("/v1/alerts?verdict=rejected")) as? [String: Any]
            #expect((rejected?["alerts"] as? [Any])?.count == 1)
        }
        let audit = try database.auditLog()
        #expect(audit.prefix(2).map(\.action) == ["alert.verdict", "alert.acknowledge"])
        #expect(audit.first?.detail?.contains("twin brother") == true)
    }

    @Test func tokensAreShownOnceAndRevocationIsImmediate() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            let created = try await client.execute(uri: "/v1/tokens", method: .post, headers: headers(.admin, json: true),
                                                   body: ByteBuffer(string: #"{"name":"wall-screen","role":"viewer"}"#))
            #expect(created.status == .created)
            let secret = try #require((try Self.json(created) as? [String: Any])?["token"] as? String)
            let listed = Self.text(try await client.execute(uri: "/v1/tokens", method: .get, headers: headers(.admin)))
            #expect(listed.contains("wall-screen") && !listed.contains(secret) && !listed.contains(APIToken.hash(secret)))
            var fields = HTTPFields()
            fields[.authorization] = "Bearer \(secret)"
            #expect(try await client.execute(uri: "/v1/alerts", method: .get, headers: fields).status == .ok)
            #expect(try await client.execute(uri: "/v1/tokens/wall-screen", method: .delete, headers: headers(.admin)).status == .noContent)
            #expect(try await client.execute(uri: "/v1/alerts", method: .get, headers: fields).status == .unauthorized)
            let badRole = try await client.execute(uri: "/v1/tokens", method: .post, headers: headers(.admin, json: true),
                                                   body: ByteBuffer(string: #"{"name":"x","role":"root"}"#))
            #expect(badRole.status == .badRequest && Self.text(badRole).contains("expected viewer, case_viewer, operator or admin"))
        }
        #expect(try database.auditLog().prefix(2).map(\.action) == ["token.revoke", "token.create"])
    }

    /// `/v1/eeg/*` (services: [eeg]): analysis and scoring of an upload, with the CLI's messages.
    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func eegAnalysisAndScoringByUpload() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let generator = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.shared("eeg/pyedflib_test_generator.edf")))
        let rest = try Fixtures.shared("eeg/physionet_eegmat_Subject00_1_rest.edf"), open = try Fixtures.shared("eeg/physionet_eegmmidb_S001R01_eyes_open.edf")
        let models = directory.appendingPathComponent("models").path
        let a = try Run.vigil(["eeg", "features", rest, "--label", "rest", "--header"], database: directory.appendingPathComponent("x.sqlite"))
        let b = try Run.vigil(["eeg", "features", open, "--label", "eyes_open"], database: directory.appendingPathComponent("x.sqlite"))
        let csv = directory.appendingPathComponent("epochs.csv")
        try (a.stdout + b.stdout).write(to: csv, atomically: true, encoding: .utf8)
        #expect(try Run.vigil(["eeg", "train", csv.path, "--out", "openrest", "--model-dir", models], database: directory.appendingPathComponent("x.sqlite")).status == 0)

        func post(_ app: some ApplicationProtocol, _ path: String, _ file: (String, Data)?, _ fields: [String: String]) async throws -> (HTTPResponse.Status, String) {
            let (body, type) = Self.multipart(files: file.map { [$0] } ?? [], fields: fields, part: "file")
            var request = headers(.viewer)
            request[.contentType] = type
            let sent = request
            return try await app.test(.router) { client in
                let response = try await client.execute(uri: path, method: .post, headers: sent, body: ByteBuffer(bytes: body))
                return (response.status, Self.text(response))
            }
        }
        // Without `services: [eeg]` the routes say how to enable them.
        let off = try await post(app(), "/v1/eeg/analyze", ("g.edf", generator), [:])
        #expect(off.0 == .notFound && off.1.contains("services: [eeg]"))

        var environment = APIEnvironment(uploads: directory.path)
        environment.eeg = DaemonEEG(models: models)
        let on = Application(router: APIServer.router(store: StoreAccess(store: database), environment: environment))
        let analysed = try await post(on, "/v1/eeg/analyze", ("g.edf", generator), ["channels": "sine 15 Hz", "epoch": "300"])
        #expect(analysed.0 == .ok && analysed.1.contains("\"channel\":\"sine 15 Hz\"") && analysed.1.contains("\"peak\":15"), "\(analysed.1.prefix(300))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(analysed.1.utf8)) as? [String: Any])
        #expect((object["channels"] as? [Any])?.count == 2 && object["format"] as? String == "EDF+")
        let truncated = try await post(on, "/v1/eeg/analyze", ("cut.edf", generator.prefix(50_000)), [:])
        #expect(truncated.0 == .unprocessableContent && truncated.1.contains("cut.edf: number of data records"), "\(truncated.1)")
        #expect(try await post(on, "/v1/eeg/analyze", nil, ["epoch": "4"]).1.contains("no 'file' part"))
        #expect(try await post(on, "/v1/eeg/analyze", ("g.edf", generator), ["epoch": "soon"]).0 == .badRequest)
        let unknown = try await post(on, "/v1/eeg/analyze", ("g.edf", generator), ["channels": "Cz"])
        #expect(unknown.0 == .unprocessableContent && unknown.1.contains("no channel 'Cz'"))

        let scored = try await post(on, "/v1/eeg/score", ("open.edf", try Data(contentsOf: URL(fileURLWithPath: open))), ["model": "openrest"])
        #expect(scored.0 == .ok, "\(scored.1.prefix(300))")
        let score = try #require(try JSONSerialization.jsonObject(with: Data(scored.1.utf8)) as? [String: Any])
        #expect(((score["mean_probabilities"] as? [String: Double])?["eyes_open"] ?? 0) > 0.9)
        #expect((score["validation"] as? [String: Any])?["accuracy"] != nil && (score["note"] as? String)?.contains("Decision support") == true)
        let missing = try await post(on, "/v1/eeg/score", ("g.edf", generator), ["model": "nothing"])
        #expect(missing.0 == .notFound && missing.1.contains("no model 'nothing'"))
        #expect(try await post(on, "/v1/eeg/score", ("g.edf", generator), [:]).0 == .badRequest)
    }

    @Test func repeatedFailedAuthenticationIsRateLimited() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = APIEnvironment(uploads: directory.path)
        let app = Application(router: APIServer.router(store: StoreAccess(store: database), environment: environment,
                                                       limiter: FailureLimiter(limit: 5, window: 60)))
        try await app.test(.router) { client in
            var bad = HTTPFields()
            bad[.authorization] = "Bearer wrong"
            for _ in 0..<5 { #expect(try await client.execute(uri: "/v1/alerts", method: .get, headers: bad).status == .unauthorized) }
            let limited = try await client.execute(uri: "/v1/alerts", method: .get, headers: bad)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)
            #expect(try await client.execute(uri: "/v1/alerts", method: .get).status == .tooManyRequests, "no token counts as a failure")
            // A valid token from the same (blocked) address is never locked out: behind a proxy, everyone shares it.
            let valid = try await client.execute(uri: "/v1/alerts", method: .get, headers: headers(.viewer))
            #expect(valid.status == .ok, "a valid token got \(valid.status)")
        }
    }

    static func multipart(files: [(String, Data)], fields: [String: String], part: String = "image") -> (Data, String) {
        let boundary = "vigil-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for (filename, data) in files {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part)\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }
}

/// The multipart parser the upload routes use: well-formed bodies parse, hostile ones get a 400-class error.
@Suite struct MultipartParserTests {
    func parts(_ text: String, boundary: String = "b0undary") throws -> [(headers: [String: String], data: ArraySlice<UInt8>)] {
        try Multipart.parts(Array(text.utf8), boundary: boundary)
    }

    @Test func wellFormedPartsKeepTheirHeadersAndBytes() throws {
        let body = "--b0undary\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nada\r\n"
            + "--b0undary\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\r\n\u{2}\r\n"
            + "--b0undary--\r\n"
        let parsed = try parts(body)
        #expect(parsed.count == 2)
        #expect(String(decoding: parsed[0].data, as: UTF8.self) == "ada")
        #expect(parsed[1].headers["content-type"] == "image/jpeg" && Array(parsed[1].data) == [1, 13, 10, 2])
    }

    /// Bodies like the one schemathesis found, on which MultipartKit 4.7 trapped and took the daemon down.
    @Test func malformedBodiesAreRefusedNotCrashedOn() {
        for body in ["--b0undary\r\n\u{9b}\u{f}!$Kõ\u{90}---b0undary--\r\n", "", "--b0undary", "--b0undary\r\nno colon\r\n\r\nx\r\n--b0undary--",
                     "--b0undaryX\r\n\r\n\r\n--b0undary--", "--b0undary\r\nA: b\r\n--b0undary--"] {
            #expect(throws: (any Error).self, "\(body.debugDescription)") { try parts(body) }
        }
        #expect((try? parts("--b0undary--\r\n"))?.isEmpty == true)
    }
}
