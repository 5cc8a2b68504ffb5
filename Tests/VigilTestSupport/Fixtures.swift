import Foundation
import VigilCore
import VigilVision

/// Locations of the package, its models and the shared test data.
///
/// Shared data is read in place from ../shared/data (never copied). When it
/// is absent the tests that need it are disabled, except under `CI=true`,
/// where they run and fail: CI must never pass by skipping.
public enum Fixtures {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    public static let sharedData = URL(fileURLWithPath: ProcessInfo.processInfo.environment["VIGIL_SHARED_DATA"]
        ?? packageRoot.appendingPathComponent("../shared/data").standardizedFileURL.path)
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// True when the shared data is present, or when running in CI (so a missing file fails).
    public static let sharedDataUsable = isCI || FileManager.default.fileExists(atPath: sharedData.path)

    public static func shared(_ relative: String) throws -> String {
        let path = sharedData.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw FixtureError.missing(path)
        }
        return path
    }

    public static var models: VisionModels {
        VisionModels(directory: packageRoot.appendingPathComponent("models").path)
    }

    public static func analyzer(_ settings: DetectorSettings = DetectorSettings()) throws -> FaceAnalyzer {
        try FaceAnalyzer(models: models, settings: settings)
    }

    public static var vigilBinary: String {
        packageRoot.appendingPathComponent(".build/debug/vigil").path
    }

    /// A fresh directory under the system temp folder, removed by the caller's `defer`.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

public enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    case tool(String)

    public var description: String {
        switch self {
        case .missing(let path): return "shared test data missing: \(path)"
        case .tool(let message): return message
        }
    }
}

/// Runs a program to completion, capturing its output.
public struct Run {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public static func program(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                               in directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = directory }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full stderr pipe cannot stall the child.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                   stderr: String(decoding: errorData, as: UTF8.self))
    }

    /// `vigil ARGS` with the test's database.
    public static func vigil(_ arguments: [String], database: URL) throws -> Run {
        try vigil(arguments, database: database.path)
    }

    /// `vigil ARGS` on `database` (a file or a `postgres://` address), from `directory` when given
    /// (where enrolment photos are kept for a shared database).
    public static func vigil(_ arguments: [String], database: String, in directory: URL? = nil) throws -> Run {
        try program(Fixtures.vigilBinary, arguments, environment: [
            "VIGIL_DB": database, "VIGIL_MODELS": Fixtures.packageRoot.appendingPathComponent("models").path,
            "VIGIL_ACTOR": "test:runner",
        ], in: directory)
    }

    /// ffmpeg for making test media at test time (never committed).
    public static func ffmpeg(_ arguments: [String]) throws {
        let run = try program("/usr/bin/ffmpeg", ["-loglevel", "error", "-y"] + arguments)
        guard run.status == 0 else { throw FixtureError.tool("ffmpeg failed: \(run.stderr)") }
    }
}

public extension Fixtures {
    /// Mounts a small tmpfs (fault injection: a full disk). Needs root, as CI's set-up has;
    /// elsewhere `sudo -n` is tried.
    public static func mountTmpfs(at path: String, size: String) throws {
        let arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]
        let run = geteuid() == 0 ? try Run.program("/bin/mount", arguments) : try Run.program("/usr/bin/sudo", ["-n", "/bin/mount"] + arguments)
        guard run.status == 0 else { throw FixtureError.tool("mounting a tmpfs at \(path) failed (needs root): \(run.stderr)") }
    }
}

public extension Process {
    /// Ends a helper the test started, with SIGKILL. Not `terminate()`: children start with the
    /// signal mask of the thread that spawned them, which in this process blocks SIGTERM, so a
    /// SIGTERM stays pending and the helper lives on. One that also kept the test's stdout open
    /// left `swift test` waiting for end-of-file for ever (a CI run timed out that way).
    public func killAndWait() {
        guard isRunning else { return }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}

extension Fixtures {
    /// A behaviour scenario made at test time (never committed): a real person (the man in the pale
    /// coat in the first frame of `pedestrians_faces_1080p.mp4`, 70x240 px at 960x540) pasted on a
    /// plain background walks in from the left (0-3 s, 100 px/s), stands still (3-14 s) and walks
    /// back out to the left (14-17 s). 960x540 at 10 fps, H.264. His feet reach x = 350 at 2.53 s.
    public static func loiteringScenario(in directory: URL) throws -> String {
        let clip = try shared("video/pedestrians_faces_1080p.mp4")
        let walker = directory.appendingPathComponent("walker.png").path
        try Run.ffmpeg(["-i", clip, "-frames:v", "1", "-vf", "scale=960:540,crop=70:240:208:280", walker])
        let video = directory.appendingPathComponent("loiter.mp4").path
        try Run.ffmpeg(["-f", "lavfi", "-i", "color=c=0x6e6e6e:s=960x540:r=10:d=17", "-i", walker, "-filter_complex",
                        "[0][1]overlay=x='if(lt(t,3),40+100*t,if(lt(t,14),340,340-100*(t-14)))':y=200",
                        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "20", video])
        return video
    }
}
