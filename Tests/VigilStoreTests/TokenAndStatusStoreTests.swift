import Foundation
import Testing
import VigilCore
import VigilStore
import VigilTestSupport

/// Tokens, camera status and evidence expiry, the same assertions on every backend.
@Suite struct TokenAndStatusStoreTests {
    @Test(arguments: Backend.available)
    func tokensAuthenticateUntilRevokedAndOnlyTheirHashIsKept(_ backend: Backend) async throws {
        try await backend.withStore { db, another in
            let (desk, secret) = try db.createToken(name: "desk-3", role: .operator, actor: "cli:root")
            _ = try db.createToken(name: "cid-1", role: .caseViewer, actor: "cli:root")
            #expect(throws: StoreError.tokenExists("desk-3")) { try db.createToken(name: "desk-3", role: .viewer, actor: "cli:root") }
            #expect(throws: StoreError.invalidName(kind: "token name", value: "desk 3")) { try db.createToken(name: "desk 3", role: .viewer, actor: "x") }

            let other = try await another()
            let tokens = try other.tokens()
            #expect(tokens.map(\.name) == ["cid-1", "desk-3"] && tokens.map(\.role) == [.caseViewer, .operator])
            #expect(tokens.allSatisfy { $0.tokenSHA256 != secret && $0.tokenSHA256.count == 64 && $0.createdBy == "cli:root" })
            #expect(tokens.last?.prefix == String(secret.prefix(8)))

            #expect(try other.authenticate(secret: secret)?.id == desk.id)
            #expect(try other.authenticate(secret: secret + "x") == nil)
            // A use is noted at most once a minute.
            let first = Date(timeIntervalSince1970: 1_790_000_000)
            try other.touchToken(id: desk.id!, at: first)
            try other.touchToken(id: desk.id!, at: first.addingTimeInterval(30))
            #expect(try db.tokens().last?.lastUsedAt == first)
            try other.touchToken(id: desk.id!, at: first.addingTimeInterval(90))
            #expect(try db.tokens().last?.lastUsedAt == first.addingTimeInterval(90))

            try db.revokeToken(name: "desk-3", actor: "cli:root")
            try db.revokeToken(name: "desk-3", actor: "cli:root")   // already revoked: nothing more happens
            #expect(try other.authenticate(secret: secret) == nil && !other.tokenIsLive(id: desk.id!))
            #expect(try db.tokens().last?.revokedAt != nil)   // kept for the record
            #expect(throws: StoreError.tokenNotFound("ghost")) { try db.revokeToken(name: "ghost", actor: "cli:root") }
            #expect(try db.auditLog().map(\.action) == ["token.revoke", "token.create", "token.create"])
        }
    }

    static func status(_ camera: String, state: String = "streaming", cpu: Double = 0) -> CameraStatusRow {
        var row = CameraStatusRow(cameraID: camera, state: state, lastError: state == "streaming" ? nil : "connection refused",
                                  framesDecoded: 1500, framesAnalysed: 300, framesDropped: 2, motionSkipped: 120, reconnects: 1,
                                  updatedAt: Date(timeIntervalSince1970: 1_790_000_000))
        row.cpuDecode = cpu
        row.cpuDetect = cpu * 2
        row.cpuPeople = 1.5
        row.handledFPS = 4.9
        row.detectFPS = 1
        row.overCapacity = cpu > 100
        row.detectStretch = cpu > 100 ? 2.44 : 1
        return row
    }

    @Test(arguments: Backend.available)
    func aReportReplacesTheCamerasReportedBefore(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            try db.reportCameraStatus([Self.status("lobby", state: "reconnecting"), Self.status("gate", cpu: 120)])
            #expect(try db.cameraStatus() == [Self.status("gate", cpu: 120), Self.status("lobby", state: "reconnecting")])
            try db.reportCameraStatus([Self.status("gate", cpu: 10)])
            #expect(try db.cameraStatus() == [Self.status("gate", cpu: 10)])
        }
    }

    @Test(arguments: Backend.available)
    func expiredEvidenceIsForgottenAndTheAlertKept(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            let old = try db.recordSighting(AlertStoreTests.sighting("s1", at: 0, sharpness: 1, files: "old"), cooldown: 30).alert
            let recent = try db.recordSighting(AlertStoreTests.sighting("s2", at: 3600, sharpness: 1, files: "new"), cooldown: 30).alert
            let files = try db.expireEvidence(before: AlertStoreTests.t0.addingTimeInterval(60))
            #expect(files == ["/snaps/old.jpg", "/snaps/old-crop.jpg"])
            #expect(try db.alert(id: old.id!)?.snapshotPath == nil && db.alert(id: old.id!)?.distance == old.distance)
            #expect(try db.alert(id: recent.id!)?.snapshotPath == "/snaps/new.jpg")
            #expect(try db.expireEvidence(before: AlertStoreTests.t0.addingTimeInterval(60)).isEmpty)
        }
    }
}
