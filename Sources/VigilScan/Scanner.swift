import Dispatch
import VigilCore
import VigilMatching
import VigilMedia
import VigilVision

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

    public init(fps: Double = 5, strategy: DetectionStrategy? = nil, decoder: DecoderOptions = DecoderOptions()) {
        self.fps = fps
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
        do {
            var upcoming = Task { try await reader.next() }
            while let sampled = try await upcoming.value {
                upcoming = Task { try await reader.next() }
                stats.framesAnalysed += 1
                stats.stages.decode += sampled.decodeMilliseconds
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
