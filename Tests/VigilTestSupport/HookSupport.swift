import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

/// scripts/webhook_receiver.py on 127.0.0.1: a real HTTP receiver that checks
/// signatures and logs every request as a JSON line.
public final class WebhookReceiver: @unchecked Sendable {
    public static let secret = "5f0c1d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392817f6e5d"
    public let log: URL
    public let port: Int
    private var process: Process?

    public struct Request: Decodable {
        public var n: Int
        public var t: Double
        public var id: String?
        public var event: String?
        public var attempt: String?
        public var valid: Bool
        public var answer: String
        public var body_id: String?
        public var type: String?
        public var alert_id: Int64?
        public var has_snapshot: Bool
        public var headers: [String: String]
        /// The Standard Webhooks headers as the PyPI `standardwebhooks` package judged them (nil unless asked).
        public var standard_valid: Bool?
        public var webhook_id: String?
    }

    /// Starts the receiver (on `port`, or one the OS picks) with extra arguments such as `--responses 500,200`.
    /// `python` is the set-up venv's when the receiver must import `standardwebhooks`.
    public init(directory: URL, port: Int? = nil, secret: String = WebhookReceiver.secret, arguments: [String] = [],
         python: String = "/usr/bin/python3") throws {
        log = directory.appendingPathComponent("receiver-\(UUID().uuidString.prefix(8)).jsonl")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let portFile = directory.appendingPathComponent("receiver-\(UUID().uuidString.prefix(8)).port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Fixtures.packageRoot.appendingPathComponent("scripts/webhook_receiver.py").path,
                             "--secret", secret, "--log", log.path, "--port", "\(port ?? 0)", "--port-file", portFile.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let start = Date()
        while !FileManager.default.fileExists(atPath: portFile.path) {
            guard process.isRunning, Date().timeIntervalSince(start) < 10 else {
                throw FixtureError.tool("webhook receiver did not start")
            }
            usleep(20_000)
        }
        self.port = Int(try String(contentsOf: portFile, encoding: .utf8)) ?? 0
    }

    public var url: URL { URL(string: "http://127.0.0.1:\(port)/vigil")! }

    /// Every complete request line so far.
    public var requests: [Request] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }
}

public enum HookFixtures {
    public static func webhook(_ name: String, url: URL, secret: String = WebhookReceiver.secret, timeout: Double = 2,
                        filter: HookFilter = HookFilter(), includeSnapshot: Bool = false) -> HookConfig {
        HookConfig(name: name, target: .webhook(url: url, secret: secret, headers: ["X-Site": "test"]), filter: filter,
                   timeout: timeout, includeSnapshot: includeSnapshot, location: "test")
    }

    /// A short schedule so retries happen within a test: attempts at 0, +0.3 s, +0.6 s, then every 0.6 s.
    public static func fastPolicy(maxAge: Double = 60) -> DeliveryPolicy {
        var policy = DeliveryPolicy()
        policy.schedule = [0, 0.3, 0.6]
        policy.jitter = 0
        policy.maxAge = maxAge
        return policy
    }

    /// Commits `count` distinct alerts (one subject each, so none folds into another), with outbox rows for `routes`.
    @discardableResult
    public static func alerts(_ count: Int, in database: any AlertStore, routes: [OutboxRoute], camera: String = "gate",
                       watchlist: String = "wanted", offset: Int = 0) throws -> [Int64] {
        try (0..<count).map { index in
            let n = offset + index
            let face = EnrolledFace(enrolmentID: Int64(n + 1), subjectID: "s\(n)", subjectName: "Subject \(n)", watchlist: watchlist,
                                    threshold: 0.6, sourcePath: "/photos/s\(n).jpg", encoding: FaceEncoding(Array(repeating: 0, count: 128))!)
            let outcome = try database.recordMatch(FaceMatchEvidence(
                cameraID: camera, match: face, distance: 0.4, trackID: n, box: BoundingBox(x: 1, y: 2, width: 30, height: 40),
                seenAt: Date()), cooldown: 60, routes: routes)
            return outcome.alert.id ?? 0
        }
    }
}

/// Runs a dispatcher for the length of `body`, then stops it.
public func withDispatcher<T>(hooks: [HookConfig], policy: DeliveryPolicy, database: VigilDatabase,
                       _ body: (WebhookDispatcher) async throws -> T) async throws -> T {
    let dispatcher = WebhookDispatcher(hooks: hooks, policy: policy, database: database, logger: .init(label: "test.hooks"))
    let task = Task { try await dispatcher.run() }
    defer { task.cancel() }
    let result = try await body(dispatcher)
    task.cancel()
    dispatcher.notify()
    _ = await task.result
    return result
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
@discardableResult
public func eventually(_ timeout: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}
