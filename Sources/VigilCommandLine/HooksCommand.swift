import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

public struct HooksCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "hooks", abstract: "Alert hooks: configured hooks, their outbox, re-sending, test events.",
        subcommands: [List.self, Deliveries.self, Retry.self, Test.self])

    public struct List: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Configured hooks with their delivery figures.")
        @OptionGroup var files: ConfigOptions
        @OptionGroup var common: CommonOptions

        public func run() async throws {
            let loaded = try files.load(database: common.db)
            print(HooksCommand.table(loaded.hooks))
            guard FileManager.default.fileExists(atPath: loaded.database) else { return }
            let store = try await openStore(at: loaded.database, logger: Logger(label: "vigil.store"))
            var stats = try wrap { try store.hookStats() }
            let configured = Set(loaded.hooks.map(\.name))
            for hook in loaded.hooks where !stats.contains(where: { $0.hook == hook.name }) { stats.append(HookStats(hook: hook.name)) }
            guard !stats.isEmpty else { return }
            print("")
            print(Output.table(["HOOK", "PENDING", "DELIVERED", "DEAD", "OLDEST PENDING", "LATENCY P50", "P99"], stats.sorted { $0.hook < $1.hook }.map {
                [$0.hook + (configured.contains($0.hook) ? "" : " (no longer configured)"), "\($0.pending)", "\($0.delivered)", "\($0.dead)",
                 $0.oldestPending.map { "\(Int(Date().timeIntervalSince($0))) s ago" } ?? "-",
                 $0.latencyP50.map { Output.number($0 * 1000, digits: 1) + " ms" } ?? "-",
                 $0.latencyP99.map { Output.number($0 * 1000, digits: 1) + " ms" } ?? "-"]
            }))
        }
    }

    public struct Deliveries: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Outbox deliveries, newest first.")
        @OptionGroup var files: ConfigOptions
        @OptionGroup var common: CommonOptions
        @Option(help: "pending, delivered or dead.") var state: String?
        @Option(help: "Only this hook.") var hook: String?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "JSON output, one delivery per line.") var json = false

        public func run() async throws {
            let wanted = try state.map { text -> Delivery.State in
                guard let value = Delivery.State(rawValue: text) else {
                    throw ValidationError("--state '\(text)': expected pending, delivered or dead")
                }
                return value
            }
            let loaded = try files.load(database: common.db)
            let store = try await openStore(at: loaded.database, logger: Logger(label: "vigil.store"))
            let rows = try wrap { try store.deliveries(state: wanted, hook: hook, limit: limit) }
            if json {
                for d in rows {
                    print(Output.jsonLine([("id", d.id), ("vigil_id", d.eventID), ("hook", d.hook), ("type", d.type), ("alert", d.alertID),
                                           ("state", d.state.rawValue), ("attempts", d.attempts), ("created_at", d.createdAt),
                                           ("next_attempt_at", d.state == .pending ? d.nextAttemptAt : nil),
                                           ("delivered_at", d.deliveredAt), ("last_status", d.lastStatus), ("last_error", d.lastError),
                                           ("last_response", d.lastResponse)]))
                }
                return
            }
            guard !rows.isEmpty else {
                print("no deliveries")
                return
            }
            let time = ISO8601DateFormatter()
            print(Output.table(["ID", "HOOK", "TYPE", "ALERT", "STATE", "ATTEMPTS", "CREATED", "NEXT / DONE", "STATUS", "LAST ERROR"], rows.map { d in
                let when: String
                switch d.state {
                case .pending: when = "next in \(max(0, Int(d.nextAttemptAt.timeIntervalSinceNow.rounded(.up)))) s"
                case .delivered: when = d.deliveredAt.map { time.string(from: $0) } ?? "-"
                case .dead: when = d.lastAttemptAt.map { time.string(from: $0) } ?? "-"
                }
                return ["\(d.id ?? 0)", d.hook, d.type, d.alertID.map { "\($0)" } ?? "-", d.state.rawValue, "\(d.attempts)",
                        time.string(from: d.createdAt), when, d.lastStatus.map { "\($0)" } ?? "-", d.lastError ?? ""]
            }))
        }
    }

    public struct Retry: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Re-queue deliveries for an immediate attempt with a fresh maximum age (audit-logged).",
            discussion: "A running daemon picks them up within a second.")
        @OptionGroup var files: ConfigOptions
        @OptionGroup var common: CommonOptions
        @Argument(help: "Delivery ids.") var ids: [Int64] = []
        @Flag(help: "Every dead delivery (of --hook, if given).") var dead = false
        @Option(help: "With --dead: only this hook.") var hook: String?

        public func validate() throws {
            if ids.isEmpty == !dead { throw ValidationError("give delivery ids or --dead, not both") }
            if hook != nil && !dead { throw ValidationError("--hook applies to --dead only") }
        }

        public func run() async throws {
            let loaded = try files.load(database: common.db)
            let database = try await openStore(at: loaded.database, logger: Logger(label: "vigil.store"))
            let count = try wrap {
                try database.retryDeliveries(ids: ids.isEmpty ? nil : ids, deadOf: hook, actor: AuditActor.current())
            }
            print("re-queued \(count) deliver\(count == 1 ? "y" : "ies")")
        }
    }

    public struct Test: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Send a signed test event to one hook now and show the answer (not stored, not retried).")
        @OptionGroup var files: ConfigOptions
        @Argument(help: "Hook name.") var name: String

        public func run() async throws {
            let loaded = try files.load()
            guard let hook = loaded.hooks.first(where: { $0.name == name }) else {
                let known = loaded.hooks.map(\.name)
                throw Failure("no hook named '\(name)'" + (known.isEmpty ? " (no hooks are configured)" : " (configured: \(known.joined(separator: ", ")))"))
            }
            let webhooks = WebhookSender()
            let (id, report) = await HookSender(hook: hook, webhooks: webhooks).sendTest()
            await webhooks.shutdown()
            let answer = report.response.map { "\n  answer: \($0)" } ?? ""
            if report.succeeded {
                print("\(hook.name): delivered test event \(id): status \(report.status ?? 0) in \(Output.number(report.seconds * 1000, digits: 1)) ms\(answer)")
            } else {
                throw Failure("\(hook.name): test event \(id) failed: \(report.error ?? "")\(answer)")
            }
        }
    }

    public static func table(_ hooks: [HookConfig]) -> String {
        guard !hooks.isEmpty else { return "no hooks configured (hooks: in vigil.yaml)" }
        return Output.table(["HOOK", "TYPE", "DESTINATION", "EVENTS", "WATCHLISTS", "CAMERAS", "KINDS", "TIMEOUT"], hooks.map {
            [$0.name, $0.kind, $0.shownDestination, list($0.filter.events), list($0.filter.watchlists), list($0.filter.cameras),
             list($0.filter.kinds), Output.number($0.timeout, digits: 1) + " s"]
        })
    }

    private static func list(_ values: [String]) -> String {
        values.isEmpty ? "(all)" : values.joined(separator: ",")
    }
}
