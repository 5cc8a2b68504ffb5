import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import VigilAPI
import VigilCore
import VigilStore
import VigilTestSupport

/// Case records through the HTTP API, in-process, on a real SQLite file: who may do what, a case
/// opened from an alert with its evidence, the journal, attachments, statistics and bad input.
@Suite struct CaseAPITests {
    let bench: APIBench
    var directory: URL { bench.directory }
    var database: VigilDatabase { bench.database }

    init() throws { bench = try APIBench() }

    func app() -> some ApplicationProtocol { bench.app() }
    func headers(_ role: Role, json: Bool = true) -> HTTPFields { bench.headers(role, json: json) }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func rolesDecideWhoReadsWorksOnAndDeletesCases() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let alert = try HookFixtures.alerts(1, in: database, routes: [], camera: "lobby")[0]
        try await app().test(.router) { client in
            func call(_ uri: String, _ method: HTTPRequest.Method, _ role: Role, _ body: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: uri, method: method, headers: headers(role), body: body.map { ByteBuffer(string: $0) })
            }
            #expect(try await call("/v1/cases", .get, .viewer).status == .forbidden, "a wall display's viewer token does not see cases")
            #expect(try await call("/v1/cases", .get, .caseViewer).status == .ok)
            #expect(try await call("/v1/cases", .post, .caseViewer, #"{"title":"x","type":"y"}"#).status == .forbidden)
            let created = try await call("/v1/cases", .post, .operator, #"{"alert":\#(alert),"assignee":"dana"}"#)
            #expect(created.status == .created)
            let id = try #require(try Self.object(created)["id"] as? Int)
            #expect(try await call("/v1/cases/\(id)", .get, .viewer).status == .forbidden)
            #expect(try await call("/v1/cases/\(id)/attachments/1", .get, .viewer).status == .forbidden)
            #expect(try await call("/v1/cases/stats.png", .get, .viewer).status == .forbidden)
            #expect(try await call("/v1/cases/\(id)", .delete, .operator).status == .forbidden)
            #expect(try await call("/v1/cases/\(id)", .delete, .admin).status == .noContent)
            #expect(try await call("/v1/cases/\(id)", .get, .caseViewer).status == .notFound)
        }
        let actions = try database.auditLog(limit: 5).filter { $0.action.hasPrefix("case.") }.map { "\($0.actor) \($0.action)" }
        #expect(actions == ["api:admin-desk case.delete", "api:operator-desk case.create"])
    }

    @Test func aCaseFromAnAlertKeepsItsEvidenceNotesAndFiles() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let alerts = try HookFixtures.alerts(2, in: database, routes: [], camera: "gate")
        try await app().test(.router) { client in
            func call(_ uri: String, _ method: HTTPRequest.Method, _ role: Role = .operator, _ body: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: uri, method: method, headers: headers(role), body: body.map { ByteBuffer(string: $0) })
            }
            let created = try await call("/v1/cases", .post, .operator, #"{"alert":\#(alerts[0]),"title":"Tailgating at gate","type":"intrusion"}"#)
            let id = try #require(try Self.object(created)["id"] as? Int)
            #expect(try await call("/v1/cases/\(id)/notes", .post, .operator, #"{"text":"Second person followed through."}"#).status == .ok)
            let file = Data((0..<3000).map { UInt8($0 % 251) })
            let uploaded = try await client.execute(uri: "/v1/cases/\(id)/attachments?name=clip%20notes.bin&description=export",
                                                    method: .post, headers: headers(.operator, json: false), body: ByteBuffer(bytes: file))
            #expect(uploaded.status == .ok)
            let entry = try Self.object(uploaded)
            #expect(entry["file_name"] as? String == "clip notes.bin" && entry["seq"] as? Int == 2 && entry["file_size"] as? Int == 3000)
            let downloaded = try await call(try #require(entry["file_url"] as? String), .get, .caseViewer)
            #expect(downloaded.status == .ok && Data(buffer: downloaded.body) == file)
            #expect(downloaded.headers[HTTPField.Name("X-Content-SHA256")!] == entry["file_sha256"] as? String)
            #expect(downloaded.headers[.contentDisposition] == "attachment; filename=\"clip notes.bin\"")

            let linked = try await call("/v1/cases/\(id)/links", .post, .operator, #"{"vehicles":["ab-123-cd"],"people":[{"subject_id":"s1","name":"Subject 1"}]}"#)
            #expect(linked.status == .ok)
            let shown = try Self.object(try await call("/v1/cases/\(id)", .get, .caseViewer))
            #expect((shown["case"] as? [String: Any])?["title"] as? String == "Tailgating at gate")
            #expect((shown["alerts"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(alerts[0])])
            #expect((shown["alerts"] as? [[String: Any]])?.first?["distance"] as? Double == 0.4, "the alert's evidence comes with it")
            #expect((shown["people"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == ["s0", "s1"])
            #expect((shown["vehicles"] as? [[String: Any]])?.first?["reference"] as? String == "AB123CD")
            #expect((shown["related_alerts"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(alerts[1])], "s1's alert, not linked")
            #expect((shown["entries"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["note", "attachment"])

            let closed = try await call("/v1/cases/\(id)", .patch, .operator, #"{"status":"closed"}"#)
            #expect(try Self.object(closed)["status"] as? String == "closed")
            let verified = try Self.object(try await call("/v1/cases/\(id)/verify", .get, .caseViewer))
            #expect(verified["intact"] as? Bool == true && verified["entries"] as? Int == 2)

            let csv = try await call("/v1/cases/stats?period=day&by=camera&format=csv", .get, .caseViewer)
            #expect(csv.status == .ok && String(buffer: csv.body).hasPrefix("period,camera,cases,alerts\n"))
            #expect(String(buffer: csv.body).contains(",gate,1,2\n"))
            let png = try await call("/v1/cases/stats.png?period=month&by=status", .get, .caseViewer)
            #expect(png.status == .ok && png.headers[.contentType] == "image/png")
            #expect(Array(Data(buffer: png.body).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            let search = try await call("/v1/cases?plate=AB123CO", .get, .caseViewer)
            #expect((try JSONSerialization.jsonObject(with: Data(buffer: search.body)) as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
        }
    }

    @Test func badInputGetsA4xxNamingItAndStoresNothing() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app().test(.router) { client in
            func call(_ uri: String, _ method: HTTPRequest.Method, _ body: String? = nil) async throws -> TestResponse {
                try await client.execute(uri: uri, method: method, headers: headers(.operator), body: body.map { ByteBuffer(string: $0) })
            }
            let missing = try await call("/v1/cases", .post, #"{"type":"theft"}"#)
            #expect(missing.status == .badRequest && String(buffer: missing.body).contains("case title: is required"))
            #expect(try await call("/v1/cases", .post, #"{"title":"a","type":"b","status":"solved"}"#).status == .badRequest)
            #expect(try await call("/v1/cases", .post, #"{"alert":4242}"#).status == .notFound)
            let id = try #require(try Self.object(try await call("/v1/cases", .post, #"{"title":"Theft","type":"theft"}"#))["id"] as? Int)
            let unknown = try await call("/v1/cases/\(id)/links", .post, #"{"people":[{"subject_id":"p1"}],"alerts":[999]}"#)
            #expect(unknown.status == .notFound && String(buffer: unknown.body).contains("alert 999 does not exist"))
            #expect(try await call("/v1/cases/\(id)/links", .post, #"{"vehicles":["A$1"]}"#).status == .badRequest)
            #expect(try await call("/v1/cases/\(id)/links", .post, "{}").status == .badRequest)
            #expect(try await call("/v1/cases/\(id)/notes", .post, #"{"text":"  "}"#).status == .badRequest)
            #expect(try await call("/v1/cases/\(id)/attachments", .post, "x").status == .badRequest, "no name")
            let big = try await client.execute(uri: "/v1/cases/\(id)/attachments?name=big.bin", method: .post, headers: headers(.operator, json: false),
                                               body: ByteBuffer(repeating: 1, count: 20 * 1024 * 1024 + 1))
            #expect(big.status == .contentTooLarge)
            #expect(try await call("/v1/cases/stats?period=year", .get).status == .badRequest)
            // `/v1/cases/stats` also fits `/v1/cases/{id}`; the literal path decides which methods it has.
            let patched = try await call("/v1/cases/stats", .patch, "{}")
            #expect(patched.status == .methodNotAllowed && patched.headers[.allow] == "GET")
            #expect(try await call("/v1/cases/\(id)/attachments/1", .get).status == .notFound)
        }
        let file = try database.caseFile(1)
        #expect(file.parties.isEmpty && file.alerts.isEmpty && file.entries.isEmpty, "nothing stored from refused requests")
    }
}
