import ArgumentParser
import VigilCommandLine
import Foundation
import VigilCore
import VigilMatching
import VigilMedia
import VigilPlates
import VigilScan
import VigilVision

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: CommandAbstracts.scan)

    @OptionGroup var common: CommonOptions
    @Argument(help: "Videos or images (anything FFmpeg reads).") var files: [String]
    @Option(help: "Match against this watchlist (repeatable; default: every watchlist of the kind).")
    var watchlist: [String] = []
    @Option(help: "What to look for: faces, plates, or faces,plates.") var detect = "faces"
    @Option(help: "Plate region (any, us, eu, br): formats used to repair and rank reads.") var region = "any"
    @Option(help: "Analysed frames per second of video (every frame is still decoded).") var fps: Double = 5
    @Flag(help: "One JSON object per face, then a summary object.") var json = false
    @Flag(help: "Video as the daemon analyses it: motion regions, detection at --detect-fps, tracks in between.") var track = false
    @Option(help: "With --track: region searches per second.") var detectFps: Double = AnalysisSettings().detectFPS
    @Option(help: "With --track: seconds in which the rolling sweep covers the whole frame.") var sweepInterval: Double = AnalysisSettings().sweepInterval
    @OptionGroup var detector: DetectorOptions

    private var kinds: Set<String> { Set(detect.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

    func validate() throws {
        guard fps > 0 else { throw ValidationError("--fps must be greater than 0") }
        guard !kinds.isEmpty, kinds.isSubset(of: ["faces", "plates"]) else {
            throw ValidationError("--detect must be faces, plates or faces,plates")
        }
        guard PlateRegion.builtIn[region] != nil else {
            throw ValidationError("--region must be one of \(PlateRegion.builtIn.keys.sorted().joined(separator: ", "))")
        }
    }

    func run() async throws {
        if kinds.contains("plates") { try await scanPlates() }
        if kinds.contains("faces") { try await scanFaces() }
    }

    /// One JSON line (or row) per plate read: file, t, box, text, confidence, region, match, distance.
    private func scanPlates() async throws {
        let database = try await openStore(common)
        let entries = try wrap { try database.plateEntries(watchlists: watchlist.isEmpty ? nil : watchlist) }
        let plateRegion = try PlateRegion.named(region)
        let settings = PlateSettings(region: region)
        let scanner = PlateScanner(analyzer: try wrap { try PlateAnalyzer(settings: settings) },
                                   ranker: PlateRanker(region: plateRegion, minConfidence: settings.minConfidence),
                                   matcher: PlateMatcher(entries), fps: fps)
        if !json { print(Output.table(["FILE", "T(s)", "BOX", "PLATE", "CONF", "MATCH", "EDITS"], [])) }
        var failed = false, reads = 0, matches = 0
        for file in files {
            let stats = await scanner.scan(file: file) { sighting in
                print(json ? Output.jsonLine(Self.fields(sighting)) : Self.row(sighting))
            }
            reads += stats.plates
            matches += stats.matches
            if let error = stats.error {
                Output.error("vigil: \(error)")
                failed = true
            }
        }
        if !json { print("\n\(files.count) file(s): \(reads) plate read(s), \(matches) alerting match(es)") }
        if failed { throw ExitCode.failure }
    }

    static func fields(_ s: PlateSighting) -> [(String, Any?)] {
        let r = s.reading
        return [("file", s.file), ("t", s.time), ("frame", s.frameIndex), ("box", r.box.array), ("text", r.text),
                ("raw", r.candidate.text), ("confidence", r.confidence), ("region", r.region), ("format", r.format),
                ("repairs", r.repairs),
                ("match", s.match.map { m in
                    [("plate", m.entry.plate), ("label", m.entry.label), ("watchlist", m.entry.watchlist),
                     ("mode", m.entry.mode.rawValue), ("max_edits", m.entry.maxEdits)] as [(String, Any?)]
                }),
                ("distance", s.match?.distance), ("alert", s.match?.alerts ?? false)]
    }

    static func row(_ s: PlateSighting) -> String {
        let match = s.match.map { "\($0.entry.plate) (\($0.entry.watchlist), \($0.entry.mode.rawValue))" } ?? "-"
        return [(s.file as NSString).lastPathComponent, String(format: "%.2f", s.time),
                s.reading.box.array.map(String.init).joined(separator: ","), s.reading.text,
                Output.number(s.reading.confidence, digits: 2), match, s.match.map { "\($0.distance)" } ?? "-"]
            .joined(separator: "  ")
    }

    private func scanFaces() async throws {
        let database = try await openStore(common)
        let enrolled = try wrap { try database.faceEnrolments(watchlists: watchlist.isEmpty ? nil : watchlist) }
        let settings = try detector.settings()
        let analyzer = try makeAnalyzer(common, settings: settings, cascade: detector.cascade)
        let scanner = Scanner(analyzer: analyzer, gallery: FaceGallery(enrolled),
                              options: ScanOptions(fps: fps, strategy: detector.explicitStrategy, tracking: try trackingSettings()))
        let started = Date()
        var all: [FileScanStats] = []
        if !json {
            print(Output.table(["FILE", "T(s)", "BOX", "SUBJECT", "DISTANCE", "THRESHOLD"], []))
        }
        for file in files {
            let progress = ProgressLine(file: file, started: Date())
            let stats = await scanner.scan(file: file, report: { sighting in
                progress.clear()
                print(json ? Output.jsonLine(Self.fields(sighting)) : Self.row(sighting))
            }, progress: progress.update)
            progress.clear()
            if let error = stats.error { Output.error("vigil: \(error)") }
            all.append(stats)
        }
        let summary = ScanSummary(files: all, wallSeconds: Date().timeIntervalSince(started))
        print(json ? Output.jsonLine([("summary", summary.fields)]) : summary.text)
        if all.contains(where: { $0.error != nil }) { throw ExitCode.failure }
    }

    private func trackingSettings() throws -> AnalysisSettings? {
        guard track else { return nil }
        FaceDetector.singleThreadedNative()   // as in the daemon: CPU time by stage is then exact
        guard detectFps > 0 && detectFps <= fps else {
            throw ValidationError("--detect-fps \(detectFps) must be above 0 and at most --fps \(fps)")
        }
        guard (1...600).contains(sweepInterval) else { throw ValidationError("--sweep-interval must be 1...600 seconds") }
        var settings = AnalysisSettings()
        settings.detectFPS = detectFps
        settings.sweepInterval = sweepInterval
        return settings
    }

    static func fields(_ s: FaceSighting) -> [(String, Any?)] {
        let m = s.match, matched = m.match
        return [("file", s.file), ("t", s.time), ("frame", s.frameIndex), ("box", s.box.array),
                ("subject", matched?.subjectID), ("name", matched?.subjectName), ("watchlist", matched?.watchlist),
                ("distance", m.distance), ("threshold", m.threshold),
                ("nearest", m.nearest.map { n in
                    [("subject", n.subjectID), ("enrolment", n.enrolmentID), ("image", n.sourcePath)] as [(String, Any?)]
                }),
                ("runner_up_distance", m.runnerUpDistance), ("sharpness", Double(s.sharpness))]
    }

    static func row(_ s: FaceSighting) -> String {
        let subject = s.match.match.map { "\($0.subjectID) (\($0.subjectName))" } ?? "-"
        return [ (s.file as NSString).lastPathComponent, String(format: "%.2f", s.time), s.box.array.map(String.init).joined(separator: ","),
                 subject, Output.number(s.match.distance), Output.number(s.match.threshold, digits: 2) ]
            .joined(separator: "  ")
    }
}

/// Face detector settings shared by `scan` and `bench`.
struct DetectorOptions: ParsableArguments {
    @Option(help: "auto (HOG for images, haar-verified for video), haar, hog or haar-verified.")
    var detector: String = "auto"
    @Option(help: "Haar cascade XML (default: opencv-data's haarcascade_frontalface_default.xml).")
    var cascade: String?
    @Option(help: "Haar image pyramid step.") var scaleFactor: Double = 1.1
    @Option(help: "Haar neighbours needed to accept a face.") var minNeighbors: Int = 5
    @Option(help: "Smallest face side in pixels.") var minSize: Int = 30
    @Option(help: "Resize so the long side is at most this before detecting.") var maxSide: Int = 1280

    var explicitStrategy: DetectionStrategy? {
        detector == "auto" ? nil : DetectionStrategy(rawValue: detector)
    }

    func settings() throws -> DetectorSettings {
        guard detector == "auto" || DetectionStrategy(rawValue: detector) != nil else {
            throw ValidationError("--detector must be auto, " + DetectionStrategy.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard scaleFactor > 1 else { throw ValidationError("--scale-factor must be greater than 1") }
        guard minNeighbors >= 0, minSize > 0, maxSide >= 64 else {
            throw ValidationError("--min-neighbors must be >= 0, --min-size > 0 and --max-side >= 64")
        }
        return DetectorSettings(strategy: explicitStrategy ?? .haarVerified, scaleFactor: scaleFactor,
                                minNeighbors: minNeighbors, minFaceSize: minSize, maxDetectionSide: maxSide)
    }
}

struct ScanSummary {
    let files: [FileScanStats]
    let wallSeconds: Double

    private var decoded: Int { files.reduce(0) { $0 + $1.framesDecoded } }
    private var analysed: Int { files.reduce(0) { $0 + $1.framesAnalysed } }
    private var stages: StageTimes { files.reduce(into: StageTimes()) { $0 += $1.stages } }

    var fields: [(String, Any?)] {
        let s = stages, n = Double(max(1, analysed))
        return [("files", files.count), ("frames_decoded", decoded), ("frames_analysed", analysed),
                ("faces", files.reduce(0) { $0 + $1.faces }), ("matches", files.reduce(0) { $0 + $1.matches }),
                ("ms_total", [("decode", s.decode), ("detect", s.detect), ("encode", s.encode), ("match", s.match)] as [(String, Any?)]),
                ("ms_per_analysed_frame", [("decode", s.decode / n), ("detect", s.detect / n), ("encode", s.encode / n),
                                           ("match", s.match / n)] as [(String, Any?)]),
                ("cpu_ms_by_stage", costs.total > 0
                    ? Stage.allCases.map { ($0.description, 1000 * costs[$0]) as (String, Any?) } : nil),
                ("wall_seconds", wallSeconds), ("errors", files.compactMap(\.error))]
    }

    /// CPU time by stage (`--track` only: the daemon's accounting).
    private var costs: StageCosts { files.reduce(into: StageCosts()) { $0 += $1.costs } }

    var text: String {
        let s = stages, n = Double(max(1, analysed))
        return """

            \(files.count) file(s): \(decoded) frames decoded, \(analysed) analysed, \(files.reduce(0) { $0 + $1.faces }) faces, \
            \(files.reduce(0) { $0 + $1.matches }) matches in \(String(format: "%.2f", wallSeconds)) s
            ms per analysed frame: decode \(Output.number(s.decode / n, digits: 1)), detect \(Output.number(s.detect / n, digits: 1)), \
            landmarks+encode \(Output.number(s.encode / n, digits: 1)), match \(Output.number(s.match / n, digits: 2))
            """
    }
}

/// Progress on stderr for long scans, only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    private let file: String
    private let started: Date
    private let enabled = Output.stderrIsTerminal
    private var frames = 0
    private var shown = false

    init(file: String, started: Date) {
        self.file = (file as NSString).lastPathComponent
        self.started = started
    }

    func update(_ position: Double, _ duration: Double?) {
        frames += 1
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(started)
        var line = "\(file): \(frames) frames, \(String(format: "%.1f", position)) s scanned, \(String(format: "%.1f", elapsed)) s elapsed"
        if let duration, position > 0, duration > position {
            line += ", ETA \(String(format: "%.0f", elapsed * (duration - position) / position)) s"
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        shown = true
    }

    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
