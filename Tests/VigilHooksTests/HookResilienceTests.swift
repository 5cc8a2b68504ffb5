import Foundation
import VigilTestSupport
import GRDB
import Testing
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

/// Receivers and databases on a bad day: a 2xx with a huge body, a receiver that trickles its
/// answer (slowloris), and outcomes that cannot be stored while another process holds the lock.
@Suite(.serialized) struct HookResilienceTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
    }

    @Test func aTwoHundredWithAHugeBodyIsDelivered() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        let receiver = try WebhookReceiver(directory: directory, arguments: ["--body-bytes", "\(300 * 1024)"])
        let hook = HookFixtures.webhook("big", url: receiver.url)
        try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { _ in
            try HookFixtures.alerts(3, in: database, routes: [hook.route])
            #expect(try await eventually(10) { try database.deliveries(state: .pending).isEmpty })
        }
        let rows = try database.deliveries()
        #expect(rows.count == 3 && rows.allSatisfy { $0.state == .delivered && $0.attempts == 1 })
        #expect(receiver.requests.count == 3, "each sent once, not re-sent because the answer was long")
        #expect(rows.allSatisfy { ($0.lastResponse?.utf8.count ?? 0) <= 512 }, "only a bounded prefix is recorded")
    }

    @Test func aSlowlorisReceiverCostsOneTimeoutNotTheHook() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        // First answer: one byte every 0.5 s (its head would take ~20 s); the hook's timeout is 1 s.
        let receiver = try WebhookReceiver(directory: directory, arguments: ["--responses", "slowloris", "--slow-seconds", "0.5"])
        let hook = HookFixtures.webhook("trickle", url: receiver.url, timeout: 1)
        let started = Date()
        try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { _ in
            try HookFixtures.alerts(2, in: database, routes: [hook.route])
            #expect(try await eventually(15) { try database.deliveries(state: .pending).isEmpty })
        }
        let elapsed = Date().timeIntervalSince(started)
        let rows = try database.deliveries().sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        #expect(rows.map(\.state) == [.delivered, .delivered])
        #expect(rows.first?.attempts == 2, "the trickled attempt timed out and was retried")
        #expect(elapsed < 8, "both delivered in \(elapsed) s: the trickle cost one timeout, not its 20 s")
    }

    @Test func outcomesThatCannotBeStoredKeepTheirBackOff() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        let database = try VigilDatabase(path: path, busyTimeout: 0.2)
        let receiver = try WebhookReceiver(directory: directory, arguments: ["--default-status", "500"])
        var policy = HookFixtures.fastPolicy()
        policy.schedule = [0, 30]          // the first retry is 30 s away
        let hook = HookFixtures.webhook("failing", url: receiver.url)
        try HookFixtures.alerts(1, in: database, routes: [hook.route])
        // The outcome of the first attempt cannot be written for 4 s.
        _ = try Fixtures.holdWriteLock(path, seconds: 4)
        try await withDispatcher(hooks: [hook], policy: policy, database: database) { _ in
            try? await Task.sleep(for: .seconds(6))
        }
        #expect(receiver.requests.count == 1, "sent once; re-sent \(receiver.requests.count - 1) times while its outcome was unstored")
        let row = try #require(try database.deliveries().first)
        #expect(row.attempts == 1 && row.state == .pending)
        #expect(row.nextAttemptAt.timeIntervalSinceNow > 20, "the stored outcome keeps the 30 s back-off")
    }

    /// The wall clock jumps back an hour after a failed attempt: its retry, due 30 s after that
    /// attempt by the old clock, is now "an hour and a half away". It must go out at once instead.
    @Test func aClockJumpingBackDoesNotHoldRetries() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        let database = try VigilDatabase(path: path)
        let receiver = try WebhookReceiver(directory: directory)
        let hook = HookFixtures.webhook("jumped", url: receiver.url)
        try HookFixtures.alerts(1, in: database, routes: [hook.route])
        // As the outbox looks after the jump: the last attempt and the next one are in "the future".
        let future = Date().addingTimeInterval(3600)
        try await DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE delivery SET attempts = 1, lastAttemptAt = ?, nextAttemptAt = ?",
                           arguments: [future, future.addingTimeInterval(30)])
        }
        let policy = RetryPolicy(HookFixtures.fastPolicy())
        let row = try #require(try database.deliveries().first)
        #expect(policy.isDue(row), "a retry scheduled from a clock that has since gone back is due now")
        var fresh = row
        fresh.lastAttemptAt = Date().addingTimeInterval(-1)
        fresh.nextAttemptAt = Date().addingTimeInterval(5)
        #expect(!policy.isDue(fresh), "an ordinary back-off is kept")
        let started = Date()
        let drained = try await withDispatcher(hooks: [hook], policy: HookFixtures.fastPolicy(), database: database) { _ in
            try await eventually(10) { try database.deliveries(state: .pending).isEmpty }
        }
        #expect(drained)
        #expect(try database.deliveries().first?.state == .delivered)
        #expect(Date().timeIntervalSince(started) < 10 && receiver.requests.count == 1)
    }
}
