import Foundation
import VigilTestSupport
import Testing
import VigilCore
import VigilPlates
import VigilScan
import VigilVision

/// The plate figures `vigil plates eval` prints, asserted so they cannot silently
/// regress. End to end: the reader never sees the true box. The bounds are the
/// figures reached (README, "Licence plates"), rounded down by a couple of images.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct PlateAccuracyTests {
    private func evaluate(_ set: String, region: PlateRegion) async throws -> PlateEvaluation.Report {
        let analyzer = try PlateAnalyzer(settings: PlateSettings(region: region.name))
        let report = try await PlateEvaluation(analyzer: analyzer, ranker: PlateRanker(region: region))
            .run(directory: try Fixtures.shared("plates/\(set)"))
        print(String(format: "plates %@: %d images, detected %@, exact %.1f%%, within one edit %.1f%%", set, report.images,
                     report.detectionRecall.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a", report.exact * 100, report.withinOne * 100))
        return report
    }

    @Test func brazil() async throws {
        let report = try await evaluate("br", region: .br)
        #expect(report.images == 57)
        #expect(report.detectionRecall! >= 0.92 && report.exact >= 0.57 && report.withinOne >= 0.74)
    }

    @Test func europe() async throws {
        let report = try await evaluate("eu", region: .eu)
        #expect(report.images == 54)
        #expect(report.detectionRecall! >= 0.90 && report.exact >= 0.52 && report.withinOne >= 0.70)
    }

    @Test func unitedStates() async throws {
        let report = try await evaluate("us", region: .us)
        #expect(report.images == 111)
        #expect(report.detectionRecall! >= 0.81 && report.exact >= 0.17 && report.withinOne >= 0.42)
    }

    /// Tight crops: segmentation and OCR alone (Tesseract on the raw crops reads 7 of 51).
    @Test func usCrops() async throws {
        let report = try await evaluate("us_crops", region: .us)
        #expect(report.images == 51 && report.detectionRecall == nil)
        #expect(report.exact >= 0.39 && report.withinOne >= 0.62)
    }
}
