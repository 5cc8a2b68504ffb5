import Dispatch
import VigilCore
import VigilPlates
import VigilVision

/// One plate read in a scanned file, with its match (or none) as evidence.
public struct PlateSighting: Sendable, Equatable {
    public var file: String
    public var time: Double
    public var frameIndex: Int
    public var reading: PlateReading
    public var match: PlateMatch?
}

/// The offline plate scan: decode -> sample -> localise, segment, read -> rank -> match.
/// Every accepted read of every analysed frame is reported (votes across frames are the daemon's).
public struct PlateScanner: Sendable {
    public let analyzer: PlateAnalyzer
    public let ranker: PlateRanker
    public let matcher: PlateMatcher
    public let fps: Double

    public init(analyzer: PlateAnalyzer, ranker: PlateRanker, matcher: PlateMatcher, fps: Double) {
        self.analyzer = analyzer
        self.ranker = ranker
        self.matcher = matcher
        self.fps = fps
    }

    public func scan(file: String, report: (PlateSighting) -> Void) async -> FileScanStats {
        var stats = FileScanStats(file: file)
        do {
            let reader = try MediaReader(source: file, fps: fps)
            while let sampled = try await reader.next() {
                stats.framesAnalysed += 1
                stats.stages.decode += sampled.decodeMilliseconds
                let (candidates, ms) = try await analyzer.read(sampled.frame)
                stats.stages.detect += ms
                let start = DispatchTime.now()
                let sightings = ranker.accepted(candidates).map { reading in
                    PlateSighting(file: file, time: sampled.frame.time, frameIndex: sampled.frame.index, reading: reading,
                                  match: matcher.match(reading.text))
                }
                stats.stages.match += elapsedMilliseconds(since: start)
                for sighting in sightings {
                    stats.plates += 1
                    if sighting.match?.alerts == true { stats.matches += 1 }
                    report(sighting)
                }
            }
            stats.framesDecoded = await reader.framesDecoded
        } catch {
            stats.error = "\(error)"
        }
        return stats
    }
}
