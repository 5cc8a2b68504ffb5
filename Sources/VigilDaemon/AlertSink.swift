import Foundation
import Logging
import VigilAnalysis
import VigilCore
import VigilPlates
import VigilStore
import VigilVision

/// A confirmed match on its way to becoming an alert.
struct MatchEvent: Sendable {
    var camera: Int
    var cameraID: String
    var cooldown: Double
    var decision: FaceTracker.Decision
    var box: BoundingBox
    var sharpness: Float
    /// The frame, when this is the track's sharpest sighting (evidence to write).
    var evidenceFrame: Frame?
    var capturedAt: Date
}

/// A plate vote that matched a deny entry.
struct PlateMatchEvent: Sendable {
    var camera: Int
    var cameraID: String
    var cooldown: Double
    var match: PlateMatch
    var text: String
    var confidence: Double
    var reads: Int
    var box: BoundingBox
    var evidenceFrame: Frame
    var capturedAt: Date
}

/// Turns match events into committed alerts, in order, on one serial queue:
/// evidence files first, then the row (one transaction), then the log line.
/// Nothing announces an alert that is not committed.
final class AlertSink: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.alerts")
    private let database: VigilDatabase
    private let evidence: EvidenceWriter
    private let logger: Logger
    /// Hooks whose outbox rows commit with each alert.
    private let routes: [OutboxRoute]
    /// Called after each commit (wakes the hook dispatcher).
    private let committed: @Sendable () -> Void
    private let metrics: DaemonMetrics?

    init(database: VigilDatabase, snapshots: String, routes: [OutboxRoute] = [], metrics: DaemonMetrics? = nil, logger: Logger,
         committed: @escaping @Sendable () -> Void = {}) {
        self.metrics = metrics
        self.database = database
        evidence = EvidenceWriter(directory: snapshots)
        self.routes = routes
        self.logger = logger
        self.committed = committed
    }

    func submit(_ event: MatchEvent) {
        queue.async { self.record(event) }
    }

    func submit(_ event: PlateMatchEvent) {
        queue.async { self.record(event) }
    }

    /// What follows every committed alert, face or plate: wake the hooks, count it, and delete
    /// the evidence files a better sighting replaced.
    private func afterCommit(camera: Int, _ outcome: AlertOutcome) {
        committed()
        metrics?.alert(camera: camera, isNew: outcome.isNew)
        for file in outcome.replacedFiles { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Waits until every submitted event is committed.
    func flush() {
        queue.sync {}
    }

    private func record(_ event: MatchEvent) {
        var logger = self.logger
        logger[metadataKey: "camera.id"] = .string(event.cameraID)
        do {
            var files: (String, String)?
            if let frame = event.evidenceFrame {
                files = try evidence.write(frame: frame, box: event.box, camera: event.cameraID, at: event.capturedAt)
            }
            let outcome = try database.recordMatch(FaceMatchEvidence(
                cameraID: event.cameraID, match: event.decision.entry, distance: event.decision.distance,
                trackID: event.decision.trackID, box: event.box, sharpness: Double(event.sharpness), seenAt: event.capturedAt,
                snapshotPath: files?.0, cropPath: files?.1), cooldown: event.cooldown, routes: routes)
            afterCommit(camera: event.camera, outcome)
            let latency = Date().timeIntervalSince(event.capturedAt)
            let alert = outcome.alert
            logger.notice(outcome.isNew ? "alert" : "alert updated", metadata: [
                "alert.id": "\(alert.id ?? 0)", "subject": "\(alert.subjectID)", "watchlist": "\(alert.watchlist)",
                "distance": "\(String(format: "%.3f", event.decision.distance))", "threshold": "\(alert.threshold)",
                "track": "\(event.decision.trackID)", "count": "\(alert.count)",
                "latency_ms": "\(Int(latency * 1000))",
            ])
        } catch {
            logger.error("alert not stored", metadata: ["error": "\(error)", "subject": "\(event.decision.entry.subjectID)"])
        }
    }

    private func record(_ event: PlateMatchEvent) {
        var logger = self.logger
        logger[metadataKey: "camera.id"] = .string(event.cameraID)
        do {
            // The crop is the plate with a margin; the snapshot shows where it was.
            let files = try evidence.write(frame: event.evidenceFrame, box: event.box, camera: event.cameraID,
                                           at: event.capturedAt, kind: "plate")
            let outcome = try database.recordPlateMatch(PlateMatchEvidence(
                cameraID: event.cameraID, match: event.match, text: event.text, confidence: event.confidence, box: event.box,
                seenAt: event.capturedAt, snapshotPath: files.0, cropPath: files.1), cooldown: event.cooldown, routes: routes)
            afterCommit(camera: event.camera, outcome)
            let alert = outcome.alert
            logger.notice(outcome.isNew ? "plate alert" : "plate alert updated", metadata: [
                "alert.id": "\(alert.id ?? 0)", "plate": "\(event.text)", "entry": "\(event.match.entry.plate)",
                "watchlist": "\(alert.watchlist)", "edits": "\(event.match.distance)", "max_edits": "\(event.match.entry.maxEdits)",
                "confidence": "\(String(format: "%.2f", event.confidence))", "reads": "\(event.reads)", "count": "\(alert.count)",
                "latency_ms": "\(Int(Date().timeIntervalSince(event.capturedAt) * 1000))",
            ])
        } catch {
            logger.error("plate alert not stored", metadata: ["error": "\(error)", "plate": "\(event.text)"])
        }
    }
}
