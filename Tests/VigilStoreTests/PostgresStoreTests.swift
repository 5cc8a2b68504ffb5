import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing
import VigilCluster
import VigilCore
import VigilPlates
import VigilStore
import VigilTestSupport

/// What the shared database adds: the same answers as SQLite, an append-only audit log for every
/// role, edits that other nodes see and hear about, and a connection that heals.
@Suite(.enabled(if: TestPostgres.usable))
struct PostgresStoreTests {
    let logger = TestPostgres.logger

    /// One scripted session of edits and queries, reduced to what must not depend on the backend
    /// (no ids or clocks).
    static func session(_ db: any WatchlistStore) throws -> [String] {
        var out: [String] = []
        _ = try db.createWatchlist(name: "gate", threshold: 0.55, actor: "cli:alice")
        _ = try db.importWatchlist(name: "lobby", threshold: nil, subjects: [
            (SubjectInput(id: "zoe", displayName: "Zoë Ö"), [WatchlistStoreTests.enrolment("z", 0.2)]),
            (SubjectInput(id: "Adam", notes: "line one\nline two"), [WatchlistStoreTests.enrolment("A", 0.3), WatchlistStoreTests.enrolment("b", 0.4)]),
            (SubjectInput(id: "adam"), [WatchlistStoreTests.enrolment("c", 0.5)]),
        ], actor: "api:ops")
        _ = try db.enrol(watchlist: "gate", subject: SubjectInput(id: "x1"), images: [WatchlistStoreTests.enrolment("d", 0.6)], actor: "cli:alice")
        _ = try db.createPlateWatchlist(name: "allowed", mode: .allow, maxEdits: 0, region: "any", actor: "cli:alice")
        _ = try db.importPlates(watchlist: "allowed", rows: [PlateRow(line: 1, plate: "b2", label: "ß label"), PlateRow(line: 2, plate: "A1", label: nil),
                                                             PlateRow(line: 3, plate: "a 2", label: nil)], source: "a.csv", actor: "cli:alice")
        try db.removeSubject(watchlist: "lobby", subject: "zoe", actor: "cli:bob")
        for list in try db.watchlists() {
            out.append("\(list.name) \(list.kind) \(list.threshold) \(list.subjects) \(list.enrolments) \(list.mode ?? "-") \(list.plates ?? -1)")
            let detail = try db.watchlist(named: list.name)
            for subject in detail.subjects {
                out.append("  \(subject.id) \(subject.name) \(subject.notes ?? "-") \(subject.enrolments.map(\.sourcePath)) \(subject.enrolments.map(\.box))")
            }
            for plate in detail.plates { out.append("  plate \(plate.plate) \(plate.label ?? "-") \(plate.wildcard)") }
        }
        out += try db.faceEnrolments().map { "face \($0.enrolmentID) \($0.watchlist) \($0.subjectID) \($0.subjectName) \($0.threshold) \($0.encoding.values.prefix(2))" }
        out += try db.plateEntries().map { "entry \($0.id) \($0.watchlist) \($0.mode) \($0.plate) \($0.maxEdits)" }
        out += try db.auditLog(limit: 1000).map { "audit \($0.id) \($0.actor) \($0.action) \($0.watchlist ?? "-") \($0.subject ?? "-") \($0.detail ?? "-")" }
        return out
    }

    @Test func bothBackendsGiveTheSameAnswers() async throws {
        var answers: [Backend: [String]] = [:]
        for backend in Backend.allCases {
            try await backend.withStore { db, _ in answers[backend] = try Self.session(db) }
        }
        let sqlite = try #require(answers[.sqlite]), postgres = try #require(answers[.postgres])
        #expect(sqlite.count > 20)
        #expect(sqlite == postgres)
        for (a, b) in zip(sqlite, postgres) where a != b { Issue.record("sqlite: \(a)\npostgres: \(b)") }
    }

    @Test func theAuditLogIsAppendOnlyForEveryRole() async throws {
        try await TestPostgres.withDatabase { location in
            let store = try await PostgresStore.open(location, logger: logger)
            defer { store.close() }
            _ = try store.createWatchlist(name: "w", actor: "t")
            for statement in ["DELETE FROM auditLog", "UPDATE auditLog SET actor = 'x'", "TRUNCATE auditLog"] {
                // As the server's superuser: the trigger holds even for it, and says why.
                var refusal: String?
                do { try await TestPostgres.execute(statement, on: location) } catch { refusal = ClusterError.reason(error) }
                #expect(refusal?.contains("the audit log is append-only") == true, "\(statement): \(refusal ?? "accepted")")
            }
            #expect(try store.auditLog().map(\.actor) == ["t"])
        }
    }

