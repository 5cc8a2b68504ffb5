import Foundation
import Logging
import Metrics
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
    var evidenceFrame: Frame?
    var capturedAt: Date
}

/// A behaviour rule that fired, with its frame already marked up (zone or line, the person's path).
struct BehaviourMatchEvent: Sendable {
    var camera: Int
    var cooldown: Double
    var evidence: BehaviourEvidence
    var evidenceFrame: Frame?
    var capturedAt: Date
}

/// Turns match events into committed alerts, in order, on one serial queue: evidence files
/// first (durably), then the row (one transaction with its outbox deliveries), then the log line.
/// Nothing announces an alert that is not committed, and no alert is lost on a bad day:
/// - evidence that cannot be written (full or unwritable snapshots folder) is recorded as
///   missing, with the reason, and the alert commits without it;
/// - a row the database refuses (locked by another writer, disk trouble) goes to the
///   `AlertSpool`, and is retried with back-off, in order, until stored, also after a restart;
/// - the queue is bounded: past `Limits.frames` queued frames, new events lose their evidence
///   frame (counted) before, past `Limits.events`, events themselves are refused (counted, logged).
final class AlertSink: @unchecked Sendable {
    struct Limits {
        /// Queued events that may hold a frame (a 1080p frame is 6 MB).
        var frames = 16
        /// Queued events in all; the queue only grows this long when the disk stalls.
        var events = 4096
    }

    /// One event, reduced to what storing it needs.
    private struct Job: Sendable {
        var camera: Int
        var cameraID: String
        var cooldown: Double
        var sighting: Alert
        var frame: Frame?
        var box: BoundingBox
        var evidenceKind: String
        var frameDropped = false
        var capturedAt: Date
        var detail: Logger.Metadata
    }

    private let queue = DispatchQueue(label: "vigil.alerts")
    private let database: any AlertStore
    private let evidence: EvidenceWriter
    private let logger: Logger
    /// Hooks whose outbox rows commit with each alert.
    private let routes: [OutboxRoute]
    /// Called after each commit (wakes the hook dispatcher).
    private let committed: @Sendable () -> Void
    private let metrics: DaemonMetrics?
    private let limits: Limits
    /// Touched only on `queue`.
    private let spool: AlertSpool
    private var retryDelay = AlertSink.firstRetry
    private var retryScheduled = false
    private static let firstRetry = 0.25
    private static let lastRetry = 10.0

    private let lock = NSLock()
    private var queuedEvents = 0
    private var queuedFrames = 0
    private var spooledNow = 0

    private let stored = Counter(label: "vigil_alert_sink_total", dimensions: [("outcome", "stored")])
    private let spooled = Counter(label: "vigil_alert_sink_total", dimensions: [("outcome", "spooled")])
    private let refused = Counter(label: "vigil_alert_sink_total", dimensions: [("outcome", "refused")])
    private let framesDropped = Counter(label: "vigil_alert_evidence_missing_total", dimensions: [("reason", "queue_full")])
    private let evidenceFailed = Counter(label: "vigil_alert_evidence_missing_total", dimensions: [("reason", "write_failed")])

    /// `spool` is the folder for sightings waiting for the database (made if missing; replayed now).
    init(database: any AlertStore, snapshots: String, spool: String, routes: [OutboxRoute] = [], metrics: DaemonMetrics? = nil,
         limits: Limits = Limits(), logger: Logger, committed: @escaping @Sendable () -> Void = {}) throws {
        self.metrics = metrics
        self.database = database
        evidence = EvidenceWriter(directory: snapshots)
        self.routes = routes
        self.logger = logger
        self.committed = committed
        self.limits = limits
        self.spool = try AlertSpool(directory: spool)
        if !self.spool.isEmpty {
            logger.notice("replaying spooled alerts", metadata: ["alerts": "\(self.spool.entries.count)", "spool": "\(spool)"])
            spooledNow = self.spool.entries.count
            queue.async { self.drain() }
        }
    }

    /// Sightings waiting in the spool for the database.
    var spoolDepth: Int { lock.withLock { spooledNow } }

    func submit(_ event: MatchEvent) {
        let sighting = Alert.sighting(FaceMatchEvidence(
            cameraID: event.cameraID, match: event.decision.entry, distance: event.decision.distance,
            trackID: event.decision.trackID, box: event.box, sharpness: Double(event.sharpness), seenAt: event.capturedAt))
        enqueue(Job(camera: event.camera, cameraID: event.cameraID, cooldown: event.cooldown, sighting: sighting,
                    frame: event.evidenceFrame, box: event.box, evidenceKind: "face", capturedAt: event.capturedAt,
                    detail: ["track": "\(event.decision.trackID)",
                             "distance": "\(String(format: "%.3f", event.decision.distance))"]))
    }

    func submit(_ event: PlateMatchEvent) {
        let sighting = Alert.sighting(PlateMatchEvidence(
            cameraID: event.cameraID, match: event.match, text: event.text, confidence: event.confidence, box: event.box,
            seenAt: event.capturedAt))
        enqueue(Job(camera: event.camera, cameraID: event.cameraID, cooldown: event.cooldown, sighting: sighting,
                    frame: event.evidenceFrame, box: event.box, evidenceKind: "plate", capturedAt: event.capturedAt,
                    detail: ["plate": "\(event.text)", "entry": "\(event.match.entry.plate)", "edits": "\(event.match.distance)",
                             "max_edits": "\(event.match.entry.maxEdits)", "reads": "\(event.reads)",
                             "confidence": "\(String(format: "%.2f", event.confidence))"]))
    }

