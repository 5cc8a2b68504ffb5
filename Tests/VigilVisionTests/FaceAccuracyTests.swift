import Foundation
import VigilTestSupport
import Testing
import VigilCore
import VigilMatching
import VigilScan
import VigilMedia
import VigilVision

/// Accuracy on ../shared/data/faces. The thresholds asserted are the issue's
/// targets, or just under the figures measured, so a regression fails.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct FaceAccuracyTests {
    @Test func identificationWithFirstImageEnrolment() async throws {
        let evaluation = FaceEvaluation(analyzer: try Fixtures.analyzer(.enrolment))
        let result = try await evaluation.identification(root: try Fixtures.shared("faces"))
        print("identification: \(result.correct)/\(result.probes) correct, \(result.wrong.count) wrong, "
            + "not enrolled: \(result.notEnrolled.keys.sorted())")
        #expect(result.identities == 17)
        #expect(result.notEnrolled.isEmpty, "\(result.notEnrolled)")
        #expect(result.probes == 76)
        #expect(result.accuracy >= 0.95, "identified \(result.accuracy)")
        #expect(result.wrongRate <= 0.01, "wrong: \(result.wrong)")
    }

    @Test func verificationOnLabelledPairs() async throws {
        let evaluation = FaceEvaluation(analyzer: try Fixtures.analyzer(.enrolment))
        let result = try await evaluation.verification(pairsCSV: try Fixtures.shared("faces/pairs.csv"),
                                                       root: try Fixtures.shared("faces"))
        print("verification: \(result.pairs) pairs, accuracy \(result.accuracy), false accepts \(result.falseAccepts), "
            + "false rejects \(result.falseRejects)")
        #expect(result.pairs == 2004)
        // Measured 99.65% (6 false accepts, 1 false reject) at the default 0.6.
        #expect(result.accuracy >= 0.995)
        #expect(result.missingFace == 0)
    }

    @Test func groupPhotosCountsAndRecall() async throws {
        let evaluation = FaceEvaluation(analyzer: try Fixtures.analyzer(.enrolment))
        let group = try Fixtures.shared("faces/group")
        let hog = try await evaluation.detection(groupDirectory: group, strategy: .hog)
        let verified = try await evaluation.detection(groupDirectory: group, strategy: .haarVerified)
        print("group hog: recall \(hog.recall), counts \(hog.countsMatching)/\(hog.countsKnown); "
            + "haar-verified: recall \(verified.recall), counts \(verified.countsMatching)/\(verified.countsKnown)")
        #expect(hog.boxesTotal == 18)
        #expect(hog.recall >= 0.9)          // measured 17/18
        #expect(hog.countsMatching >= 7)    // of 9 images with a known count
        #expect(verified.recall >= 0.7)     // measured 13/18: Haar's proposals bound it
        #expect(verified.countsMatching >= 7)
        for (file, expected, found) in hog.counts where ["two_people.jpg", "deepface_couple.jpg", "facenet_multiface.jpg"].contains(file) {
            #expect(found == expected, "\(file)")
        }
    }

    @Test func dogsHaveNoHumanFace() async throws {
        let analyzer = try Fixtures.analyzer()
        let frame = try picture(try Fixtures.shared("faces/edge_cases/dogs_no_human_faces.jpg"))
        #expect(try await analyzer.detect(frame, strategy: .hog).isEmpty)
        #expect(try await analyzer.detect(frame, strategy: .haarVerified).isEmpty)
    }

    @Test func everyResolutionMatchesTheEnrolledSubject() async throws {
        let analyzer = try Fixtures.analyzer(.enrolment)
        let enrolment = try await Enroller(analyzer: analyzer).prepare(image: try Fixtures.shared("faces/obama/1.jpg"))
        let gallery = FaceGallery([EnrolledFace(enrolmentID: 1, subjectID: "obama", subjectName: "Barack Obama",
                                                watchlist: "test", threshold: 0.6, sourcePath: enrolment.sourcePath,
                                                encoding: enrolment.encoding)])
        let evaluation = FaceEvaluation(analyzer: analyzer)
        for name in ["obama_240p.jpg", "obama_480p.jpg", "obama_720p.jpg", "obama_1080p.jpg", "obama_32bit_rgba.png"] {
            let face = try await evaluation.largestFace(try Fixtures.shared("faces/edge_cases/\(name)"))
            let match = try #require(face.map { gallery.match($0.encoding) }, "\(name): no face")
            #expect(match.match?.subjectID == "obama", "\(name): distance \(match.distance ?? -1)")
        }
    }
}

func picture(_ path: String) throws -> Frame {
    try MediaDecoder.firstFrame(of: path)
}
