import Foundation
import VigilConfig
import VigilCore
import VigilMatching
import VigilPlates
import VigilVision

/// Per-camera analysis state: its motion gate, face tracker, plate voter and region.
///
/// Only the worker holding the camera (see `FrameScheduler`) touches it, so it
/// needs no lock of its own.
final class CameraAnalysis: @unchecked Sendable {
    let config: CameraConfig
    var motion = MotionGate()
    var tracker: FaceTracker
    /// Plate reads of one vehicle merged across frames; each vehicle keeps its best frame as evidence.
    let voter: PlateVoter<Frame>
    let plateRanker: PlateRanker
    let useMotionGate: Bool
    let region: BoundingBox?

    init(config: CameraConfig, tracker: FaceTracker.Settings, useMotionGate: Bool) {
        self.config = config
        self.tracker = FaceTracker(settings: tracker)
        // The gap outlasts the motion gate's keyframe interval (2 s), so a parked car keeps one vehicle.
        voter = PlateVoter(settings: .init(votes: config.plates.votes, gap: max(3, 3 / config.analyseFPS)))
        plateRanker = PlateRanker(region: (try? PlateRegion.named(config.plates.region)) ?? .any,
                                  minConfidence: config.plates.minConfidence)
        self.useMotionGate = useMotionGate
        region = config.roi.map { points in
            let xs = points.map(\.x), ys = points.map(\.y)
            return BoundingBox(x: Int(xs.min()!), y: Int(ys.min()!), width: Int(xs.max()! - xs.min()!), height: Int(ys.max()! - ys.min()!))
        }
    }

    /// True when the face's centre lies inside the camera's polygon (or there is none).
    func inRegion(_ box: BoundingBox) -> Bool {
        guard let polygon = config.roi else { return true }
        let x = box.centerX, y = box.centerY
        var inside = false
        var j = polygon.count - 1
        for i in polygon.indices {
            let a = polygon[i], b = polygon[j]
            if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}
