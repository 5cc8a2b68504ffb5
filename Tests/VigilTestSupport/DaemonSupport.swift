import Foundation
import GRDB

/// A `vigil run` child process with its stderr (the structured log) in a file.
public final class DaemonProcess: @unchecked Sendable {
    public let process = Process()
    public let log: URL

    public init(config: URL, extra: [String] = [], log: URL) throws {
        self.log = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Fixtures.vigilBinary)
        process.arguments = ["run", "--config", config.path] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL_MODELS"] = Fixtures.packageRoot.appendingPathComponent("models").path
        process.environment = environment
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Alert ids the daemon logged as committed (complete lines only).
    public var reportedAlertIDs: Set<Int64> {
        Set(output.split(separator: "\n").filter { $0.hasSuffix("] alert") || $0.hasSuffix("] alert updated") }
            .compactMap { line in line.firstMatch(of: /alert\.id=([0-9]+)/).flatMap { Int64($0.1) } })
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit; returns its status and how long it took, or nil on timeout.
    public func waitForExit(timeout: Double) -> (status: Int32, seconds: Double)? {
        let start = Date()
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout { return nil }
            usleep(20_000)
        }
        return (process.terminationStatus, Date().timeIntervalSince(start))
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// GStreamer's RTSP server on 127.0.0.1 (scripts/rtsp_server.py), serving a file as a live camera.
public final class RTSPServer: @unchecked Sendable {
    public let port: Int
    public let name: String
    public let media: String
    private var process: Process?

    public init(port: Int, name: String, media: String) {
        self.port = port
        self.name = name
        self.media = media
    }

    public var url: String { "rtsp://127.0.0.1:\(port)/\(name)" }

    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Fixtures.packageRoot.appendingPathComponent("scripts/rtsp_server.py").path, "\(port)", name, media]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        guard line.contains("serving") else { throw FixtureError.tool("RTSP server did not start on port \(port): \(line)") }
        self.process = process
    }

    /// Kills the server outright, as when a camera loses power.
    public func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { kill() }

    /// A port nothing listens on now (the OS picks it; it is closed again at once).
    public static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw FixtureError.tool("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A daemon set-up in a temporary folder: vigil.yaml, cameras/, the database.
public struct DaemonWorkspace {
    public let root: URL
    public var database: URL { root.appendingPathComponent("vigil.sqlite") }
    public var config: URL { root.appendingPathComponent("vigil.yaml") }

    public init() throws {
        root = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("cameras"), withIntermediateDirectories: true)
        try "database: vigil.sqlite\nsnapshots: snapshots\nworkers: 2\nlog_level: info\napi:\n  port: 0\n".write(to: config, atomically: true, encoding: .utf8)
    }

    public func camera(_ id: String, _ yaml: String) throws {
        try ("id: \(id)\n" + yaml).write(to: root.appendingPathComponent("cameras/\(id).yaml"), atomically: true, encoding: .utf8)
    }

    public func vigil(_ arguments: String...) throws -> Run {
        try Run.vigil(arguments, database: database)
    }

    /// Creates `name` and enrols the Hamilton clip's known faces listed in `subjects`.
    public func hamiltonWatchlist(_ name: String, subjects: [String]) throws {
        _ = try vigil("watchlist", "create", name)
        let images = ["lin_manuel_miranda": "faces/lin_manuel_miranda/1.png", "alex_lacamoire": "faces/alex_lacamoire/2.png"]
        for subject in subjects {
            let run = try vigil("watchlist", "enroll", name, "--subject", subject, try Fixtures.shared(images[subject]!))
            guard run.status == 0 else { throw FixtureError.tool(run.stderr) }
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try DatabaseQueue(path: database.path).read(body)
    }

    public func alertCount(subject: String) throws -> Int {
        try read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert WHERE subjectID = ?", arguments: [subject]) ?? 0 }
    }

    public func status(_ camera: String) throws -> (state: String, decoded: Int, reconnects: Int)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT state, framesDecoded, reconnects FROM cameraStatus WHERE cameraID = ?", arguments: [camera])
                .map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; returns the seconds it took.
    @discardableResult
    public func waitFor(_ timeout: Double, _ condition: () throws -> Bool) rethrows -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if try condition() { return Date().timeIntervalSince(start) }
            usleep(100_000)
        }
        return nil
    }

    /// The Hamilton clip looped `times` as an H.264 MPEG-TS (made at test time, never committed).
    public func loopedClip(times: Int) throws -> String {
        let output = root.appendingPathComponent("hamilton-x\(times).ts").path
        try Run.ffmpeg(["-stream_loop", "\(times - 1)", "-i", try Fixtures.shared("video/hamilton_short_clip.mp4"), "-an",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-f", "mpegts", output])
        return output
    }
}

public extension FileHandle {
    /// Appends `text` (e.g. a section of vigil.yaml) and closes the handle.
    func appendAndClose(_ text: String) throws {
        try seekToEnd()
        try write(contentsOf: Data(text.utf8))
        try close()
    }
}

public extension DaemonProcess {
    /// The port the daemon logged as `api listening ... port=N`.
    func apiPort(workspace: DaemonWorkspace) -> Int? {
        var port: Int?
        workspace.waitFor(30) {
            port = output.firstMatch(of: /port=([0-9]+)[^\n]*api listening/).flatMap { Int($0.1) }
            return port != nil
        }
        return port
    }
}

/// Plain HTTP requests with Debian's curl, as an outside client makes them.
public enum HTTP {
    public static func get(_ url: String, token: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", url]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let run = try Run.program("/usr/bin/curl", arguments)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}

public extension Fixtures {
    /// Holds SQLite's write lock from another connection (what `vigil crime import` does in one transaction).
    static func holdWriteLock(_ path: String, seconds: Double) throws -> Thread {
        let other = try DatabaseQueue(path: path)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? other.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                started.signal()
                Thread.sleep(forTimeInterval: seconds)
                try db.execute(sql: "COMMIT")
            }
        }
        thread.start()
        started.wait()
        return thread
    }
}
