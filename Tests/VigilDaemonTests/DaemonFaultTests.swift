import Foundation
import VigilTestSupport
import Testing

/// Fault injection on the camera side: what real cameras do on a bad day. Each behaves as
/// documented (docs in README, "Reliability and security") and the daemon keeps serving.
@Suite(.serialized) struct DaemonFaultTests {
    /// An MPEG-TS file whose picture size (and aspect) changes twice mid-stream, and a 4K stream:
    /// every frame is decoded, analysis follows the new sizes, nothing crashes or balloons.
    @Test func sizeChangesMidStreamAndA4KStreamAreAnalysed() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        var segments: [String] = []
        for (index, size) in ["640x360", "480x480", "1280x720"].enumerated() {
            let path = workspace.root.appendingPathComponent("part\(index).ts").path
            try Run.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=\(size):rate=10", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
                            "-g", "10", "-f", "mpegts", path])
            segments.append(path)
        }
        let changing = workspace.root.appendingPathComponent("changing.ts")
        FileManager.default.createFile(atPath: changing.path, contents: try segments.reduce(into: Data()) { $0 += try Data(contentsOf: URL(fileURLWithPath: $1)) })
        let uhd = workspace.root.appendingPathComponent("uhd.ts").path
        try Run.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=3840x2160:rate=10", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast",
                        "-f", "mpegts", uhd])
        try workspace.camera("changing", "url: \(changing.path)\nanalyse_fps: 10\n")
        try workspace.camera("uhd", "url: \(uhd)\nanalyse_fps: 10\n")
        let daemon = try DaemonProcess(config: workspace.config, extra: ["--fast"], log: workspace.root.appendingPathComponent("daemon.log"))
        var peakMB = 0.0
        let finished = try workspace.waitFor(90) {
            if let status = try? String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
               let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
                peakMB = max(peakMB, kb / 1024)
            }
            // The daemon creates the tables as it starts: until then there is no status to read.
            return (try? workspace.status("changing"))??.state == "finished" && (try? workspace.status("uhd"))??.state == "finished"
        }
        #expect(finished != nil, "\(daemon.output.suffix(2000))")
        let changingStatus = try #require(try workspace.status("changing"))
        let uhdStatus = try #require(try workspace.status("uhd"))
        #expect(changingStatus.decoded == 60, "every frame of the three sizes decoded: \(changingStatus.decoded)")
        #expect(uhdStatus.decoded == 20)
        let analysed = try workspace.read { db in
            try Int.fetchAll(db, sql: "SELECT framesAnalysed + motionSkipped FROM cameraStatus ORDER BY cameraID")
        }
        #expect(analysed.allSatisfy { $0 > 0 }, "both cameras analysed: \(analysed)")
        #expect(peakMB < 1500, "peak RSS \(Int(peakMB)) MB with a 4K camera")
        print("size changes: \(changingStatus.decoded) frames decoded; 4K: \(uhdStatus.decoded) decoded; peak RSS \(Int(peakMB)) MB")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30)?.status == 0)
    }

    /// One "camera" answers RTSP with garbage; another serves a stream whose packets were damaged
    /// on the way. The first backs off with an error naming the camera (never its credentials),
    /// the second keeps streaming through the damage; the daemon serves both and stops cleanly.
    @Test func garbageAndDamagedRTSPStreams() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        // A TCP server that answers every connection with random bytes.
        let garbagePort = try RTSPServer.freePort()
        let garbage = Process()
        garbage.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        garbage.arguments = ["-c", """
            import os, socket, threading
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(garbagePort))); s.listen(16)
            def serve(c):
                try:
                    c.recv(4096); c.sendall(os.urandom(65536)); c.close()
                except OSError:
                    pass
            while True:
                c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """]
        garbage.standardOutput = FileHandle.nullDevice
        garbage.standardError = FileHandle.nullDevice
        try garbage.run()
        defer { garbage.killAndWait() }
        // A clip with the payload of every 25th video TS packet (not a PES start) overwritten by
        // noise, served live over RTSP: the H.264 decoder gets damaged slices, as after packet loss.
        let clean = try workspace.loopedClip(times: 3)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        var generator = SystemRandomNumberGenerator()
        var videoPackets = 0, damagedPackets = 0
        for packet in stride(from: 0, to: bytes.count - 187, by: 188) where bytes[packet] == 0x47 {
            let pid = (Int(bytes[packet + 1]) & 0x1F) << 8 | Int(bytes[packet + 2])
            let startsPES = bytes[packet + 1] & 0x40 != 0, payloadOnly = (bytes[packet + 3] >> 4) & 3 == 1
            guard pid == 0x100, !startsPES, payloadOnly else { continue }
            videoPackets += 1
            guard videoPackets % 25 == 0 else { continue }
            damagedPackets += 1
            for i in packet + 4..<packet + 188 { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        }
        #expect(damagedPackets > 20, "damaged \(damagedPackets) of \(videoPackets) video packets")
        let damaged = workspace.root.appendingPathComponent("damaged.ts").path
        FileManager.default.createFile(atPath: damaged, contents: Data(bytes))
        let server = RTSPServer(port: try RTSPServer.freePort(), name: "damaged", media: damaged)
        try server.start()
        try workspace.camera("noise", "url: rtsp://user:Secret99@127.0.0.1:\(garbagePort)/x\nreconnect:\n  initial: 0.2\n  max: 1\n  open_timeout: 3\n")
        try workspace.camera("damaged", "url: \(server.url)\n")
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        let streaming = try workspace.waitFor(40) {
            guard let damaged = (try? workspace.status("damaged")) ?? nil, let noise = (try? workspace.status("noise")) ?? nil else { return false }
            return damaged.state == "streaming" && damaged.decoded > 100 && noise.reconnects >= 3
        }
        #expect(streaming != nil, "\(daemon.output.suffix(3000))")
        let noise = try workspace.read { db in try String.fetchOne(db, sql: "SELECT lastError FROM cameraStatus WHERE cameraID = 'noise'") }
        #expect(noise?.contains("rtsp://***:***@127.0.0.1") == true && noise?.contains("Secret99") == false, "\(noise ?? "nil")")
        #expect(daemon.process.isRunning)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30)?.status == 0)
        #expect(!daemon.output.contains("Secret99"))
    }
}
