import Foundation
import Testing
import VigilAnalysis
import VigilCore
import VigilMatching
import VigilMedia
import VigilTestSupport
import VigilVision

/// A node over capacity stretches every camera's region search by its load factor. A 720p cycle
/// is several slices, each dearer than one frame's share under load, so the share is banked and
/// a slice runs every few frames; tracks are still followed in every frame.
@Suite(.enabled(if: Fixtures.sharedDataUsable))
struct FaceStageLoadTests {
    /// Frames with a region search, and Haar CPU seconds, over the first 8 s (about 36 analysed frames) of the pedestrian clip at
    /// 720p (played forward and back), analysed at 5 fps with the node's load factor at `load`.
    func run(load: Double, clip: String) throws -> (searched: Int, frames: Int, detectSeconds: Double) {
        let detector = try FaceDetector(cascade: Fixtures.models.cascade, settings: DetectorSettings())
        let encoder = try FaceEncoder(models: Fixtures.models)
        let stage = FaceStage(settings: AnalysisSettings(), analyseFPS: 5)
        let decoder = try MediaDecoder(source: clip)
        var searched = 0, frames = 0
        var costs = StageCosts()
        while let decoded = try decoder.nextFrame(convertIf: { ($0 * 5).rounded() == $0 * 5 }), decoded.time < 8 {
            guard let frame = decoded.picture else { continue }
            let result = try stage.analyse(frame, time: decoded.time, detector: detector, encoder: encoder, gallery: FaceGallery([]),
                                           load: load, costs: &costs)
            frames += 1
            if result.detected { searched += 1 }
        }
        return (searched, frames, costs[.detect])
    }

    /// The crowd seen from above moves everywhere and never shows a face Haar can find. Once its cells
    /// have been searched `FaceZones.barrenAfter` times for nothing, motion there waits for every
    /// `revisit`-th cycle and the sweep: the camera stops paying for motion that never had a face.
    @Test func aCrowdSeenFromAboveStopsPayingForItsMotion() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("mot20_25s.mp4").path
        try Run.ffmpeg(["-stream_loop", "4", "-i", try Fixtures.shared("video/mot20_05_crowd_overhead.mp4"), "-c", "copy", clip])
        let detector = try FaceDetector(cascade: Fixtures.models.cascade, settings: DetectorSettings())
        let encoder = try FaceEncoder(models: Fixtures.models)
        let stage = FaceStage(settings: AnalysisSettings(), analyseFPS: 5)
        let decoder = try MediaDecoder(source: clip)
        var costs = StageCosts()
        var firstSeconds = 0.0, lastSeconds = 0.0, faces = 0
        while let decoded = try decoder.nextFrame(convertIf: { ($0 * 5).rounded() == $0 * 5 }) {
            guard let frame = decoded.picture else { continue }
            let before = stage.pixelsSearched
            let result = try stage.analyse(frame, time: decoded.time, detector: detector, encoder: encoder, gallery: FaceGallery([]),
                                           costs: &costs)
            faces += result.faces.count
            if decoded.time < 8 { firstSeconds += stage.pixelsSearched - before }
            if decoded.time >= 17 { lastSeconds += stage.pixelsSearched - before }
        }
        let first = firstSeconds / 8, last = lastSeconds / 8
        print("mot20 looped 25 s: \(Int(first / 1000)) kpx/s searched in the first 8 s, \(Int(last / 1000)) kpx/s in the last 8 s; "
              + "\(stage.zones.barrenCells) of \(FaceZones.columns * FaceZones.rows) cells barren; \(faces) faces")
        #expect(faces == 0)
        #expect(stage.zones.barrenCells == FaceZones.columns * FaceZones.rows)
        #expect(last < 0.5 * first, "first \(first), last \(last) px/s")
    }

    @Test func atLoadEightTheRegionSearchRunsInAFractionOfTheFrames() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("pedestrians_720p.mp4").path
        try Run.ffmpeg(["-i", try Fixtures.shared("video/pedestrians_faces_1080p.mp4"), "-filter_complex",
                        "[0:v]scale=1280:720,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1[v]", "-map", "[v]",
                        "-c:v", "libx264", "-preset", "veryfast", clip])
        let calm = try run(load: 1, clip: clip)
        let loaded = try run(load: 8, clip: clip)
        print("720p, 8 s at 5 fps: load 1 searched \(calm.searched) of \(calm.frames) frames (\(String(format: "%.2f", calm.detectSeconds)) s detect); "
              + "load 8 \(loaded.searched) of \(loaded.frames) (\(String(format: "%.2f", loaded.detectSeconds)) s)")
        #expect(calm.frames == loaded.frames && calm.frames >= 30)
        // A moving 720p scene keeps the unloaded search busy: a cycle of slices is always under way.
        #expect(calm.searched >= calm.frames * 3 / 4)
        // Under load 8 a slice needs about 8 frames' banked share; the first cycle (searched whole) and
        // rounding leave some slack, so a third of the unloaded searches is the bound.
        #expect(loaded.searched * 3 <= calm.searched, "load 8 searched \(loaded.searched) frames, load 1 \(calm.searched)")
    }
}
