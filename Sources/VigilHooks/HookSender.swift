import Foundation
import VigilCore
import VigilConfig
import VigilStore

/// Sends one stored event to one hook: builds the body and headers, signs, and reports.
public final class HookSender: Sendable {
    public let hook: HookConfig
    private let webhooks: WebhookSender
    private let commands: CommandRunner

    public init(hook: HookConfig, webhooks: WebhookSender) {
        self.hook = hook
        self.webhooks = webhooks
        commands = CommandRunner(hook: hook.name)
    }

    /// One attempt at `payload` (the stored event JSON) as delivery `id`, attempt number `attempt` (1-based).
    public func send(id: String, type: String, payload: String, attempt: Int, now: Date = Date()) async -> AttemptReport {
        // Reading the snapshot blocks on the disk: off the cooperative pool.
        let body = hook.includeSnapshot ? await Blocking.run { Self.withSnapshot(payload) } : payload
        switch hook.target {
        case .webhook(let url, let secret, let custom):
            let timestamp = Int(now.timeIntervalSince1970)
            var headers: [(String, String)] = [
                ("Content-Type", "application/json"),
                ("User-Agent", "Vigil-Hooks/1"),
                ("Vigil-Id", id),
                ("Vigil-Event", type),
                ("Vigil-Attempt", String(attempt)),
                ("Vigil-Timestamp", String(timestamp)),
                ("Vigil-Signature", HookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret)),
                // The same signature as Standard Webhooks sends it, for receivers using its libraries.
                ("webhook-id", id),
                ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", StandardWebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret)),
            ]
            headers += custom.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return await webhooks.post(url: url, headers: headers, body: body, timeout: hook.timeout)
        case .command(let program, let arguments):
            return await commands.run(program: program, arguments: arguments, input: body,
                                      environment: ["VIGIL_ID": id, "VIGIL_EVENT": type, "VIGIL_ATTEMPT": String(attempt)],
                                      timeout: hook.timeout)
        }
    }

    /// A signed `test` event, sent at once and not stored: `vigil hooks test`.
    public func sendTest(now: Date = Date()) async -> (id: String, report: AttemptReport) {
        let id = "test-" + UUID().uuidString.lowercased()
        let event = HookEvent(type: "test", id: id, createdAt: now, alert: nil,
                              message: "test event from vigil hooks test for hook \(hook.name)")
        let payload = (try? event.json()) ?? "{}"
        return (id, await send(id: id, type: "test", payload: payload, attempt: 1, now: now))
    }

    /// The stored event with its snapshot JPEG inlined (when the file still exists: retention may have removed it).
    static func withSnapshot(_ payload: String) -> String {
        guard var event = try? HookEvent.decode(payload), let path = event.alert?.snapshot.path,
              let data = FileManager.default.contents(atPath: path) else { return payload }
        event.alert?.snapshot.jpegBase64 = data.base64EncodedString()
        return (try? event.json()) ?? payload
    }
}
