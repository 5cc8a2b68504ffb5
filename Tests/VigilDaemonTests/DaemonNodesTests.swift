import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilStore
import VigilTestSupport

/// Three `vigil run --node` processes on one PostgreSQL share six cameras (three RTSP cameras and
/// three looping files) and two webhooks through leases; one is killed with `-9` and restarted.
@Suite(.serialized, .enabled(if: TestPostgres.usable && Fixtures.sharedDataUsable))
struct DaemonNodesTests {
    static let cameras = ["file-1", "file-2", "file-3", "rtsp-1", "rtsp-2", "rtsp-3"]
    static let cooldown = 5.0

    /// One node's folder: its own vigil.yaml (the same cameras and hooks as every node's), snapshots
    /// and alert spool, as on separate machines.
    struct Node {
        let name: String
        let workspace: DaemonWorkspace
        var process: DaemonProcess
        var runs = 1

        static func start(_ name: String, workspace: DaemonWorkspace, run: Int = 1) throws -> DaemonProcess {
            try DaemonProcess(config: workspace.config, extra: ["--node", name],
                              log: workspace.root.appendingPathComponent("\(name)-\(run).log"))
        }
    }

    @Test func threeNodesShareSixCamerasAndTwoHooksAndSurviveAKilledNode() async throws {
        try await CPUHeavyTests.exclusive { try await TestPostgres.withDatabase { location in
            let root = try DaemonWorkspace()
            defer { try? FileManager.default.removeItem(at: root.root) }
            let siem = try WebhookReceiver(directory: root.root), wall = try WebhookReceiver(directory: root.root)
            let clip = try Fixtures.shared("video/hamilton_short_clip.mp4")
            let live = try root.loopedClip(times: 40)
            let servers = try (1...3).map { index in
                let server = RTSPServer(port: try RTSPServer.freePort(), name: "cam\(index)", media: live)
                try server.start()
                return server
            }
            var workspaces: [DaemonWorkspace] = []
            for _ in 0..<3 {
                let workspace = try DaemonWorkspace()
                try """
                    database: \(location.description)
                    snapshots: snapshots
                    workers: 1
                    log_level: info
                    api:
                      port: 0
                    hooks:
                      - name: siem
                        type: webhook
                        url: \(siem.url.absoluteString)
                        secret: \(WebhookReceiver.secret)
                      - name: wall
                        type: webhook
                        url: \(wall.url.absoluteString)
                        secret: \(WebhookReceiver.secret)
                    delivery:
                      schedule: [0, 0.3, 0.6]
                    """.write(to: workspace.config, atomically: true, encoding: .utf8)
                let common = "watchlists: [stage, night]\ncooldown: \(Int(Self.cooldown))\nanalyse_fps: 3\n"
                for index in 1...3 {
                    try workspace.camera("file-\(index)", "url: \(clip)\nloop: true\n" + common)
                    try workspace.camera("rtsp-\(index)", "url: \(servers[index - 1].url)\n" + common)
                }
                workspaces.append(workspace)
            }
            defer { workspaces.forEach { try? FileManager.default.removeItem(at: $0.root) } }
            let run = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: location.description, in: root.root) }
            // Lin-Manuel Miranda is on the stage list from the start; later an operator moves him to
            // the night list through node A's API (the matcher names the nearest enrolment, so he
            // must leave the stage list for the night list's alert to be raised).
            #expect(try run(["watchlist", "create", "stage"]).status == 0)
            #expect(try run(["watchlist", "create", "night"]).status == 0)
            let lin = try run(["watchlist", "enroll", "stage", "--subject", "lin_manuel_miranda", try Fixtures.shared("faces/lin_manuel_miranda/1.png")])
            #expect(lin.status == 0, "\(lin.stderr)")
            let token = try run(["tokens", "create", "wall", "--role", "operator"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let store = try await PostgresStore.open(location, node: "observer", logger: TestPostgres.logger)
            defer { store.close() }
            let cluster = try await ClusterDatabase.open(location, logger: TestPostgres.logger)
            var nodes = try ["node-a", "node-b", "node-c"].enumerated().map { index, name in
                Node(name: name, workspace: workspaces[index], process: try Node.start(name, workspace: workspaces[index]))
            }
            let logs = { nodes.map { "--- \($0.name):\n\($0.process.output.suffix(1500))" }.joined(separator: "\n") }
            func holders() async -> [String: String] {
                let status = try? await cluster.status()
                return (status?.holders(.camera) ?? [:]).compactMapValues { $0 }
            }
            func hookHolders() async -> [String: String] {
                ((try? await cluster.status())?.holders(.hook) ?? [:]).compactMapValues { $0 }
            }
            /// Cameras some live node reported streaming after `since` (a killed node reports nothing).
            func streamingSince(_ since: Date) -> Set<String> {
                Set(((try? store.cameraStatus()) ?? []).filter { $0.state == "streaming" && $0.updatedAt > since }.map(\.cameraID))
            }
            func waitFor(_ timeout: Double, _ condition: () async -> Bool) async -> Double? {
                let start = Date()
                while Date().timeIntervalSince(start) < timeout {
                    if await condition() { return Date().timeIntervalSince(start) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            func evenlyHeld(by names: Set<String>) async -> Bool {
                let held = await holders()
                let counts = Dictionary(grouping: held.values, by: { $0 }).mapValues(\.count)
                return held.count == Self.cameras.count && Set(held.values) == names && counts.values.allSatisfy { $0 == Self.cameras.count / names.count }
            }

            // Every camera held by exactly one node, two each, and streaming.
            let started = Date()
            let shared = await waitFor(90) { await evenlyHeld(by: ["node-a", "node-b", "node-c"]) && streamingSince(started).count == Self.cameras.count }
            print("three nodes: six cameras held two each and streaming \(shared.map { String(format: "%.1f", $0) } ?? "never") s after start; holders \(await holders())")
            try #require(shared != nil, "\(logs())")
            let hooks = await hookHolders()
            #expect(hooks.count == 2, "each hook held by one node: \(hooks)")
            let before = await waitFor(60) { ((try? store.alerts(limit: 1000)) ?? []).contains { $0.watchlist == "stage" } }
            #expect(before != nil, "no alert before the kill; \(logs())")
            let alertsBefore = try store.alerts(limit: 1000).count

            // kill -9 node B, which holds a camera share and a hook (hooks go to the first nodes by
            // name): its cameras stream on the others within 15 s and its hook moves.
            let victimHook = try #require(await hookHolders().first { $0.value == "node-b" }?.key, "node-b holds no hook")
            let victim = await holders().filter { $0.value == "node-b" }.map(\.key)
            let killedAt = Date()
            nodes[1].process.signal(SIGKILL)
            _ = nodes[1].process.waitForExit(timeout: 10)
            let failover = await waitFor(40) {
                let held = await holders()
                return victim.allSatisfy { ["node-a", "node-c"].contains(held[$0] ?? "") } && streamingSince(killedAt.addingTimeInterval(0.5)).isSuperset(of: victim)
            }
            print("kill -9 node-b: its cameras \(victim.sorted()) streaming on the other nodes \(failover.map { String(format: "%.1f", $0) } ?? "never") s later (lease 8 s, renewal 2 s)")
            #expect(failover != nil && failover! <= 15, "\(logs())")
            let evenAfterKill = await evenlyHeld(by: ["node-a", "node-c"])
            #expect(evenAfterKill)
            let hookMoved = await waitFor(10) { await hookHolders()[victimHook].map { $0 != "node-b" } ?? false }
            let hookHeld = await hookHolders()
            #expect(hookMoved != nil, "hook \(victimHook) still with node-b: \(hookHeld)")
            // Alerts kept coming on the surviving nodes' cameras meanwhile.
            let during = try store.alerts(limit: 10_000).filter { $0.lastSeen > killedAt && $0.firstSeen < killedAt.addingTimeInterval(failover ?? 15) }
            print("during the fail-over: \(during.count) alert(s) seen on \(Set(during.map(\.cameraID)).sorted())")
            #expect(!during.isEmpty)

            // An enrolment through node A's API alerts on a camera node C holds.
            let portA = try #require(nodes[0].process.apiPort(workspace: nodes[0].workspace))
            let onC = Set(await holders().filter { $0.value == "node-c" }.map(\.key))
            let removal = try Run.program("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE",
                                                            "-H", "Authorization: Bearer \(token)",
                                                            "http://127.0.0.1:\(portA)/v1/watchlists/stage/subjects/lin_manuel_miranda"])
            #expect(removal.stdout == "204", "\(removal.stdout) \(removal.stderr)")
            try await Task.sleep(for: .seconds(2))
            let upload = try Run.program("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                                           "-H", "Authorization: Bearer \(token)",
                                                           "-F", "image=@\(try Fixtures.shared("faces/lin_manuel_miranda/1.png"))",
                                                           "http://127.0.0.1:\(portA)/v1/watchlists/night/subjects/lin_manuel_miranda/enrolments"])
            #expect(upload.stdout == "201", "\(upload.stdout) \(upload.stderr)")
            let crossNode = await waitFor(30) {
                ((try? store.alerts(limit: 1000)) ?? []).contains { $0.watchlist == "night" && onC.contains($0.cameraID) }
            }
            print("enrolment through node-a's API -> alert on a camera of node-c \(onC.sorted()): \(crossNode.map { String(format: "%.1f", $0) } ?? "never") s")
            #expect(crossNode != nil && crossNode! <= 3, "\(logs())")

            // Restart node B: it takes a fair share back.
            let restartedAt = Date()
            nodes[1].runs += 1
            nodes[1].process = try Node.start("node-b", workspace: nodes[1].workspace, run: nodes[1].runs)
            let shareBack = await waitFor(60) { await evenlyHeld(by: ["node-a", "node-b", "node-c"]) && streamingSince(restartedAt).count == Self.cameras.count }
            print("node-b restarted: back to two cameras each, all streaming, \(shareBack.map { String(format: "%.1f", $0) } ?? "never") s later; holders \(await holders())")
            #expect(shareBack != nil, "\(logs())")

            // Any node answers for the whole installation: node A names every camera's holder and
            // forwards the preview of a camera node C runs (the token is checked on both).
            // Node A reads the holders every 2 s: its answer matches the leases within a read or two.
            let settled = await holders()
            var listed: [String: String] = [:]
            let named = await waitFor(10) {
                let body = (try? HTTP.get("http://127.0.0.1:\(portA)/v1/cameras", token: token).body) ?? ""
                let cameras = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
                listed = Dictionary(uniqueKeysWithValues: cameras.compactMap { c in (c["id"] as? String).map { ($0, c["node"] as? String ?? "") } })
                return listed == settled
            }
            #expect(named != nil, "node-a lists \(listed), the leases say \(settled)")
            let remote = try #require(settled.first { $0.value == "node-c" }?.key)
            let picture = root.root.appendingPathComponent("forwarded.jpg"), stream = root.root.appendingPathComponent("forwarded.mjpeg")
            let head = try Run.program("/usr/bin/curl", ["-s", "-D", "-", "-o", picture.path, "-H", "Authorization: Bearer \(token)",
                                                         "http://127.0.0.1:\(portA)/v1/cameras/\(remote)/preview.jpg"]).stdout.lowercased()
            let jpeg = (try? Data(contentsOf: picture)) ?? Data()
            print("preview of \(remote) (node-c) through node-a: \(head.split(separator: "\r\n").first ?? ""), \(jpeg.count) bytes")
            #expect(head.hasPrefix("http/1.1 200") && head.contains("content-type: image/jpeg") && head.contains("vigil-node: node-c"), "\(head)")
            #expect(jpeg.prefix(2) == Data([0xFF, 0xD8]))
            _ = try Run.program("/usr/bin/curl", ["-s", "--max-time", "3", "-o", stream.path, "-H", "Authorization: Bearer \(token)",
                                                  "http://127.0.0.1:\(portA)/v1/cameras/\(remote)/preview.mjpeg"])
            let parts = String(decoding: (try? Data(contentsOf: stream)) ?? Data(), as: UTF8.self).components(separatedBy: "--vigilframe").count - 1
            print("MJPEG preview of \(remote) through node-a: \(parts) frame(s) in 3 s")
            #expect(parts >= 2)
            let unauthenticated = try HTTP.get("http://127.0.0.1:\(portA)/v1/cameras/\(remote)/preview.jpg")
            #expect(unauthenticated.status == 401)

            let duringAndAfter = Date()
            _ = await waitFor(40) { ((try? store.alerts(since: duringAndAfter, limit: 1000)) ?? []).count >= 2 }

            // Stop every node gracefully once each hook's queue is drained. What the nodes commit
            // while they stop waits in the outbox for the next node that holds the hook.
            let drained = await waitFor(60) {
                ((try? store.deliveries(state: .pending, limit: 10)) ?? []).isEmpty
            }
            #expect(drained != nil, "deliveries still pending: \(logs())")
            let drainedUpTo = try store.deliveries(limit: 100_000).compactMap(\.id).max() ?? 0
            for node in nodes { node.process.signal(SIGTERM) }
            for node in nodes { #expect(node.process.waitForExit(timeout: 30)?.status == 0, "\(node.name): \(node.process.output.suffix(1500))") }
            servers.forEach { $0.kill() }

            // Alerts before, during and after the kill are all present once: per subject, camera
            // and watchlist, no two alerts overlap within the cooldown.
            let alerts = try store.alerts(limit: 10_000).sorted { $0.firstSeen < $1.firstSeen }
            let keyed = Dictionary(grouping: alerts) { "\($0.subjectID)|\($0.cameraID)|\($0.watchlist)" }
            for (key, list) in keyed {
                for (previous, next) in zip(list, list.dropFirst()) {
                    #expect(next.firstSeen.timeIntervalSince(previous.lastSeen) >= Self.cooldown - 0.5,
                            "\(key): alert \(next.id ?? 0) starts \(next.firstSeen.timeIntervalSince(previous.lastSeen)) s after alert \(previous.id ?? 0) was last seen")
                }
            }
            #expect(alerts.count > alertsBefore)
            #expect(Set(alerts.map(\.cameraID)).count >= 4, "alerts came from \(Set(alerts.map(\.cameraID)))")

            // Each hook's receiver has every delivery, first arrivals in commit order; duplicates
            // only as re-sends (at least once).
            for (hook, receiver) in [("siem", siem), ("wall", wall)] {
                let deliveries = try store.deliveries(hook: hook, limit: 100_000)
                let order = Dictionary(uniqueKeysWithValues: deliveries.compactMap { d in d.id.map { (d.eventID, $0) } })
                let arrivals = receiver.requests.filter(\.valid).compactMap(\.id)
                var seen = Set<String>(), firsts: [Int64] = []
                for id in arrivals where seen.insert(id).inserted { firsts.append(order[id] ?? -1) }
                let duplicates = arrivals.count - seen.count
                print("hook \(hook): \(deliveries.count) deliveries, \(seen.count) received, \(duplicates) duplicate(s), \(deliveries.filter { ($0.id ?? 0) > drainedUpTo }.count) committed while the nodes stopped; states \(Dictionary(grouping: deliveries, by: \.state).mapValues(\.count))")
                let delivered = Set(deliveries.filter { $0.state == .delivered }.map(\.eventID))
                let beforeStop = Set(deliveries.filter { ($0.id ?? 0) <= drainedUpTo }.map(\.eventID))
                #expect(seen == delivered, "\(hook): received but not delivered \(seen.subtracting(delivered).sorted().prefix(5)), delivered but not received \(delivered.subtracting(seen).sorted().prefix(5))")
                #expect(beforeStop.isSubset(of: seen), "\(hook): missing \(beforeStop.subtracting(seen).sorted().prefix(10))")
                #expect(firsts == firsts.sorted() && !firsts.contains(-1), "\(hook): first arrivals out of commit order: \(firsts)")
                #expect(deliveries.allSatisfy { $0.state == .delivered || ($0.state == .pending && ($0.id ?? 0) > drainedUpTo) })
                #expect(Set(deliveries.compactMap(\.alertID)) == Set(alerts.compactMap(\.id)), "\(hook): an alert without a delivery")
            }
            await cluster.close()
        } }
    }

    @Test func aSecondNodeWithTheSameNameIsRefusedAndNodeNeedsPostgres() async throws {
        try await TestPostgres.withDatabase { location in
            let workspace = try DaemonWorkspace()
            defer { try? FileManager.default.removeItem(at: workspace.root) }
            try "database: \(location.description)\nsnapshots: snapshots\nworkers: 1\nlog_level: info\napi:\n  port: 0\n"
                .write(to: workspace.config, atomically: true, encoding: .utf8)
            try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\n")
            let first = try Node.start("gate", workspace: workspace)
            let port = try #require(first.apiPort(workspace: workspace), "\(first.output.suffix(1500))")
            let second = try Node.start("gate", workspace: workspace, run: 2)
            let refused = second.waitForExit(timeout: 30)
            #expect(refused != nil && refused?.status != 0)
            #expect(second.output.contains("node name \"gate\" is in use by a live node"), "\(second.output.suffix(1000))")
            var status = try Run.vigil(["status"], database: location.description, in: workspace.root)
            let held = { status.stdout.split(separator: "\n").contains { $0.hasPrefix("clip") && $0.contains("gate") && $0.contains("streaming") } }
            let shown = try workspace.waitFor(20) {
                status = try Run.vigil(["status"], database: location.description, in: workspace.root)
                return status.status == 0 && held()
            }
            #expect(shown != nil, "\(status.stdout)\(status.stderr)")
            // The node's leases and renewals are in /metrics.
            let metrics = try HTTP.get("http://127.0.0.1:\(port)/metrics").body
            #expect(metrics.contains("vigil_cluster_leases_held{kind=\"camera\"} 1") && metrics.contains("vigil_cluster_database_reachable 1"),
                    "\(metrics.split(separator: "\n").filter { $0.contains("cluster") })")
            first.signal(SIGTERM)
            #expect(first.waitForExit(timeout: 30)?.status == 0)

            try "database: vigil.sqlite\n".write(to: workspace.config, atomically: true, encoding: .utf8)
            let sqlite = try DaemonProcess(config: workspace.config, extra: ["--node", "gate"], log: workspace.root.appendingPathComponent("sqlite.log"))
            #expect(sqlite.waitForExit(timeout: 30)?.status != 0)
            #expect(sqlite.output.contains("--node, --max-cameras and --advertise are for nodes sharing a postgres:// database"), "\(sqlite.output.suffix(500))")
        }
    }

