import Foundation
import Logging
import VigilAnalysis
import VigilBehaviour
import VigilCore
import VigilMatching
import VigilPlates
import VigilStore
import VigilVision

/// One analysis thread with its own native detector(s), encoder and plate
/// reader, never shared: takes a camera's newest frame; for faces runs the
/// camera's `FaceStage` (motion regions, detection cadence, local track
/// searches, bounded encodings) and matches; for plates reads, ranks, votes
/// across frames and matches. Confirmed matches go to the alert sink.
final class AnalysisWorker: @unchecked Sendable {
    private let id: Int
    private let scheduler: FrameScheduler
    private let cameras: [CameraAnalysis]
    private let counters: [CameraCounters]
    private let galleries: GalleryCache
    private let sink: AlertSink
    private let models: VisionModels
    /// Nil when no camera detects faces: a plates-only node needs no face models.
    private let encoder: FaceEncoder?
    private var detectors: [String: FaceDetector] = [:]
    /// Created only when a camera reads plates (one Tesseract engine per worker).
    private var plateReader: PlateReader?
    /// Created only when a camera has behaviour rules (one HOG people detector per worker).
    private var people: PersonDetector?
    private var logger: Logger
    private let finished = DispatchSemaphore(value: 0)

    private let metrics: DaemonMetrics?
    private let previews: PreviewHub?
    private let load: LoadFactor

    init(id: Int, scheduler: FrameScheduler, cameras: [CameraAnalysis], counters: [CameraCounters], metrics: DaemonMetrics?, previews: PreviewHub?, galleries: GalleryCache,
         sink: AlertSink, models: VisionModels, load: LoadFactor, logger: Logger) throws {
        self.load = load
        self.id = id
        self.scheduler = scheduler
        self.cameras = cameras
        self.counters = counters
        self.metrics = metrics
        self.previews = previews
        self.galleries = galleries
        self.sink = sink
        self.models = models
        self.logger = logger
        self.logger[metadataKey: "worker"] = .stringConvertible(id)
        encoder = cameras.contains { $0.config.detect.contains(.faces) } ? try FaceEncoder(models: models) : nil
        // Load each camera's cascade now, so a bad one fails at start-up, not mid-shift.
        for camera in cameras where camera.config.detect.contains(.faces) { _ = try detector(camera.config.cascade) }
        if cameras.contains(where: { $0.behaviour != nil }) { people = try PersonDetector() }
        if let plates = cameras.first(where: { $0.config.detect.contains(.plates) }) {
            plateReader = try PlateReader(settings: plates.config.plates)
        }
    }

    func start() {
        let thread = Thread { [self] in
            while let pending = scheduler.take() {
                process(pending)
                scheduler.done(camera: pending.camera)
            }
            finished.signal()
        }
        thread.name = "vigil.worker.\(id)"
        thread.start()
    }

    /// Waits for the thread to drain the scheduler (after `scheduler.close()`).
    func join() { finished.wait() }

    private func detector(_ cascade: String?) throws -> FaceDetector {
        let path = cascade ?? models.cascade
        if let existing = detectors[path] { return existing }
        let created = try FaceDetector(cascade: path, settings: DetectorSettings())
        if let preferred = try? FaceDetector.preferredHaarEngine(), created.haarEngine < preferred {
            logger.warning("this cascade runs on OpenCV's Haar evaluator: Vigil's takes stump cascades without tilted features",
                           metadata: ["cascade": "\(path)"])
        }
        detectors[path] = created
        return created
    }

    private func process(_ pending: PendingFrame) {
        let camera = cameras[pending.camera]
        let counter = counters[pending.camera]
        var costs = StageCosts()
        var still = false, detected = false
        do {
            if camera.config.detect.contains(.faces) {
                let outcome = try faces(pending, camera, costs: &costs)
                still = outcome.still
                detected = outcome.detected
            }
            if camera.config.detect.contains(.plates) { try costs.measure(.plates) { try plates(pending, camera) } }
            if let stage = camera.behaviour, let people {
                let result = try costs.measure(.people) { try behaviour(pending, camera, stage, people) }
                if result.detected { detected = true }
            }
        } catch {
            logger.error("analysis failed", metadata: ["camera.id": "\(camera.config.id)", "error": "\(error)"])
            counter.update { $0.lastError = "\(error)" }
        }
        counter.update {
            $0.costs += costs
            if detected { $0.detections += 1 }
            if still { $0.motionSkipped += 1 } else { $0.framesAnalysed += 1 }
        }
    }

