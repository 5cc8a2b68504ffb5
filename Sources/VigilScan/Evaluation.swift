import Foundation
import VigilCore
import VigilMatching
import VigilMedia
import VigilVision

/// Accuracy measurements on a labelled face set laid out `ROOT/<identity>/<n>.<ext>`
/// (the shape of ../shared/data/faces). Used by `vigil bench faces` and the tests,
/// so the figures a command prints are the figures the tests assert.
public struct FaceEvaluation: Sendable {
    public let analyzer: FaceAnalyzer
    public let threshold: Double

    public init(analyzer: FaceAnalyzer, threshold: Double = 0.6) {
        self.analyzer = analyzer
        self.threshold = threshold
    }

    public struct Identification: Sendable {
        public var identities = 0
        /// Identities whose first image could not be enrolled, with the reason.
        public var notEnrolled: [String: String] = [:]
        public var probes = 0
        public var correct = 0
        public var wrong: [String] = []
        public var noFace: [String] = []
        public var noMatch: [String] = []
        public var accuracy: Double { probes == 0 ? 0 : Double(correct) / Double(probes) }
        public var wrongRate: Double { probes == 0 ? 0 : Double(wrong.count) / Double(probes) }
    }

    /// Enrols the first image of each identity (numeric order) and identifies every other image.
    /// A probe is identified when its largest face's nearest enrolment is the right subject within the threshold.
    public func identification(root: String, skip: Set<String> = ["group", "edge_cases"]) async throws -> Identification {
        var result = Identification()
        var entries: [EnrolledFace] = [], probes: [(identity: String, path: String)] = []
        let enroller = Enroller(analyzer: analyzer)
        for identity in try Self.identities(root: root, skip: skip) {
            result.identities += 1
            let images = try Self.images(of: identity, root: root)
            guard let first = images.first else { continue }
            do {
                let enrolment = try await enroller.prepare(image: first)
                entries.append(EnrolledFace(enrolmentID: Int64(entries.count + 1), subjectID: identity, subjectName: identity,
                                            watchlist: "evaluation", threshold: threshold, sourcePath: first,
                                            encoding: enrolment.encoding))
            } catch {
                result.notEnrolled[identity] = "\(error)"
            }
            probes += images.dropFirst().map { (identity, $0) }
        }
        let gallery = FaceGallery(entries)
        for probe in probes {
            result.probes += 1
            guard let face = try await largestFace(probe.path) else {
                result.noFace.append(probe.path)
                continue
            }
            let match = gallery.match(face.encoding)
            if let subject = match.match?.subjectID {
                if subject == probe.identity { result.correct += 1 } else { result.wrong.append("\(probe.path) -> \(subject)") }
            } else {
                result.noMatch.append(probe.path)
            }
        }
        return result
    }

    public struct Verification: Sendable {
        public var pairs = 0
        public var correct = 0
        /// Pairs where a face was missing in either image (counted as wrong).
        public var missingFace = 0
        public var falseAccepts = 0
        public var falseRejects = 0
        public var accuracy: Double { pairs == 0 ? 0 : Double(correct) / Double(pairs) }
    }

    /// Same/different decisions on `pairs.csv` (file_a,file_b,same) at the threshold.
    public func verification(pairsCSV: String, root: String) async throws -> Verification {
        var encodings: [String: FaceEncoding?] = [:]
        var result = Verification()
        let rows = try String(contentsOfFile: pairsCSV, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        for row in rows {
            let fields = row.split(separator: ",").map(String.init)
            guard fields.count >= 3 else { continue }
            for file in fields[0...1] where encodings[file] == nil {
                encodings[file] = .some(try await largestFace((root as NSString).appendingPathComponent(file))?.encoding)
            }
            result.pairs += 1
            let same = fields[2] == "1"
            guard let a = encodings[fields[0]] ?? nil, let b = encodings[fields[1]] ?? nil else {
                result.missingFace += 1
                if same { result.falseRejects += 1 }
                continue
            }
            let predicted = a.distance(to: b) <= threshold
            if predicted == same { result.correct += 1 } else if predicted { result.falseAccepts += 1 } else { result.falseRejects += 1 }
        }
        return result
    }

    public struct Detection: Sendable {
        public var counts: [(file: String, expected: Int?, found: Int)] = []
        public var boxesTotal = 0
        public var boxesFound = 0
        public var recall: Double { boxesTotal == 0 ? 0 : Double(boxesFound) / Double(boxesTotal) }
        public var countsMatching: Int { counts.filter { $0.expected == $0.found }.count }
        public var countsKnown: Int { counts.filter { $0.expected != nil }.count }
    }

    /// Face counts per image against `manifest.csv` and recall at IoU >= 0.5 against `boxes.csv`.
    public func detection(groupDirectory: String, strategy: DetectionStrategy) async throws -> Detection {
        var result = Detection()
        let manifest = try CSVRows.read((groupDirectory as NSString).appendingPathComponent("manifest.csv"))
        let boxes = try CSVRows.read((groupDirectory as NSString).appendingPathComponent("boxes.csv"))
        for row in manifest {
            guard let file = row["file"] else { continue }
            let frame = try MediaDecoder.firstFrame(of: (groupDirectory as NSString).appendingPathComponent(file))
            let found = try await analyzer.detect(frame, strategy: strategy)
            result.counts.append((file, row["faces_expected"].flatMap { Int($0) }, found.count))
            for truth in boxes where truth["file"] == file {
                guard let x = Int(truth["x"] ?? ""), let y = Int(truth["y"] ?? ""), let w = Int(truth["w"] ?? ""),
                      let h = Int(truth["h"] ?? "") else { continue }
                let box = BoundingBox(x: x, y: y, width: w, height: h)
                result.boxesTotal += 1
                if found.contains(where: { $0.box.iou(box) >= 0.5 }) { result.boxesFound += 1 }
            }
        }
        return result
    }

    /// The largest face of a still image, encoded (whole-image HOG, as for enrolment).
    public func largestFace(_ path: String) async throws -> EncodedFace? {
        let analysis = try await analyzer.analyse(try MediaDecoder.firstFrame(of: path), strategy: .hog)
        return analysis.faces.max { $0.box.area < $1.box.area }
    }

    static func identities(root: String, skip: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root).filter { name in
            var isDirectory: ObjCBool = false
            return !skip.contains(name) && !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    /// Images of one identity in numeric order (1, 2, ..., 10, 11).
    static func images(of identity: String, root: String) throws -> [String] {
        let folder = (root as NSString).appendingPathComponent(identity)
        return try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted { (Int(($0 as NSString).deletingPathExtension) ?? .max, $0) < (Int(($1 as NSString).deletingPathExtension) ?? .max, $1) }
            .map { (folder as NSString).appendingPathComponent($0) }
    }
}

/// A minimal CSV reader for the evaluation manifests (quoted fields, no embedded newlines).
enum CSVRows {
    static func read(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first.map(split) else { return [] }
        return lines.dropFirst().map { line in
            Dictionary(zip(header, split(line)).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
        }
    }

    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == "," && !quoted {
                fields.append(current)
                current = ""
            } else { current.append(character) }
        }
        fields.append(current)
        return fields
    }
}