    /// Cameras published to the database run on a node whose own cameras folder is empty; a bad
    /// file stops the whole publication, naming file, line and key; credentials are never listed.
    @Test func publishedCamerasRunOnANodeWithoutCameraFiles() async throws {
        try await TestPostgres.withDatabase { location in
            let publisher = try DaemonWorkspace(), node = try DaemonWorkspace()
            defer { [publisher, node].forEach { try? FileManager.default.removeItem(at: $0.root) } }
            for workspace in [publisher, node] {
                try "database: \(location.description)\nsnapshots: snapshots\nworkers: 1\nlog_level: info\napi:\n  port: 0\n"
                    .write(to: workspace.config, atomically: true, encoding: .utf8)
            }
            let run = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: location.description, in: publisher.root) }
            try publisher.camera("lobby", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nanalyse_fps: 2\n")
            try publisher.camera("door", "url: rtsp://admin:s3cret@127.0.0.1:9/door\nenabled: false\n")
            try publisher.camera("broken", "url: rtsp://127.0.0.1:9/x\nanalyse_fps: fast\n")
            let refused = try run(["cluster", "cameras", "publish", "--config", publisher.config.path])
            #expect(refused.status == 1 && refused.stderr.contains("broken.yaml:3: analyse_fps"), "\(refused.stderr)")
            try FileManager.default.removeItem(at: publisher.root.appendingPathComponent("cameras/broken.yaml"))
            let none = try run(["cluster", "cameras", "list"])
            #expect(none.status == 0 && none.stdout.contains("no published cameras"), "nothing was published: \(none.stdout)\(none.stderr)")

            let published = try run(["cluster", "cameras", "publish", "--config", publisher.config.path])
            #expect(published.status == 0 && published.stdout.contains("added: door, lobby"), "\(published.stdout)\(published.stderr)")
            let again = try run(["cluster", "cameras", "publish", "--config", publisher.config.path])
            #expect(again.stdout.contains("unchanged: door, lobby"), "\(again.stdout)")
            let listed = try run(["cluster", "cameras", "list"])
            #expect(listed.status == 0 && listed.stdout.contains("lobby") && listed.stdout.contains("door"), "\(listed.stdout)")
            #expect(!listed.stdout.contains("s3cret") && !published.stdout.contains("s3cret"))

            // A node with no camera files of its own runs the published, enabled camera.
            let daemon = try Node.start("solo", workspace: node)
            let streaming = node.waitFor(40) {
                let status = (try? Run.vigil(["status"], database: location.description, in: node.root).stdout) ?? ""
                return status.split(separator: "\n").contains { $0.hasPrefix("lobby") && $0.contains("solo") && $0.contains("streaming") }
            }
            #expect(streaming != nil, "\(daemon.output.suffix(1500))")
            #expect(daemon.output.contains("published cameras loaded"))
            let status = try Run.vigil(["status"], database: location.description, in: node.root).stdout
            #expect(!status.split(separator: "\n").contains { $0.hasPrefix("door") }, "a disabled camera is not leased: \(status)")

            // Pruning from an empty folder removes them, audit-logged; the running node is told.
            for name in ["lobby", "door"] { try FileManager.default.removeItem(at: publisher.root.appendingPathComponent("cameras/\(name).yaml")) }
            let pruned = try run(["cluster", "cameras", "publish", "--config", publisher.config.path, "--prune"])
            #expect(pruned.status == 0 && pruned.stdout.contains("removed: door, lobby"), "\(pruned.stdout)\(pruned.stderr)")
            let told = node.waitFor(10) { daemon.output.contains("camera definitions were published") }
            #expect(told != nil)
            let audit = try run(["watchlist", "audit", "--json"]).stdout
            for action in ["camera.publish", "camera.remove"] { #expect(audit.contains("\"\(action)\""), "\(action) missing from the audit log") }
            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: 30)?.status == 0)
        }
    }
}
