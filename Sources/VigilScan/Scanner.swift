import Dispatch
import VigilAnalysis
import VigilCore
import VigilMatching
import VigilMedia
import VigilVision

/// Runs a `FaceStage` through an analyzer's handles: one camera's stage, used from one task at a time.
private struct StageBox: @unchecked Sendable {
    let stage: FaceStage
}

extension Scanner {
    /// One frame through the daemon's tracking pipeline; faces confirmed by a track, named by its vote.
    fileprivate func tracked(_ frame: Frame, stage: FaceStage, file: String, stats: inout FileScanStats) async throws -> [FaceSighting] {
        let box = StageBox(stage: stage)
        let gallery = self.gallery, load = options.detectStretch
        let (result, costs) = try await analyzer.withHandles { detector, encoder in
            var costs = StageCosts()
            let result = try box.stage.analyse(frame, time: frame.time, detector: detector, encoder: encoder, gallery: gallery,
                                               load: load, costs: &costs)
            return (UncheckedResult(value: result), costs)
        }
        stats.stages.detect += 1000 * (costs[.motion] + costs[.detect] + costs[.track])
        stats.stages.encode += 1000 * costs[.encode]
        stats.costs += costs
        return result.value.faces.map { face in
            let encoded = result.value.encoded.first { $0.trackID == face.trackID }
            return FaceSighting(file: file, time: frame.time, frameIndex: frame.index, box: face.box,
                                match: face.match ?? encoded?.match ?? MatchResult(), sharpness: encoded?.face.sharpness ?? 0)
        }
    }
}

private struct UncheckedResult: @unchecked Sendable {
    let value: FaceStageResult
}

/// One face seen in a scanned file, with the evidence for its match (or non-match).
public struct FaceSighting: Sendable, Equatable {
    public var file: String
    /// Seconds into the video (0 for images).
    public var time: Double
    public var frameIndex: Int
    public var box: BoundingBox
    public var match: MatchResult
    public var sharpness: Float
}

/// Time spent per stage, in milliseconds, summed over a run.
public struct StageTimes: Sendable, Equatable {
    public var decode = 0.0
    public var detect = 0.0
    public var encode = 0.0
    public var match = 0.0

    public init() {}

    public static func += (lhs: inout StageTimes, rhs: StageTimes) {
        lhs.decode += rhs.decode
        lhs.detect += rhs.detect
        lhs.encode += rhs.encode
        lhs.match += rhs.match
    }
}

/// What scanning one file produced.
public struct FileScanStats: Sendable, Equatable {
    public var file: String
    public var framesDecoded = 0
    public var framesAnalysed = 0
    public var faces = 0
    public var plates = 0
    public var matches = 0
    public var stages = StageTimes()
    /// CPU seconds by stage, for tracking scans (the daemon's cost accounting).
    public var costs = StageCosts()
    /// Set when the file failed (results before the failure are kept).
    public var error: String?
}

public struct ScanOptions: Sendable {
    /// Analysed frames per second of video (every frame is decoded).
    public var fps: Double
    /// nil = automatic: whole-image HOG for still images (not real time, best
    /// accuracy), the detector settings' strategy for video.
    public var strategy: DetectionStrategy?
    public var decoder: DecoderOptions
    /// Set: video is analysed as the daemon does (motion regions, detection cadence, tracks);
    /// each analysed frame reports the faces its tracks confirm, named by their votes.
    public var tracking: AnalysisSettings?
    /// With `tracking`: the detection interval stretched by this factor, as a node over capacity
    /// stretches every camera's (`LoadFactor`), so what a loaded node still finds can be measured.
    public var detectStretch: Double

    public init(fps: Double = 5, strategy: DetectionStrategy? = nil, decoder: DecoderOptions = DecoderOptions(),
                tracking: AnalysisSettings? = nil, detectStretch: Double = 1) {
        self.fps = fps
        self.tracking = tracking
        self.detectStretch = detectStretch
        self.strategy = strategy
        self.decoder = decoder
    }
}

/// The offline scan: decode -> sample -> detect -> encode -> match, with
/// decoding of the next frame overlapping analysis of the current one.
public struct Scanner: Sendable {
    public let analyzer: FaceAnalyzer
    public let gallery: FaceGallery
    public let options: ScanOptions

    public init(analyzer: FaceAnalyzer, gallery: FaceGallery, options: ScanOptions) {
        self.analyzer = analyzer
        self.gallery = gallery
        self.options = options
    }

    /// Scans one file. `report` gets each face as it is found; `progress` gets
    /// (seconds scanned, duration) after each analysed frame.
    public func scan(file: String, report: (FaceSighting) -> Void,
                     progress: (Double, Double?) -> Void = { _, _ in }) async -> FileScanStats {
        var stats = FileScanStats(file: file)
        let reader: MediaReader
        do {
            reader = try MediaReader(source: file, fps: options.fps, options: options.decoder)
        } catch {
            stats.error = "\(error)"
            return stats
        }
        let strategy = options.strategy ?? (reader.info.isStillImage ? .hog : nil)
        let stage = options.tracking.flatMap { reader.info.isStillImage ? nil : FaceStage(settings: $0, analyseFPS: options.fps) }
        do {
            var upcoming = Task { try await reader.next() }
            while let sampled = try await upcoming.value {
                upcoming = Task { try await reader.next() }
                stats.framesAnalysed += 1
                stats.stages.decode += sampled.decodeMilliseconds
                if let stage {
                    for sighting in try await tracked(sampled.frame, stage: stage, file: file, stats: &stats) {
                        stats.faces += 1
                        if sighting.match.isMatch { stats.matches += 1 }
                        report(sighting)
                    }
                    progress(sampled.frame.time, reader.info.duration)
                    continue
                }
                let analysis = try await analyzer.analyse(sampled.frame, strategy: strategy)
                stats.stages.detect += analysis.detectMilliseconds
                stats.stages.encode += analysis.encodeMilliseconds
                let matchStart = DispatchTime.now()
                let sightings = analysis.faces.map { face in
                    FaceSighting(file: file, time: sampled.frame.time, frameIndex: sampled.frame.index, box: face.box,
                                 match: gallery.match(face.encoding), sharpness: face.sharpness)
                }
                stats.stages.match += elapsedMilliseconds(since: matchStart)
                for sighting in sightings {
                    stats.faces += 1
                    if sighting.match.isMatch { stats.matches += 1 }
                    report(sighting)
                }
                progress(sampled.frame.time, reader.info.duration)
            }
        } catch {
            stats.error = "\(error)"
        }
        stats.framesDecoded = await reader.framesDecoded
        return stats
    }
}
