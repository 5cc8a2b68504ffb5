import Foundation
import Logging
import VigilCore
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
            committed()
            metrics?.alert(camera: event.camera, isNew: outcome.isNew)
            for file in outcome.replacedFiles { try? FileManager.default.removeItem(atPath: file) }
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
}
