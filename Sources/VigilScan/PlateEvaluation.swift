import Foundation
import VigilCore
import VigilMedia
import VigilPlates
import VigilVision

/// Plate accuracy on a labelled set laid out like ../shared/data/plates/<region>/:
/// images plus `truth.csv` (`file,plate,x,y,w,h`; no box = the image is the plate).
/// Used by `vigil plates eval` and the tests, so the figures printed are the figures asserted.
public struct PlateEvaluation: Sendable {
    public let analyzer: PlateAnalyzer
    public let ranker: PlateRanker

    public init(analyzer: PlateAnalyzer, ranker: PlateRanker) {
        self.analyzer = analyzer
        self.ranker = ranker
    }

    public struct Truth: Sendable, Equatable {
        public var file: String
        public var plate: String
        /// nil when the image is a tight crop of the plate.
        public var box: BoundingBox?
    }

    /// One image's outcome.
    public struct Outcome: Sendable, Equatable {
        public var truth: Truth
        /// The top-ranked reading's text (nil when nothing was read).
        public var read: String?
        /// A candidate overlapped the true box with IoU >= 0.5.
        public var detected: Bool
        public var editDistance: Int
        public var milliseconds: Double
    }

    public struct Report: Sendable {
        public var directory: String
        public var region: String
        public var outcomes: [Outcome] = []

        public var images: Int { outcomes.count }
        private func share(_ test: (Outcome) -> Bool) -> Double {
            outcomes.isEmpty ? 0 : Double(outcomes.filter(test).count) / Double(outcomes.count)
        }
        /// Share of images with boxes where a candidate had IoU >= 0.5 (nil for crop sets).
        public var detectionRecall: Double? {
            let boxed = outcomes.filter { $0.truth.box != nil }
            return boxed.isEmpty ? nil : Double(boxed.filter(\.detected).count) / Double(boxed.count)
        }
        public var exact: Double { share { $0.editDistance == 0 } }
        public var withinOne: Double { share { $0.editDistance <= 1 } }
        public var millisecondsPerImage: Double {
            outcomes.isEmpty ? 0 : outcomes.map(\.milliseconds).reduce(0, +) / Double(outcomes.count)
        }
    }

    public static func truth(directory: String) throws -> [Truth] {
        let path = (directory as NSString).appendingPathComponent("truth.csv")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PlateEvaluationError.unreadable(path)
        }
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch { throw PlateEvaluationError.malformed(path, "\(error)") }
        guard let header = table.records.first?.fields, let file = header.firstIndex(of: "file"),
              let plate = header.firstIndex(of: "plate") else {
            throw PlateEvaluationError.malformed(path, "line 1: expected a header with file and plate columns")
        }
        let columns = ["x", "y", "w", "h"].map { header.firstIndex(of: $0) }
        return try table.records.dropFirst().map { record in
            guard record.fields.count == header.count else {
                throw PlateEvaluationError.malformed(path, "line \(record.line): \(record.fields.count) fields, expected \(header.count)")
            }
            let numbers = columns.map { $0.flatMap { Int(record.fields[$0]) } }
            let box = numbers.allSatisfy { $0 != nil }
                ? BoundingBox(x: numbers[0]!, y: numbers[1]!, width: numbers[2]!, height: numbers[3]!) : nil
            return Truth(file: record.fields[file], plate: record.fields[plate], box: box)
        }
    }

    /// Reads every image of the set, end to end (no truth box is given to the reader).
    public func run(directory: String, limit: Int? = nil) async throws -> Report {
        var report = Report(directory: directory, region: ranker.region.name)
        for truth in try Self.truth(directory: directory).prefix(limit ?? .max) {
            let frame = try MediaDecoder.firstFrame(of: (directory as NSString).appendingPathComponent(truth.file))
            let read: PlateReading?, detected: Bool, ms: Double
            if let box = truth.box {
                let (candidates, elapsed) = try await analyzer.read(frame)
                read = ranker.rank(candidates).first
                detected = candidates.contains { $0.box.iou(box) >= 0.5 }
                ms = elapsed
            } else {
                let (candidate, elapsed) = try await analyzer.readCrop(frame)
                read = ranker.rank([candidate]).first
                detected = true
                ms = elapsed
            }
            let text = read?.text
            report.outcomes.append(Outcome(truth: truth, read: text, detected: detected,
                                           editDistance: PlateMatcher.editDistance(truth.plate, text ?? ""), milliseconds: ms))
        }
        return report
    }
}

public enum PlateEvaluationError: Error, CustomStringConvertible, Sendable {
    case unreadable(String)
    case malformed(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the truth file"
        case .malformed(let path, let reason): return "\(path): \(reason)"
        }
    }
}
