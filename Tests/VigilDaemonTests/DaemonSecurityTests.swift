import Foundation
import VigilTestSupport
import Testing

/// The API as `vigil run` serves it, probed the way a hostile client or a careless set-up would:
/// a camera URL with credentials, a revoked token with streams open, a client that never
/// finishes its request head, and more streams than a token may hold.
@Suite(.serialized) struct DaemonSecurityTests {
    /// A raw TCP connection to the API that sends `text` and reports how long until the server hangs up.
    static func secondsUntilClosed(port: Int, sending text: String, limit: Double) -> Double? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(start) < limit {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return Date().timeIntervalSince(start) }   // orderly close
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return Date().timeIntervalSince(start) }
        }
        return nil
    }

    @Test func credentialsStayHiddenAndRevokedStreamsEnd() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try FileHandle(forWritingTo: workspace.config).appendAndClose("  idle_timeout: 2\n  max_streams_per_token: 2\n")
        // Nothing listens on this port: the camera fails and reports why, with its URL.
        let port = try RTSPServer.freePort()
        let password = "Pa55-w0rd-\(UUID().uuidString.prefix(6))"
        try workspace.camera("gate", "url: rtsp://admin:\(password)@127.0.0.1:\(port)/stream?token=\(password)\nreconnect:\n  initial: 0.2\n")
        let admin = try workspace.vigil("tokens", "create", "admin-desk", "--role", "admin").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let viewer = try workspace.vigil("tokens", "create", "wall", "--role", "viewer").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        let api = try #require(daemon.apiPort(workspace: workspace), "\(daemon.output.suffix(2000))")
        let base = "http://127.0.0.1:\(api)"

        // 1. The camera's failure is shown, its credentials never: not in the API, not in the log.
        let failing = workspace.waitFor(20) {
            ((try? HTTP.get("\(base)/v1/cameras", token: viewer).body) ?? "").contains("\"last_error\":\"rtsp")
        }
        let cameras = try HTTP.get("\(base)/v1/cameras", token: viewer).body
        #expect(failing != nil, "\(cameras)")
        #expect(!cameras.contains(password) && cameras.contains("rtsp://***:***@127.0.0.1"), "\(cameras)")
        let status = try workspace.vigil("status").stdout
        #expect(!status.contains(password), "\(status)")
        #expect(daemon.output.contains("camera unavailable") && !daemon.output.contains(password), "\(daemon.output.suffix(1500))")

        // 2. A client that never finishes its request head is cut off after idle_timeout (2 s).
        let cut = Self.secondsUntilClosed(port: api, sending: "GET /v1/cameras HTTP/1.1\r\nHost: x\r\nX-Slow: ", limit: 10)
        #expect(cut != nil && cut! < 5, "a half-sent request head held its connection for \(cut.map { "\($0) s" } ?? "over 10 s")")
        if let cut { print("a half-sent request head was cut after \(String(format: "%.1f", cut)) s") }

        // 3. Streams: two per token; revoking the token ends them within seconds.
        func openStream(_ path: String) throws -> Process {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "-N", "-o", "/dev/null", "-H", "Authorization: Bearer \(viewer)", "\(base)\(path)"]
            curl.standardOutput = FileHandle.nullDevice
            curl.standardError = FileHandle.nullDevice
            try curl.run()
            return curl
        }
        let streams = [try openStream("/v1/alerts/stream"), try openStream("/v1/alerts/stream")]
        defer { streams.forEach { $0.killAndWait() } }
        Thread.sleep(forTimeInterval: 1)
        #expect(streams.allSatisfy { $0.isRunning })
        let third = try HTTP.get("\(base)/v1/alerts/stream", token: viewer)
        #expect(third.status == 429, "a third stream for one token: \(third.status) \(third.body)")
        let revoked = try workspace.vigil("tokens", "revoke", "wall")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let ended = workspace.waitFor(10) { streams.allSatisfy { !$0.isRunning } }
        #expect(ended != nil, "streams of a revoked token still open after 10 s")
        if let ended { print("streams of a revoked token ended \(String(format: "%.1f", ended)) s after revocation") }
        #expect(try HTTP.get("\(base)/v1/cameras", token: viewer).status == 401)
        #expect(try HTTP.get("\(base)/v1/cameras", token: admin).status == 200)
        daemon.signal(SIGTERM)
        _ = daemon.waitForExit(timeout: 20)
        #expect(!daemon.output.contains(password))
    }
}
