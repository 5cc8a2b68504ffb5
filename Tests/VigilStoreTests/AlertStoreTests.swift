import Foundation
import Testing
import VigilCore
import VigilStore
import VigilTestSupport

/// Alerts, the stream's events and the outbox, the same assertions on every backend.
@Suite struct AlertStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    /// A face sighting of `subject` on `camera`, `seconds` after t0.
    static func sighting(_ subject: String = "s1", camera: String = "gate", at seconds: Double, sharpness: Double,
                         distance: Double = 0.4, files: String? = nil) -> Alert {
        var alert = Alert.sighting(FaceMatchEvidence(
            cameraID: camera,
            match: EnrolledFace(enrolmentID: 7, subjectID: subject, subjectName: "Subject \(subject)", watchlist: "wanted",
                                threshold: 0.6, sourcePath: "/photos/\(subject).jpg", encoding: FaceEncoding(Array(repeating: 0, count: 128))!),
            distance: distance, trackID: 3, box: BoundingBox(x: 10, y: 20, width: 40, height: 40), sharpness: sharpness,
            seenAt: t0.addingTimeInterval(seconds),
            snapshotPath: files.map { "/snaps/\($0).jpg" }, cropPath: files.map { "/snaps/\($0)-crop.jpg" }))
        alert.sharpness = sharpness
        return alert
    }

    @Test(arguments: Backend.available)
    func sightingsFoldWithinTheCooldownAndTheSharpestEvidenceStays(_ backend: Backend) async throws {
        try await backend.withStore { db, another in
            let first = try db.recordSighting(Self.sighting(at: 0, sharpness: 10, files: "a"), cooldown: 30)
            #expect(first.isNew && first.replacedFiles.isEmpty && first.alert.id != nil)
            // Sharper: its evidence replaces the first's, whose files are returned for deletion.
            let sharper = try db.recordSighting(Self.sighting(at: 5, sharpness: 20, distance: 0.3, files: "b"), cooldown: 30)
            #expect(!sharper.isNew && sharper.alert.id == first.alert.id)
            #expect(sharper.replacedFiles == ["/snaps/a.jpg", "/snaps/a-crop.jpg"] && sharper.alert.snapshotPath == "/snaps/b.jpg")
            // Blurrier: counted, but its own files are the unused ones.
            let blurrier = try db.recordSighting(Self.sighting(at: 8, sharpness: 5, distance: 0.5, files: "c"), cooldown: 30)
            #expect(blurrier.replacedFiles == ["/snaps/c.jpg", "/snaps/c-crop.jpg"])
            let other = try await another()
            let stored = try #require(try other.alert(id: first.alert.id!))
            #expect(stored.count == 3 && stored.snapshotPath == "/snaps/b.jpg" && stored.bestDistance == 0.3 && stored.distance == 0.3)
            #expect(stored.lastSeen == Self.t0.addingTimeInterval(8) && stored.firstSeen == Self.t0)

            // Past the cooldown, or on another camera, it is a new alert.
            #expect(try db.recordSighting(Self.sighting(at: 100, sharpness: 1), cooldown: 30).isNew)
            #expect(try db.recordSighting(Self.sighting(camera: "lobby", at: 101, sharpness: 1), cooldown: 30).isNew)
            #expect(try db.alerts().count == 3)
            #expect(try db.alerts(camera: "lobby").map(\.cameraID) == ["lobby"])
            #expect(try db.alertEvents(after: 0).map(\.type) == ["alert.created", "alert.updated", "alert.updated", "alert.created", "alert.created"])
            let last = try db.lastAlertEventID()
            #expect(try db.alertEvents(after: last).isEmpty && db.alertEvents(after: 0, limit: 2).count == 2)
        }
    }

    @Test(arguments: Backend.available)
    func deliveriesCommitWithTheirAlertAndGoOutInOrder(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            let routes = [OutboxRoute(hook: "siem", filter: HookFilter()),
                          OutboxRoute(hook: "door", filter: HookFilter(kinds: ["plate"])),
                          OutboxRoute(hook: "new-only", filter: HookFilter(events: ["alert.created"]))]
            let alert = try db.recordSighting(Self.sighting(at: 0, sharpness: 1), cooldown: 30, routes: routes).alert
            _ = try db.recordSighting(Self.sighting(at: 1, sharpness: 1), cooldown: 30, routes: routes)
            _ = try db.recordSighting(Self.sighting(at: 2, sharpness: 1), cooldown: 30, routes: routes)
            let siem = try db.nextDeliveries(hook: "siem", limit: 10)
            #expect(siem.map(\.type) == ["alert.created", "alert.updated", "alert.updated"])
            #expect(siem.map(\.id!) == siem.map(\.id!).sorted() && siem.allSatisfy { $0.alertID == alert.id && $0.state == .pending })
            let event = try HookEvent.decode(siem[0].payload)
            #expect(event.id == siem[0].eventID && event.alert?.id == alert.id && event.alert?.camera == "gate")
            #expect(try db.nextDeliveries(hook: "door", limit: 10).isEmpty)
            #expect(try db.nextDeliveries(hook: "new-only", limit: 10).map(\.type) == ["alert.created"])

            let now = Date()
            try db.recordAttempts([(siem[0].id!, .delivered(status: 204), now.addingTimeInterval(0.25)),
                                   (siem[1].id!, .retry(status: 503, error: "HTTP 503", response: "busy", next: now.addingTimeInterval(60)), now),
                                   (siem[2].id!, .dead(status: 410, error: "HTTP 410", response: "gone"), now)])
            // A delivery that is no longer pending is left alone.
            try db.recordAttempt(siem[0].id!, result: .dead(status: 500, error: "late", response: nil))
            let delivered = try #require(try db.delivery(id: siem[0].id!))
            #expect(delivered.state == .delivered && delivered.attempts == 1 && delivered.lastStatus == 204 && delivered.deliveredAt != nil)
            let retried = try #require(try db.delivery(id: siem[1].id!))
            #expect(retried.state == .pending && retried.lastError == "HTTP 503" && retried.lastResponse == "busy")
            #expect(try db.nextDeliveries(hook: "siem", limit: 10).map(\.id) == [siem[1].id])
            #expect(try db.deliveries(state: .dead).map(\.id) == [siem[2].id])
            #expect(try db.deliveries(hook: "new-only").count == 1 && db.deliveries().count == 4)

            let stats = try db.hookStats()
            #expect(stats.map(\.hook) == ["new-only", "siem"])
            let siemStats = try #require(stats.last)
            #expect(siemStats.pending == 1 && siemStats.delivered == 1 && siemStats.dead == 1 && siemStats.oldestPending != nil)
            #expect(siemStats.latencyP50 != nil)

            #expect(throws: StoreError.deliveryNotFound(999_999)) { try db.retryDeliveries(ids: [siem[2].id!, 999_999], actor: "cli:ops") }
            #expect(try db.deliveries(state: .dead).count == 1)
            #expect(try db.retryDeliveries(deadOf: "siem", actor: "cli:ops") == 1)
            #expect(try db.nextDeliveries(hook: "siem", limit: 10).map(\.id) == [siem[1].id, siem[2].id])
            #expect(try db.auditLog().map(\.action) == ["hook.retry"])
            #expect(try db.auditLog().first?.detail == #"{"count":1,"deliveries":"dead","hook":"siem"}"#)

            // Pruning forgets finished deliveries only.
            #expect(try db.pruneDeliveries(before: Date().addingTimeInterval(60)) == 1)
            #expect(try db.deliveries().count == 3)
        }
    }

    @Test(arguments: Backend.available)
    func reviewIsAuditedStreamedAndQueried(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            let a = try db.recordSighting(Self.sighting("s1", at: 0, sharpness: 1), cooldown: 30).alert
            let b = try db.recordSighting(Self.sighting("s2", at: 1, sharpness: 1), cooldown: 30).alert
            let c = try db.recordSighting(Self.sighting("s3", camera: "lobby", at: 2, sharpness: 1), cooldown: 30).alert

            let acknowledged = try db.acknowledge(alert: a.id!, actor: "op:ann")
            #expect(acknowledged.acknowledgedBy == "op:ann" && acknowledged.acknowledgedAt != nil)
            #expect(try db.acknowledge(alert: a.id!, actor: "op:bob").acknowledgedBy == "op:ann")   // the first stands
            let judged = try db.setVerdict(alert: b.id!, verdict: .rejected, comment: "a lookalike", actor: "op:bob")
            #expect(judged.verdict == "rejected" && judged.acknowledgedBy == "op:bob" && judged.verdictComment == "a lookalike")
            #expect(throws: StoreError.invalidComment) {
                try db.setVerdict(alert: c.id!, verdict: .confirmed, comment: String(repeating: "x", count: 2001), actor: "op:bob")
            }
            #expect(throws: StoreError.alertNotFound(424_242)) { try db.acknowledge(alert: 424_242, actor: "op:bob") }

            #expect(try db.alerts(AlertQuery(acknowledged: true)).map(\.id) == [b.id, a.id])
            #expect(try db.alerts(AlertQuery(acknowledged: false)).map(\.id) == [c.id])
            #expect(try db.alerts(AlertQuery(verdict: "none")).map(\.id) == [c.id, a.id])
            #expect(try db.alerts(AlertQuery(verdict: "rejected")).map(\.id) == [b.id])
            #expect(try db.alerts(AlertQuery(camera: "gate", before: b.id)).map(\.id) == [a.id])
            #expect(try db.alerts(AlertQuery(subject: "s3", since: Self.t0.addingTimeInterval(2))).map(\.id) == [c.id])
            #expect(try db.alerts(AlertQuery(until: Self.t0)).map(\.id) == [a.id])
            #expect(try db.alerts(AlertQuery(limit: 1)).map(\.id) == [c.id])

            #expect(try db.alertEvents(after: 0).map(\.type).suffix(2) == ["alert.acknowledged", "alert.verdict"])
            #expect(try db.auditLog().map(\.action) == ["alert.verdict", "alert.acknowledge"])
            #expect(try db.pruneAlertEvents(before: Date().addingTimeInterval(60)) == 5)
            #expect(try db.alertEvents(after: 0).isEmpty && db.alerts().count == 3)
        }
    }
}
