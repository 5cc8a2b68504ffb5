import ArgumentParser
import VigilCommandLine
import Foundation
import VigilCore
import VigilMatching
import VigilMedia
import VigilScan
import VigilVision

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: CommandAbstracts.bench,
        subcommands: [Faces.self, Speed.self, Decode.self, BenchHooks.self, BenchCluster.self, BenchStore.self])

    struct Faces: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Identification, verification and detection accuracy on a face set (e.g. ../shared/data/faces).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Face set root: <identity>/<images>, pairs.csv, group/.") var root: String
        @Option(help: "Match threshold.") var threshold: Double = 0.6

        func run() async throws {
            let analyzer = try makeAnalyzer(common, settings: .enrolment)
            let evaluation = FaceEvaluation(analyzer: analyzer, threshold: threshold)
            let started = Date()
            let id = try await wrapAsync { try await evaluation.identification(root: root) }
            print(String(format: "identification: %d identities (%d not enrolled), %d probes: %d correct (%.1f%%), %d wrong (%.1f%%), %d no face, %d no match",
                         id.identities, id.notEnrolled.count, id.probes, id.correct, 100 * id.accuracy, id.wrong.count,
                         100 * id.wrongRate, id.noFace.count, id.noMatch.count))
            for (identity, reason) in id.notEnrolled.sorted(by: { $0.key < $1.key }) { print("  not enrolled \(identity): \(reason)") }
            for miss in id.wrong + id.noFace.map { "\($0) (no face)" } + id.noMatch.map { "\($0) (no match)" } { print("  miss \(miss)") }

            let pairs = (root as NSString).appendingPathComponent("pairs.csv")
            if FileManager.default.fileExists(atPath: pairs) {
                let v = try await wrapAsync { try await evaluation.verification(pairsCSV: pairs, root: root) }
                print(String(format: "verification at %.2f: %d pairs, accuracy %.2f%% (%d false accepts, %d false rejects, %d with a missing face)",
                             threshold, v.pairs, 100 * v.accuracy, v.falseAccepts, v.falseRejects, v.missingFace))
            }
            let group = (root as NSString).appendingPathComponent("group")
            if FileManager.default.fileExists(atPath: group) {
                for strategy in DetectionStrategy.allCases {
                    let d = try await wrapAsync { try await evaluation.detection(groupDirectory: group, strategy: strategy) }
                    print(String(format: "detection %@: recall %.1f%% (%d/%d boxes at IoU>=0.5), counts right on %d/%d images: %@",
                                 strategy.rawValue, 100 * d.recall, d.boxesFound, d.boxesTotal, d.countsMatching, d.countsKnown,
                                 d.counts.map { "\($0.file)=\($0.found)/\($0.expected.map(String.init) ?? "?")" }.joined(separator: " ")))
                }
            }
            print(String(format: "took %.1f s", Date().timeIntervalSince(started)))
        }
    }

    struct Speed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-stage milliseconds on videos, and decode throughput against `ffmpeg -benchmark` in the same run.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Videos.") var files: [String]
        @Option(help: "Analysed frames per second.") var fps: Double = 5
        @OptionGroup var detector: DetectorOptions

        func run() async throws {
            // As in the daemon and `vigil scan`: OpenBLAS's idle threads would otherwise spin on the
            // core the detector runs on and inflate every stage's milliseconds.
            FaceDetector.singleThreadedNative()
            let analyzer = try makeAnalyzer(common, settings: try detector.settings(), cascade: detector.cascade)
            print(Output.table(["FILE", "STAGE", "MS/FRAME", "FRAMES"], []))
            for file in files {
                let scanner = Scanner(analyzer: analyzer, gallery: FaceGallery([]),
                                      options: ScanOptions(fps: fps, strategy: detector.explicitStrategy))
                let stats = await scanner.scan(file: file, report: { _ in })
                if let error = stats.error { throw Failure(error) }
                let n = Double(max(1, stats.framesAnalysed)), name = (file as NSString).lastPathComponent
                for (stage, ms) in [("decode(all frames)", stats.stages.decode), ("detect", stats.stages.detect),
                                    ("landmarks+encode", stats.stages.encode), ("match", stats.stages.match)] {
                    print("\(name)  \(stage)  \(Output.number(ms / n, digits: 2))  \(stats.framesAnalysed) analysed, \(stats.faces) faces")
                }
                let ours = try decodeOnly(file)
                let theirs = try ffmpegBenchmark(file)
                print("\(name)  decode-only: vigil \(Output.number(ours, digits: 0)) fps, ffmpeg \(theirs.map { Output.number($0, digits: 0) } ?? "n/a") fps (1 thread each), ratio \(theirs.map { Output.number(ours / $0, digits: 2) } ?? "n/a")")
            }
        }

        /// Frames per second decoding (and converting to BGR) every frame, one thread.
        private func decodeOnly(_ file: String) throws -> Double {
            let decoder = try wrap { try MediaDecoder(source: file) }
            let start = Date()
            var frames = 0
            while try wrap({ try decoder.nextFrame() }) != nil { frames += 1 }
            return Double(frames) / Date().timeIntervalSince(start)
        }

        /// `ffmpeg -benchmark -threads 1 -i FILE -f null -`: frames / utime.
        private func ffmpegBenchmark(_ file: String) throws -> Double? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ffmpeg", "-hide_banner", "-nostats", "-benchmark", "-threads", "1", "-i", file,
                                 "-map", "0:v:0", "-pix_fmt", "bgr24", "-f", "null", "-"]
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard let rtime = output.firstMatch(of: /rtime=([0-9.]+)s/).flatMap({ Double($0.1) }),
                  let frames = output.matches(of: /frame=\s*([0-9]+)/).last.flatMap({ Double($0.1) }), rtime > 0 else {
                return nil
            }
            return frames / rtime
        }
    }

    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode files repeatedly, printing frames/s and resident memory after each pass (leak check).")
        @Argument(help: "Videos.") var files: [String]
        @Option(name: .customLong("repeat"), help: "Passes over each file.") var passes: Int = 5

        func run() async throws {
            for file in files {
                for pass in 1...max(1, passes) {
                    let decoder = try wrap { try MediaDecoder(source: file) }
                    let start = Date()
                    var frames = 0
                    while try wrap({ try decoder.nextFrame() }) != nil { frames += 1 }
                    let seconds = Date().timeIntervalSince(start)
                    print("pass \(pass) \((file as NSString).lastPathComponent): \(frames) frames, "
                        + "\(Output.number(Double(frames) / seconds, digits: 0)) fps, rss_mb \(ResidentMemory.megabytes())")
                }
            }
        }
    }
}

enum ResidentMemory {
    /// VmRSS of this process from /proc, in MiB.
    static func megabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
