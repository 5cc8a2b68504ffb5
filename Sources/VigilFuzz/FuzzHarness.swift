import Foundation
import VigilAPI
import VigilConfig
import VigilCrime
import VigilEEG
import VigilMedia
import VigilPlates
import VigilScan

/// One entry point per input Vigil takes from outside, for coverage-guided fuzzing
/// (`scripts/fuzz.sh`, libFuzzer) and for replaying the inputs it found in the test suite.
/// Every input must end in a result or a thrown error that names the thing; a crash, a
/// sanitizer report or a leak is a bug.
public enum FuzzHarness {
    public enum Target: String, CaseIterable, Sendable {
        /// EDF and BDF recordings.
        case edf
        /// Incident CSV (through the LAPD mapping) and mapping YAML, by the first byte.
        case incidents
        /// `vigil.yaml` and camera files, by the first byte.
        case config
        /// Plate CSV and `watchlist.yaml`, by the first byte.
        case watchlists
        /// multipart/form-data bodies (the upload routes).
        case multipart
        /// Enrolment images through the still-image decoder.
        case image
        /// Video bytes through `MediaDecoder` (the first 30 frames).
        case video
    }

    /// A private folder for inputs that parsers read from files (tmpfs when there is one).
    static let workspace: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = "\(base)/vigil-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: "\(folder)/cameras", withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: "\(folder)/watchlist", withIntermediateDirectories: true)
        return folder
    }()

    static func file(_ name: String, _ data: Data) -> String {
        let path = "\(workspace)/\(name)"
        FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    /// Runs one input; returns a short description of the outcome (thrown errors included).
    @discardableResult
    public static func run(_ target: Target, _ data: Data) -> String {
        do {
            return try attempt(target, data)
        } catch {
            return "refused: \(error)"
        }
    }

    static func attempt(_ target: Target, _ data: Data) throws -> String {
        let selector = data.first ?? 0
        let rest = data.dropFirst()
        switch target {
        case .edf:
            let file = try EDFFile(data: data, path: "fuzz.edf")
            return "edf: \(file.signals.count) signals"
        case .incidents:
            if selector & 1 == 0 {
                let mapping = try IncidentMapping.parse(text: String(decoding: rest, as: UTF8.self), file: "fuzz.yaml")
                return "mapping: \(mapping)".prefix(80).description
            }
            let mapping = try IncidentMapping.load(path: BuiltInMappings.path(for: "lapd"))
            let result = try IncidentImporter(mapping: mapping).read(path: file("incidents.csv", Data(rest)))
            return "incidents: \(result.incidents.count)"
        case .config:
            if selector & 1 == 0 {
                _ = file("vigil.yaml", Data(rest))
                try? FileManager.default.removeItem(atPath: "\(workspace)/cameras/fuzz.yaml")
            } else {
                _ = file("vigil.yaml", Data("api:\n  port: 0\n".utf8))
                _ = file("cameras/fuzz.yaml", Data(rest))
            }
            let config = try DaemonConfig.load(path: "\(workspace)/vigil.yaml", environment: [:])
            return "config: \(config.cameras.count) cameras"
        case .watchlists:
            if selector & 1 == 0 {
                return "plates: \(try PlateCSV.rows(file: file("plates.csv", Data(rest))).count)"
            }
            _ = file("watchlist/watchlist.yaml", Data(rest))
            return "watchlist: \(try WatchlistDefinition.load(directory: "\(workspace)/watchlist").subjects.count)"
        case .multipart:
            // The boundary is the first line; the body follows.
            let bytes = [UInt8](data)
            let newline = bytes.firstIndex(of: 10) ?? bytes.count
            let boundary = String(decoding: bytes[..<newline], as: UTF8.self)
            let body = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []
            return "multipart: \(try Multipart.parts(body, boundary: boundary).count) parts"
        case .image:
            let frame = try MediaDecoder.stillImage(at: file("image", data))
            return "image: \(frame.width)x\(frame.height)"
        case .video:
            let decoder = try MediaDecoder(source: file("video", data))
            var frames = 0
            while frames < 30, try decoder.nextFrame() != nil { frames += 1 }
            return "video: \(frames) frames"
        }
    }
}