    @Test func anEditOnOneNodeIsVisibleOnAnotherAndAnnouncedOnlyWhenCommitted() async throws {
        try await TestPostgres.withDatabase { location in
            let nodeA = try await PostgresStore.open(location, logger: logger)
            let nodeB = try await PostgresStore.open(location, logger: logger)
            defer { nodeA.close(); nodeB.close() }
            let heard = Heard()
            let feed = ChangeFeed(location, pollEvery: .seconds(30), logger: logger, onChange: heard.add)
            let group = ServiceGroup(services: [feed], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            let task = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(500))  // the feed is listening

            _ = try nodeA.createWatchlist(name: "gate", actor: "api:alice")
            _ = try nodeA.enrol(watchlist: "gate", subject: SubjectInput(id: "s1"), images: [WatchlistStoreTests.enrolment("a", 0)], actor: "api:alice")
            #expect(try nodeB.faceEnrolments().map(\.subjectID) == ["s1"])
            // The feed reports that the topic changed; changes close together may come as one report.
            let heardIt = try await Waiting.until(upTo: .seconds(2), every: .milliseconds(10)) { !heard.all.isEmpty }
            #expect(heardIt != nil)
            try await Task.sleep(for: .milliseconds(300))
            let reports = heard.all

            // A refused edit commits nothing and announces nothing; a read announces nothing.
            let before = try await TestPostgres.integer("SELECT generation FROM change_generations WHERE topic = 'watchlists'", on: location)
            #expect(throws: StoreError.watchlistExists("gate")) { try nodeB.createWatchlist(name: "gate", actor: "api:bob") }
            _ = try nodeB.watchlists()
            try await Task.sleep(for: .milliseconds(300))
            let after = try await TestPostgres.integer("SELECT generation FROM change_generations WHERE topic = 'watchlists'", on: location)
            #expect(before == 2 && after == 2)
            #expect(reports.allSatisfy { $0 == "watchlists" } && heard.all == reports)

            await group.triggerGracefulShutdown()
            _ = await task.result
        }
    }

    @Test func aConnectionTheServerEndedIsOpenedAgain() async throws {
        try await TestPostgres.withDatabase { location in
            let store = try await PostgresStore.open(location, logger: logger)
            defer { store.close() }
            _ = try store.createWatchlist(name: "before", actor: "t")
            let ended = try await TestPostgres.integer("""
                SELECT count(pg_terminate_backend(pid))::int8 FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """, on: location)
            #expect(ended == 1)
            _ = try store.createWatchlist(name: "after", actor: "t")
            #expect(try store.watchlists().map(\.name) == ["after", "before"])
        }
    }

    @Test func anUnreachableServerIsNamedWithoutItsPassword() async throws {
        let port = try RTSPServer.freePort()
        let location = DatabaseLocation(host: "127.0.0.1", port: port, user: "vigil", password: "s3cret-pw", database: "vigil")
        do {
            _ = try await PostgresStore.open(location, logger: logger)
            Issue.record("opened a database on a closed port")
        } catch {
            let message = "\(error)"
            #expect(message.contains("cannot reach PostgreSQL at 127.0.0.1:\(port)"))
            #expect(!message.contains("s3cret-pw"))
        }
    }

    /// Two nodes recording the same subject on the same camera at the same moment (a camera's
    /// lease changing hands) still make one alert, and its events and deliveries are numbered in
    /// commit order, which is the order the stream and each hook read them in.
    @Test func twoNodesRecordingOneSubjectAtOnceMakeOneAlertInCommitOrder() async throws {
        try await TestPostgres.withDatabase { location in
            let nodes = [try await PostgresStore.open(location, logger: logger), try await PostgresStore.open(location, logger: logger)]
            defer { nodes.forEach { $0.close() } }
            let routes = [OutboxRoute(hook: "siem", filter: HookFilter())]
            let perNode = 20
            let failures = Heard()
            DispatchQueue.concurrentPerform(iterations: nodes.count) { index in
                for step in 0..<perNode {
                    do {
                        _ = try nodes[index].recordSighting(AlertStoreTests.sighting(at: Double(step), sharpness: Double(step)),
                                                            cooldown: 60, routes: routes)
                    } catch {
                        failures.add("\(error)")
                    }
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            let alerts = try nodes[0].alerts()
            #expect(alerts.count == 1 && alerts.first?.count == nodes.count * perNode)
            let events = try nodes[1].alertEvents(after: 0, limit: 1000)
            #expect(events.count == nodes.count * perNode && events.first?.type == "alert.created")
            // In id order, each delivery carries the count its commit left: 1, 2, 3, ...
            let deliveries = try nodes[1].nextDeliveries(hook: "siem", limit: 1000)
            let counts = try deliveries.map { try HookEvent.decode($0.payload).alert?.count ?? 0 }
            #expect(counts == Array(1...(nodes.count * perNode)))
        }
    }

    /// On a shared database each node's report replaces only its own cameras; a camera that moved
    /// is the new holder's.
    @Test func eachNodeReportsOnlyItsOwnCameras() async throws {
        try await TestPostgres.withDatabase { location in
            let a = try await PostgresStore.open(location, node: "node-a", logger: logger)
            let b = try await PostgresStore.open(location, node: "node-b", logger: logger)
            defer { a.close(); b.close() }
            let status = { (camera: String) in TokenAndStatusStoreTests.status(camera) }
            try a.reportCameraStatus([status("a1"), status("a2")])
            try b.reportCameraStatus([status("b1")])
            #expect(try a.cameraStatus().map(\.cameraID) == ["a1", "a2", "b1"])
            try a.reportCameraStatus([status("a1")])
            #expect(try b.cameraStatus().map(\.cameraID) == ["a1", "b1"])
            try b.reportCameraStatus([status("b1"), status("a1")])   // a1 moved to node-b
            try a.reportCameraStatus([])
            #expect(try a.cameraStatus().map(\.cameraID) == ["a1", "b1"])
            let holders = try await TestPostgres.integer("SELECT count(*)::int8 FROM cameraStatus WHERE node = 'node-b'", on: location)
            #expect(holders == 2)
        }
    }

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var topics: [String] = []
        func add(_ topic: String) { lock.withLock { topics.append(topic) } }
        var all: [String] { lock.withLock { topics } }
    }
}
