import Foundation
import VigilTestSupport
import Testing
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

/// Alert hooks against a real HTTP receiver on 127.0.0.1 and a real SQLite outbox.
@Suite(.serialized) struct HookTests {
    let directory: URL
    let database: VigilDatabase

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
    }

    @Test func signatureVerifiesWithItsSecretOnly() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let signature = HookSignature.sign(id: "abc", timestamp: 1_700_000_000, body: "{\"a\":1}", secret: WebhookReceiver.secret)
        #expect(HookSignature.verify(header: signature, id: "abc", timestamp: 1_700_000_000, body: "{\"a\":1}", secret: WebhookReceiver.secret))
        #expect(!HookSignature.verify(header: signature, id: "abc", timestamp: 1_700_000_000, body: "{\"a\":2}", secret: WebhookReceiver.secret))
        #expect(!HookSignature.verify(header: signature, id: "abd", timestamp: 1_700_000_000, body: "{\"a\":1}", secret: WebhookReceiver.secret))
        #expect(!HookSignature.verify(header: signature, id: "abc", timestamp: 1_700_000_000, body: "{\"a\":1}", secret: String(repeating: "x", count: 40)))

        // The receiver (Python, hmac) agrees: signed with its secret verifies, with another does not.
        let receiver = try WebhookReceiver(directory: directory)
        let webhooks = WebhookSender()
        let good = await HookSender(hook: HookFixtures.webhook("good", url: receiver.url), webhooks: webhooks).sendTest()
        let bad = await HookSender(hook: HookFixtures.webhook("bad", url: receiver.url, secret: String(repeating: "k", count: 40)),
                                   webhooks: webhooks).sendTest()
        await webhooks.shutdown()
        #expect(good.report.succeeded && bad.report.succeeded)
        let seen = Dictionary(uniqueKeysWithValues: receiver.requests.map { ($0.id ?? "", $0) })
        #expect(seen[good.id]?.valid == true)
        #expect(seen[bad.id]?.valid == false)
        #expect(seen[good.id]?.body_id == good.id && seen[good.id]?.type == "test" && seen[good.id]?.headers["X-Site"] == "test")
    }

    @Test func retryScheduleClassifiesAnswers() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = DeliveryPolicy()
        config.jitter = 0
        let policy = RetryPolicy(config)
        let now = Date()
        var delivery = Delivery(id: 1, eventID: "e", hook: "h", type: "alert.created", payload: "{}", state: .pending, attempts: 0,
                                createdAt: now, scheduledAt: now, nextAttemptAt: now)
        let failure = AttemptReport(status: 500, error: "HTTP 500", response: nil, succeeded: false, seconds: 0.01)
        // The documented schedule: immediately, then 5 s, 30 s, 2 min, 10 min, 30 min, hourly.
        var delays: [Double] = []
        for attempts in 0..<8 {
            delivery.attempts = attempts
            guard case .retry(_, _, _, let next) = policy.classify(failure, delivery: delivery, now: now) else {
                Issue.record("a 500 must be retried")
                return
            }
            delays.append(next.timeIntervalSince(now).rounded())
        }
        #expect(delays == [5, 30, 120, 600, 1800, 3600, 3600, 3600])
        let late = now.addingTimeInterval(86_400 - 60)
        if case .retry(_, _, _, let next) = policy.classify(failure, delivery: delivery, now: late) {
            #expect(next == policy.deadline(of: delivery))   // the last attempt lands on the deadline
        } else { Issue.record("retry expected before the deadline") }
        if case .dead(_, let error, _) = policy.classify(failure, delivery: delivery, now: now.addingTimeInterval(86_401)) {
            #expect(error.contains("max_age 86400"))
        } else { Issue.record("dead expected after max_age") }
        let gone = AttemptReport(status: 410, error: "HTTP 410", response: "gone", succeeded: false, permanent: true, seconds: 0)
        #expect(policy.classify(gone, delivery: delivery, now: now) == .dead(status: 410, error: "HTTP 410", response: "gone"))
        let limited = AttemptReport(status: 429, error: "HTTP 429", response: nil, retryAfter: 42, succeeded: false, seconds: 0)
        if case .retry(_, _, _, let next) = policy.classify(limited, delivery: delivery, now: now) {
            #expect(next.timeIntervalSince(now) == 42)
        } else { Issue.record("429 must be retried after Retry-After") }
        #expect(RetryPolicy.retryAfter("120") == 120)
        #expect(RetryPolicy.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: Date(timeIntervalSince1970: 1_445_412_470)) == 10)
    }

    @Test func failuresAreRetriedOnScheduleAndGoneIsDeadAtOnce() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // 500, then a timeout (answer after 1.5 s, timeout 0.5 s), then 200.
        let flaky = try WebhookReceiver(directory: directory, arguments: ["--responses", "500,slow,200", "--slow-seconds", "1.5"])
        let gone = try WebhookReceiver(directory: directory, arguments: ["--default-status", "410"])
        let limited = try WebhookReceiver(directory: directory, arguments: ["--responses", "429", "--retry-after", "1"])
        let hooks = [HookFixtures.webhook("flaky", url: flaky.url, timeout: 0.5), HookFixtures.webhook("gone", url: gone.url),
                     HookFixtures.webhook("limited", url: limited.url)]
        try await withDispatcher(hooks: hooks, policy: HookFixtures.fastPolicy(), database: database) { _ in
            try HookFixtures.alerts(1, in: database, routes: hooks.map(\.route))
            let done = try await eventually(15) {
                try database.deliveries().allSatisfy { $0.state != .pending }
            }
            #expect(done)
        }
        let rows = Dictionary(uniqueKeysWithValues: try database.deliveries().map { ($0.hook, $0) })
        #expect(rows["flaky"]?.state == .delivered && rows["flaky"]?.attempts == 3)
        let attempts = flaky.requests
        #expect(attempts.map(\.attempt) == ["1", "2", "3"] && Set(attempts.map(\.id)).count == 1 && attempts.allSatisfy { $0.valid })
        if attempts.count == 3 {
            // Schedule 0, 0.3, 0.6 s after each failure; the timeout adds its 0.5 s before the third.
            // `t` is when the receiver had read a request, a few ms after Vigil sent it (and started
            // the timeout's clock): gaps can fall short of the schedule by that difference, never more.
            let slack = 0.02
            #expect(attempts[1].t - attempts[0].t >= 0.3 - slack)
            #expect(attempts[2].t - attempts[1].t >= 0.5 + 0.6 - slack)
        }
        #expect(rows["gone"]?.state == .dead && rows["gone"]?.attempts == 1 && rows["gone"]?.lastStatus == 410)
        #expect(rows["gone"]?.lastResponse?.contains("valid_signature") == true)
        #expect(gone.requests.count == 1)
        let waited = limited.requests
        #expect(rows["limited"]?.state == .delivered && waited.count == 2)
        if waited.count == 2 { #expect(waited[1].t - waited[0].t >= 0.95) }   // Retry-After: 1, not the 0.3 s schedule
    }

    @Test func deliveriesOfOneHookArriveInCommitOrder() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try WebhookReceiver(directory: directory, arguments: ["--responses", "200,500,200,500,500,200,503,200"])
        let hook = HookFixtures.webhook("ordered", url: receiver.url)
        try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { _ in
            try HookFixtures.alerts(20, in: database, routes: [hook.route])
            #expect(try await eventually(20) { try database.deliveries(state: .pending).isEmpty })
        }
        let order = Dictionary(uniqueKeysWithValues: try database.deliveries(limit: 100).map { ($0.eventID, $0.id ?? 0) })
        let seen = receiver.requests.compactMap { $0.id.flatMap { order[$0] } }
        #expect(seen.count == 24)                       // 20 deliveries + 4 retries
        #expect(seen == seen.sorted())                  // never a later event before an earlier one
        #expect(Set(seen).count == 20)
    }

    @Test func outageOfTheReceiverLosesNothing() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try RTSPServer.freePort()
        let hook = HookFixtures.webhook("outage", url: URL(string: "http://127.0.0.1:\(port)/vigil")!)
        var receiver: WebhookReceiver?
        let produced = Date()
        try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { _ in
            // Receiver down (nothing listens on the port) while 1,000 alerts are committed.
            try HookFixtures.alerts(1000, in: database, routes: [hook.route])
            try await Task.sleep(for: .seconds(2))
            #expect(try database.deliveries(state: .delivered).isEmpty)
            receiver = try WebhookReceiver(directory: directory, port: port)
            #expect(try await eventually(180) { try database.deliveries(state: .pending, limit: 1).isEmpty })
        }
        let expected = Set(try database.deliveries(limit: 2000).map(\.eventID))
        let requests = receiver?.requests ?? []
        let received = requests.compactMap(\.id)
        #expect(expected.count == 1000)
        #expect(Set(received) == expected)             // every Vigil-Id arrived: nothing lost
        #expect(requests.allSatisfy { $0.valid })
        let duplicates = received.count - Set(received).count
        print("outage: 1000 alerts, \(Set(received).count) distinct Vigil-Ids received, \(duplicates) duplicates, drained in "
              + String(format: "%.1f s after the outage started", Date().timeIntervalSince(produced)))
    }

    @Test func commandHooksGetTheEventOnStdinAndAreRetriedAndTimedOut() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Fails the first time (exit 3), then stores stdin and the environment.
        let script = directory.appendingPathComponent("hook.sh")
        try """
            #!/bin/sh
            if [ ! -e "$1/failed-once" ]; then touch "$1/failed-once"; echo "gate controller busy"; exit 3; fi
            cat > "$1/event-$VIGIL_ATTEMPT.json"
            echo "$VIGIL_ID $VIGIL_EVENT" > "$1/env.txt"
            env > "$1/whole-env.txt"
            """.write(to: script, atomically: true, encoding: .utf8)
        // A secret in the daemon's own environment must not reach the script.
        setenv("VIGIL_TEST_DATABASE_PASSWORD", "hunter2", 1)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let sleeper = directory.appendingPathComponent("sleep.sh")
        try "#!/bin/sh\nsleep 30\n".write(to: sleeper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sleeper.path)
        let hooks = [
            HookConfig(name: "gate", target: .command(program: script.path, arguments: [directory.path]), filter: HookFilter(),
                       timeout: 5, includeSnapshot: false, location: "test"),
            HookConfig(name: "stuck", target: .command(program: sleeper.path, arguments: []), filter: HookFilter(),
                       timeout: 0.5, includeSnapshot: false, location: "test"),
        ]
        var policy = HookFixtures.fastPolicy(maxAge: 2)
        policy.schedule = [0, 0.2]
        let started = Date()
        try await withDispatcher(hooks: hooks, policy: policy, database: database) { _ in
            try HookFixtures.alerts(1, in: database, routes: hooks.map(\.route))
            #expect(try await eventually(15) { try database.deliveries(state: .pending).isEmpty })
        }
        let rows = Dictionary(uniqueKeysWithValues: try database.deliveries().map { ($0.hook, $0) })
        let gate = try #require(rows["gate"])
        #expect(gate.state == .delivered && gate.attempts == 2)
        let event = try HookEvent.decode(String(contentsOf: directory.appendingPathComponent("event-2.json"), encoding: .utf8))
        #expect(event.id == gate.eventID && event.type == "alert.created" && event.alert?.subject?.id == "s0")
        #expect(try String(contentsOf: directory.appendingPathComponent("env.txt"), encoding: .utf8) == "\(gate.eventID) alert.created\n")
        let inherited = try String(contentsOf: directory.appendingPathComponent("whole-env.txt"), encoding: .utf8)
        #expect(!inherited.contains("hunter2") && inherited.contains("PATH=/usr/local/bin:/usr/bin:/bin"), "\(inherited)")
        // The stuck program is killed at each timeout and the delivery dies at max_age (2 s), not after 30 s sleeps.
        let stuck = try #require(rows["stuck"])
        #expect(stuck.state == .dead && stuck.lastError?.contains("did not finish within 0.5 s") == true)
        #expect(Date().timeIntervalSince(started) < 12)
    }

    @Test func operatorsListAndRequeueDeadDeliveries() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let gone = try WebhookReceiver(directory: directory, arguments: ["--responses", "410,410,410"])
        let hook = HookFixtures.webhook("cad", url: gone.url)
        try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { dispatcher in
            try HookFixtures.alerts(3, in: database, routes: [hook.route])
            #expect(try await eventually(10) { try database.deliveries(state: .dead).count == 3 })
            // The receiver is fixed: an operator re-sends the dead ones; the running dispatcher picks them up.
            #expect(try database.retryDeliveries(deadOf: "cad", actor: "test:operator") == 3)
            dispatcher.notify()
            #expect(try await eventually(10) { try database.deliveries(state: .delivered).count == 3 })
        }
        #expect(try database.auditLog().first?.action == "hook.retry" && database.auditLog().first?.actor == "test:operator")
        #expect(gone.requests.map(\.answer) == ["410", "410", "410", "200", "200", "200"])
        let stats = try #require(try database.hookStats().first)
        #expect(stats.delivered == 3 && stats.dead == 0 && stats.pending == 0 && stats.latencyP50 != nil)
        #expect(throws: StoreError.deliveryNotFound(999)) { try database.retryDeliveries(ids: [999], actor: "t") }
    }

    @Test func filtersChooseWhichHooksGetWhichAlerts() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let routes = [
            OutboxRoute(hook: "all", filter: HookFilter()),
            OutboxRoute(hook: "gate-only", filter: HookFilter(cameras: ["gate"])),
            OutboxRoute(hook: "vip-created", filter: HookFilter(watchlists: ["vip"], events: ["alert.created"])),
        ]
        try HookFixtures.alerts(2, in: database, routes: routes, camera: "lobby", watchlist: "vip")
        try HookFixtures.alerts(1, in: database, routes: routes, camera: "gate", watchlist: "wanted", offset: 10)
        // The same subject again within the cooldown: an update, which vip-created does not want.
        try HookFixtures.alerts(1, in: database, routes: routes, camera: "lobby", watchlist: "vip")
        let byHook = Dictionary(grouping: try database.deliveries(), by: \.hook).mapValues(\.count)
        #expect(byHook == ["all": 4, "gate-only": 1, "vip-created": 2])
        let update = try #require(try database.deliveries(hook: "all").first)
        let event = try HookEvent.decode(update.payload)
        #expect(event.type == "alert.updated" && event.alert?.count == 2 && event.id == update.eventID && event.version == 1)
    }
}
