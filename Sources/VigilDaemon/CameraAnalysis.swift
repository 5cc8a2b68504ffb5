import Foundation
import VigilAnalysis
import VigilBehaviour
import VigilConfig
import VigilCore
import VigilMatching
import VigilMedia
import VigilPlates
import VigilVision

/// Per-camera analysis state: its face stage (motion regions, cadence, tracks), plate voter and region.
///
/// Only the worker holding the camera (see `FrameScheduler`) touches it, so it
/// needs no lock of its own.
final class CameraAnalysis: @unchecked Sendable {
    let config: CameraConfig
    let faces: FaceStage
    /// Plate reads of one vehicle merged across frames; each vehicle keeps its best frame as evidence.
    let voter: PlateVoter<Frame>
    let plateRanker: PlateRanker
    let region: BoundingBox?
    /// People and behaviour rules, when the camera has a `behaviour:` section.
    let behaviour: BehaviourStage?
    /// Line crossings already counted in `/metrics`, per line and direction.
    var crossingsReported: [String: [CrossingDirection: Int]] = [:]
    /// The watchlists' generation this camera's tracks were matched against.
    var galleryGeneration: Int64?
    private let roiZone: Zone?

    /// `index` staggers the camera's detection cycles against the others' (`FaceStage.phase`).
    init(config: CameraConfig, index: Int, options: DaemonOptions) {
        self.config = config
        var analysis = config.analysis
        if !options.motionRegions { analysis.motionRegions = false }
        if !options.cadence { analysis.detectFPS = config.analyseFPS }
        if !options.tracking { analysis.tracking = false }
        faces = FaceStage(settings: analysis, analyseFPS: config.analyseFPS, phase: FrameSampler.staggeredPhase(index: index))
        // The gap spans several analysed frames, so a parked car keeps one vehicle.
        voter = PlateVoter(settings: .init(votes: config.plates.votes, gap: max(3, 3 / config.analyseFPS)))
        plateRanker = PlateRanker(region: (try? PlateRegion.named(config.plates.region)) ?? .any,
                                  minConfidence: config.plates.minConfidence)
        behaviour = config.behaviour.map { BehaviourStage(settings: $0) }
        roiZone = config.roi.map { Zone(name: "roi", points: $0.map { Point(x: $0.x, y: $0.y) }) }
        region = config.roi.map { points in
            let xs = points.map(\.x), ys = points.map(\.y)
            return BoundingBox(x: Int(xs.min()!), y: Int(ys.min()!), width: Int(xs.max()! - xs.min()!), height: Int(ys.max()! - ys.min()!))
        }
    }

    /// True when the face's centre lies inside the camera's polygon (or there is none).
    func inRegion(_ box: BoundingBox) -> Bool {
        roiZone?.contains(Point(x: box.centerX, y: box.centerY)) ?? true
    }
}
