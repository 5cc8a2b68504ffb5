import Foundation
import VigilTestSupport
import Testing
import VigilCore
import VigilMatching
import VigilScan
import VigilVision

/// The Hamilton clip with the two known faces face_recognition uses for it.
@Suite(.enabled(if: Fixtures.sharedDataUsable))
struct VideoScanTests {
    @Test func enrolledPeopleAreNamedWhenOnScreen() async throws {
        let analyzer = try Fixtures.analyzer()
        let scanner = Scanner(analyzer: analyzer, gallery: try await Fixtures.hamiltonGallery(analyzer), options: ScanOptions(fps: 5))
        var sightings: [FaceSighting] = []
        let stats = await scanner.scan(file: try Fixtures.shared("video/hamilton_short_clip.mp4"), report: { sightings.append($0) })
        #expect(stats.error == nil)
        #expect(stats.framesAnalysed == 46)     // 9.2 s at 5 fps
        #expect(stats.framesDecoded == 275)
        let matches = sightings.filter(\.match.isMatch)
        print("hamilton: \(sightings.count) faces, \(matches.count) matches at \(matches.map { String(format: "%.1f", $0.time) })")
        // Only enrolled people are named, and Lin-Manuel Miranda, on screen for most of the clip, often.
        #expect(matches.allSatisfy { ["lin_manuel_miranda", "alex_lacamoire"].contains($0.match.match?.subjectID ?? "") })
        #expect(matches.filter { $0.match.match?.subjectID == "lin_manuel_miranda" }.count >= 15)
        // Each match carries its evidence.
        for m in matches {
            #expect((m.match.distance ?? 1) <= 0.6 && m.match.threshold == 0.6 && m.match.nearest?.sourcePath.hasSuffix(".png") == true)
        }
        // Sightings are in time order and inside the clip.
        #expect(sightings.map(\.time) == sightings.map(\.time).sorted())
        #expect(sightings.allSatisfy { $0.time >= 0.8 && $0.time < 10.1 })
    }

    @Test func emptyWatchlistReportsNoMatch() async throws {
        let scanner = Scanner(analyzer: try Fixtures.analyzer(), gallery: FaceGallery([]), options: ScanOptions(fps: 5))
        var sightings: [FaceSighting] = []
        _ = await scanner.scan(file: try Fixtures.shared("video/hamilton_short_clip.mp4"), report: { sightings.append($0) })
        #expect(!sightings.isEmpty)             // faces are still found...
        #expect(sightings.allSatisfy { !$0.match.isMatch && $0.match.distance == nil })  // ...but nobody is named
    }
}

extension Fixtures {
    /// The Hamilton clip's two known faces (the ones face_recognition uses for it), enrolled in memory.
    static func hamiltonGallery(_ analyzer: FaceAnalyzer) async throws -> FaceGallery {
        let enroller = Enroller(analyzer: analyzer)
        var entries: [EnrolledFace] = []
        for (id, path) in [("lin_manuel_miranda", "faces/lin_manuel_miranda/1.png"), ("alex_lacamoire", "faces/alex_lacamoire/2.png")] {
            let e = try await enroller.prepare(image: try shared(path))
            entries.append(EnrolledFace(enrolmentID: Int64(entries.count + 1), subjectID: id, subjectName: id, watchlist: "hamilton",
                                        threshold: 0.6, sourcePath: e.sourcePath, encoding: e.encoding))
        }
        return FaceGallery(entries)
    }
}
