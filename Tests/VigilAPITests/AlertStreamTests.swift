import AsyncHTTPClient
import Foundation
import VigilTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilAPI
import VigilCore
import VigilStore

/// The live alert stream over a real loopback connection: events arrive as they commit,
/// and a client that reconnects with Last-Event-ID gets exactly what it missed.
@Suite struct AlertStreamTests {
    @Test func streamDeliversLiveAndResumesAfterADisconnect() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        let token = try database.createToken(name: "wall", role: .viewer, actor: "test").secret
        try HookFixtures.alerts(2, in: database, routes: [])
        let app = Application(router: APIServer.router(store: StoreAccess(store: database),
                                                       environment: APIEnvironment(uploads: directory.path)),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            // From the start: the two stored events, then one committed while connected.
            var seen: [(id: Int64, type: String, alert: Int)] = []
            try await Self.read(port: port, token: token, after: 0) { event in
                seen.append(event)
                if seen.count == 2 { try HookFixtures.alerts(1, in: database, routes: [], offset: 2) }
                return seen.count < 3
            }
            #expect(seen.map(\.alert) == [1, 2, 3] && seen.allSatisfy { $0.type == "alert.created" })
            // Disconnected after event 2; meanwhile alert 1 is acknowledged. Resuming gets 3, then the acknowledgement.
            try database.acknowledge(alert: 1, actor: "test")
            var resumed: [(id: Int64, type: String, alert: Int)] = []
            try await Self.read(port: port, token: token, lastEventID: seen[1].id) { event in
                resumed.append(event)
                return resumed.count < 2
            }
            #expect(resumed.map(\.id) == [seen[2].id, seen[2].id + 1])
            #expect(resumed.map(\.type) == ["alert.created", "alert.acknowledged"] && resumed.last?.alert == 1)
        }
    }

    /// Reads events from `/v1/alerts/stream` until `handle` returns false (or 10 s pass).
    static func read(port: Int, token: String, after: Int64? = nil, lastEventID: Int64? = nil,
                     _ handle: ((id: Int64, type: String, alert: Int)) throws -> Bool) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/alerts/stream" + (after.map { "?after=\($0)" } ?? ""))
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: "\(lastEventID)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok && response.headers.first(name: "Content-Type") == "text/event-stream")
        var pending = ""
        var id: Int64?, type: String?
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: "), let id, let type,
                   let object = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any],
                   let alert = object["id"] as? Int {
                    if try !handle((id, type, alert)) { return }
                }
            }
        }
    }
}