    func submit(_ event: BehaviourMatchEvent) {
        let e = event.evidence
        var detail: Logger.Metadata = ["rule": "\(e.rule)", "track": "\(e.trackID)", "what": "\(e.summary)"]
        if let dwell = e.dwellSeconds { detail["dwell_s"] = "\(String(format: "%.1f", dwell))" }
        enqueue(Job(camera: event.camera, cameraID: e.cameraID, cooldown: event.cooldown, sighting: Alert.sighting(e),
                    frame: event.evidenceFrame, box: e.box, evidenceKind: "behaviour", capturedAt: event.capturedAt, detail: detail))
    }

    /// Waits until every submitted event is committed or spooled.
    func flush() {
        queue.sync {}
    }

    /// Admission: bounded by frames first, then by events.
    private func enqueue(_ job: Job) {
        var job = job
        let admitted: Bool = lock.withLock {
            guard queuedEvents < limits.events else { return false }
            queuedEvents += 1
            if job.frame != nil {
                if queuedFrames >= limits.frames {
                    job.frame = nil
                    job.frameDropped = true
                } else {
                    queuedFrames += 1
                }
            }
            return true
        }
        guard admitted else {
            refused.increment()
            logger.error("alert refused: the alert queue is full (the disk is not keeping up)", metadata: [
                "camera.id": "\(job.cameraID)", "subject": "\(job.sighting.subjectID)", "queued": "\(limits.events)"])
            return
        }
        if job.frameDropped { framesDropped.increment() }
        let holdsFrame = job.frame != nil
        let admittedJob = job
        queue.async {
            self.record(admittedJob)
            self.lock.withLock {
                self.queuedEvents -= 1
                if holdsFrame { self.queuedFrames -= 1 }
            }
        }
    }

    private func record(_ job: Job) {
        var logger = self.logger
        logger[metadataKey: "camera.id"] = .string(job.cameraID)
        var sighting = job.sighting
        if let frame = job.frame {
            do {
                let files = try evidence.write(frame: frame, box: job.box, camera: job.cameraID, at: job.capturedAt, kind: job.evidenceKind)
                sighting.snapshotPath = files.0
                sighting.cropPath = files.1
            } catch {
                evidenceFailed.increment()
                sighting.evidenceMissing = "evidence not written: \(error)"
                logger.error("alert evidence not written; the alert is stored without it", metadata: [
                    "error": "\(error)", "subject": "\(sighting.subjectID)"])
            }
        } else if job.frameDropped {
            sighting.evidenceMissing = "evidence frame dropped: the alert queue was full"
        }
        if spool.isEmpty {
            do {
                let outcome = try database.recordSighting(sighting, cooldown: job.cooldown, routes: routes)
                announce(outcome, camera: job.camera, capturedAt: job.capturedAt, detail: job.detail, logger: logger)
                return
            } catch {
                logger.warning("alert spooled: the database did not take it", metadata: ["error": "\(error)", "subject": "\(sighting.subjectID)"])
            }
        }
        // Behind a spooled alert, or refused now: keep order by spooling.
        if let failure = spool.append(camera: job.camera, cooldown: job.cooldown, sighting: sighting) {
            logger.error("alert kept in memory only: the spool folder cannot be written", metadata: ["error": "\(failure)"])
        }
        spooled.increment()
        lock.withLock { spooledNow = spool.entries.count }
        // A scheduled retry will drain it; trying now would wait out the database's busy timeout once per event.
        if !retryScheduled { drain() }
    }

    /// Stores spooled sightings in order; on the first refusal, tries again after a back-off.
    private func drain() {
        while let entry = spool.entries.first {
            do {
                let outcome = try database.recordSighting(entry.sighting, cooldown: entry.cooldown, routes: routes)
                spool.removeFirst()
                lock.withLock { spooledNow = spool.entries.count }
                announce(outcome, camera: entry.camera, capturedAt: entry.sighting.lastSeen, detail: ["spooled": "true"], logger: logger)
            } catch {
                guard !retryScheduled else { return }
                retryScheduled = true
                let delay = retryDelay
                retryDelay = min(Self.lastRetry, retryDelay * 2)
                queue.asyncAfter(deadline: .now() + delay) {
                    self.retryScheduled = false
                    self.drain()
                }
                return
            }
        }
        if retryDelay != Self.firstRetry {
            logger.notice("spooled alerts stored")
            retryDelay = Self.firstRetry
        }
    }

    /// What follows every committed alert: wake the hooks, count it, delete the evidence files a
    /// better sighting replaced, and log it.
    private func announce(_ outcome: AlertOutcome, camera: Int, capturedAt: Date, detail: Logger.Metadata, logger: Logger) {
        committed()
        stored.increment()
        metrics?.alert(camera: camera, isNew: outcome.isNew)
        for file in outcome.replacedFiles { try? FileManager.default.removeItem(atPath: file) }
        let alert = outcome.alert
        var metadata: Logger.Metadata = [
            "alert.id": "\(alert.id ?? 0)", "subject": "\(alert.subjectID)", "watchlist": "\(alert.watchlist)",
            "threshold": "\(alert.threshold)", "count": "\(alert.count)",
            "latency_ms": "\(Int(Date().timeIntervalSince(capturedAt) * 1000))",
        ]
        metadata.merge(detail) { _, new in new }
        if let missing = alert.evidenceMissing { metadata["evidence_missing"] = "\(missing)" }
        let what = alert.kind == "plate" ? "plate alert" : alert.kind == "behaviour" ? "behaviour alert" : "alert"
        logger.notice("\(what)\(outcome.isNew ? "" : " updated")", metadata: metadata)
    }
}
