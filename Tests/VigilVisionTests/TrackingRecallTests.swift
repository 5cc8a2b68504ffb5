import Foundation
import VigilTestSupport
import Testing
import VigilCore
import VigilMatching
import VigilScan
import VigilVision

/// Recognition is not traded for capacity: the daemon's way of searching
/// (motion regions, detection at `detect_fps`, local track searches between,
/// the rolling sweep) is held against a full search of every analysed frame,
/// the way Vigil worked before, on the same clips and the same frames.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct TrackingRecallTests {
    func sightings(_ file: String, gallery: FaceGallery, tracking: Bool, stretch: Double = 1) async throws -> [FaceSighting] {
        let options = ScanOptions(fps: 5, tracking: tracking ? AnalysisSettings() : nil, detectStretch: stretch)
        let scanner = Scanner(analyzer: try Fixtures.analyzer(), gallery: gallery, options: options)
        var out: [FaceSighting] = []
        let stats = await scanner.scan(file: file, report: { out.append($0) })
        #expect(stats.error == nil)
        return out
    }

    /// Same people named, and at least 90% of the full search's matched sightings (frame, person) kept.
    @Test func hamiltonKeepsItsMatches() async throws {
        let analyzer = try Fixtures.analyzer()
        let gallery = try await Fixtures.hamiltonGallery(analyzer)
        let clip = try Fixtures.shared("video/hamilton_short_clip.mp4")
        let full = try await sightings(clip, gallery: gallery, tracking: false).filter(\.match.isMatch)
        let tracked = try await sightings(clip, gallery: gallery, tracking: true).filter(\.match.isMatch)
        // A full-search sighting is kept when the tracked run names the same person in the same analysed frame,
        // or within one analysed frame of it (a track is named when its first encoding matches, which may be a frame later).
        let kept = full.filter { f in
            tracked.contains { $0.match.match?.subjectID == f.match.match?.subjectID && abs($0.time - f.time) <= 0.21 }
        }
        let sameFrame = full.filter { f in tracked.contains { $0.match.match?.subjectID == f.match.match?.subjectID && $0.frameIndex == f.frameIndex } }
        print("hamilton: full search \(full.count) matched sightings, tracked \(tracked.count); \(kept.count) kept within one analysed frame "
              + "(\(String(format: "%.0f", 100 * Double(kept.count) / Double(max(1, full.count))))%), \(sameFrame.count) in the same frame; "
              + "full at \(full.map { String(format: "%.1f", $0.time) }), tracked at \(tracked.map { String(format: "%.1f", $0.time) })")
        #expect(Set(full.map { $0.match.match!.subjectID }) == Set(tracked.map { $0.match.match!.subjectID }))
        #expect(Double(tracked.count) >= 0.9 * Double(full.count))
        #expect(Double(kept.count) >= 0.9 * Double(full.count))
        for m in tracked { #expect((m.match.distance ?? 1) <= 0.6 && m.match.threshold == 0.6) }
    }

    /// The faces the full search finds at each analysed moment that are on a track there: issue 14 asks
    /// for 90%. The search order is deterministic (a budget in pixels, not in measured time), so the
    /// figure is the same every run: 205 of 227 (90.3%) since the region search is cut into tiles
    /// rather than full-width bands (88.5% before).
    @Test func pedestrianFacesAreFoundByATrack() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("pedestrians_720p.mp4").path
        // The 1080p clip at 720p, played forward, backward, forward, backward (16.8 s of continuous motion), so tracks are
        // judged long after the start, once the rolling sweep has covered the frame and face zones are learnt.
        try Run.ffmpeg(["-i", try Fixtures.shared("video/pedestrians_faces_1080p.mp4"), "-filter_complex",
                             "[0:v]scale=1280:720,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1,split[c][d];[c][d]concat=n=2:v=1[v]",
                             "-map", "[v]",
                             "-c:v", "libx264", "-preset", "veryfast", clip])
        let gallery = FaceGallery([])
        let full = try await sightings(clip, gallery: gallery, tracking: false)
        let frames = Set(full.map(\.frameIndex)).count
        #expect(full.count >= 150)
        // Stretch 1 is a node within capacity. A 2-core node with sixteen of the benchmark's cameras keeps them
        // in real time by stretching detection 3-5x (benchmarks/cameras.py): recognition is traded for
        // capacity there, the node says it is over capacity, and these are the figures of that trade.
        for stretch in [1.0, 2.0, 4.0] {
            let tracked = try await sightings(clip, gallery: gallery, tracking: true, stretch: stretch)
            let byFrame = Dictionary(grouping: tracked, by: \.frameIndex)
            let found = full.filter { face in (byFrame[face.frameIndex] ?? []).contains { $0.box.iou(face.box) >= 0.3 } }
            print("pedestrians 720p, 16.8 s, detection stretched \(stretch)x: full search \(full.count) faces in \(frames) frames; "
                  + "\(found.count) on a track (\(String(format: "%.1f", 100 * Double(found.count) / Double(max(1, full.count))))%); "
                  + "tracks report \(tracked.count) faces")
            // Within capacity, the 90% issue 14 asks for (205 of 227). Stretched, regression floors under
            // what was measured: 180 (79.3%) at 2x, 108 (47.6%) at 4x.
            let floor: Double = stretch == 1 ? 0.9 : (stretch == 2 ? 0.75 : 0.45)
            #expect(Double(found.count) >= floor * Double(full.count), "stretched \(stretch)x")
        }
    }
}