    private func faces(_ pending: PendingFrame, _ camera: CameraAnalysis, costs: inout StageCosts) throws -> FaceStageResult {
        guard let encoder else { return FaceStageResult() }
        let detector = try detector(camera.config.cascade)
        detector.settings = camera.config.face
        let generation = galleries.loadedGeneration
        if let seen = camera.galleryGeneration, seen != generation { camera.faces.watchlistsChanged() }
        camera.galleryGeneration = generation
        let gallery = galleries.gallery(for: camera.config.watchlists)
        let result = try camera.faces.analyse(pending.frame, time: pending.streamTime, detector: detector, encoder: encoder,
                                              gallery: gallery, roi: camera.region, inRegion: camera.inRegion, load: load.factor,
                                              costs: &costs)
        if let previews, previews.wanted(camera: pending.camera) {
            previews.publish(camera: pending.camera, frame: pending.frame, boxes: result.faces.map(\.box))
        }
        metrics?.analysed(camera: pending.camera, detectSeconds: costs[.detect] + costs[.track] + costs[.motion],
                          encodeSeconds: costs[.encode], faces: result.faces.count,
                          latency: Date().timeIntervalSince(pending.capturedAt))
        for encoded in result.encoded {
            guard let decision = encoded.decision else { continue }
            metrics?.matched(camera: pending.camera)
            sink.submit(MatchEvent(camera: pending.camera, cameraID: camera.config.id, cooldown: camera.config.cooldown,
                                   decision: decision, box: encoded.face.box, sharpness: encoded.face.sharpness,
                                   evidenceFrame: decision.isSharpest ? pending.frame : nil, capturedAt: pending.capturedAt))
        }
        return result
    }

    /// People, tracks and rules; each event that fired goes to the sink with the frame, the zone or
    /// line and the person's path drawn on it. Line crossings are counted in `/metrics`.
    private func behaviour(_ pending: PendingFrame, _ camera: CameraAnalysis, _ stage: BehaviourStage,
                           _ detector: PersonDetector) throws -> BehaviourResult {
        let settings = stage.settings
        detector.settings = settings.people
        let result = try stage.analyse(pending.frame, time: pending.streamTime, detector: detector)
        if let previews, previews.wanted(camera: pending.camera), camera.config.detect.isEmpty {
            previews.publish(camera: pending.camera, frame: pending.frame, boxes: result.people.map(\.box))
        }
        for (line, counts) in stage.rules.crossings {
            for (direction, count) in counts where count > camera.crossingsReported[line]?[direction] ?? 0 {
                metrics?.crossed(camera: pending.camera, line: line, direction: direction.rawValue,
                                 count: count - (camera.crossingsReported[line]?[direction] ?? 0))
                camera.crossingsReported[line, default: [:]][direction] = count
            }
        }
        for event in result.events {
            metrics?.matched(camera: pending.camera)
            let zone = settings.zones.first { $0.name == event.zone }, line = settings.lines.first { $0.name == event.line }
            let evidence = BehaviourEvidence(
                cameraID: camera.config.id, rule: event.rule.rawValue, zone: event.zone, line: event.line, trackID: event.trackID,
                box: event.box, score: event.score, dwellSeconds: event.dwell, threshold: event.threshold, direction: event.direction,
                peopleCount: event.count, path: event.path, seenAt: pending.capturedAt)
            sink.submit(BehaviourMatchEvent(camera: pending.camera, cooldown: camera.config.cooldown, evidence: evidence,
                                            evidenceFrame: EvidenceOverlay.draw(on: pending.frame, zone: zone, line: line, path: event.path),
                                            capturedAt: pending.capturedAt))
        }
        return result
    }

    /// Reads plates, votes across frames, and submits the decided vehicles that match a deny entry
    /// (an allow-list match, or no match, is logged at debug level and dropped).
    private func plates(_ pending: PendingFrame, _ camera: CameraAnalysis) throws {
        guard let reader = plateReader else { return }
        if reader.settings != camera.config.plates { reader.settings = camera.config.plates }
        let started = DispatchTime.now()
        let readings = camera.plateRanker.accepted(try reader.read(pending.frame)).filter { camera.inRegion($0.box) }
        metrics?.platesRead(camera: pending.camera, seconds: seconds(started, DispatchTime.now()), reads: readings.count)
        if let previews, previews.wanted(camera: pending.camera), !camera.config.detect.contains(.faces) {
            previews.publish(camera: pending.camera, frame: pending.frame, boxes: readings.map(\.box))
        }
        let votes = camera.voter.add(readings, time: pending.streamTime, evidence: pending.frame)
        guard !votes.isEmpty else { return }
        let matcher = galleries.plateMatcher(for: camera.config.watchlists)
        for vote in votes {
            let match = matcher.match(vote.text)
            logger.debug("plate read", metadata: ["camera.id": "\(camera.config.id)", "plate": "\(vote.text)", "reads": "\(vote.reads)",
                                                  "match": "\(match.map { "\($0.entry.plate) (\($0.entry.mode.rawValue))" } ?? "none")"])
            guard let match, match.alerts else { continue }
            metrics?.matched(camera: pending.camera)
            sink.submit(PlateMatchEvent(camera: pending.camera, cameraID: camera.config.id, cooldown: camera.config.cooldown,
                                        match: match, text: vote.text, confidence: vote.confidence, reads: vote.reads,
                                        box: vote.best.box, evidenceFrame: vote.evidence, capturedAt: pending.capturedAt))
        }
    }
}

private func seconds(_ from: DispatchTime, _ to: DispatchTime) -> Double {
    Double(to.uptimeNanoseconds - from.uptimeNanoseconds) / 1e9
}
