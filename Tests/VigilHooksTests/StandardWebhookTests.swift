import Foundation
import VigilTestSupport
import Testing
import VigilConfig
import VigilCore
import VigilHooks
import VigilStore

/// Deliveries carry Standard Webhooks headers beside Vigil's own, and receivers' library for that
/// scheme (PyPI `standardwebhooks`, in the set-up venv) accepts them: for a `whsec_` secret, and for
/// a plain secret given to the receiver in its `whsec_` form.
@Suite(.serialized) struct StandardWebhookTests {
    static let python = Fixtures.packageRoot.appendingPathComponent(".build-tools/venv/bin/python").path

    @Test func realDeliveriesVerifyWithTheStandardWebhooksLibrary() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        let standardSecret = "whsec_" + Data((0..<32).map { UInt8($0 * 7 % 256) }).base64EncodedString()
        let plain = WebhookReceiver.secret
        // Vigil-Signature's key is the secret's text; webhook-signature's is the key a whsec_ secret encodes.
        let forStandard = try WebhookReceiver(directory: directory, secret: standardSecret,
                                              arguments: ["--standard-secret", standardSecret], python: Self.python)
        let forPlain = try WebhookReceiver(directory: directory, secret: plain,
                                           arguments: ["--standard-secret", StandardWebhookSignature.receiverSecret(plain)],
                                           python: Self.python)
        // A receiver holding the wrong key must refuse: the check can fail.
        let wrongKey = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()
        let refusing = try WebhookReceiver(directory: directory, secret: plain, arguments: ["--standard-secret", wrongKey],
                                           python: Self.python)
        let hooks = [HookFixtures.webhook("standard", url: forStandard.url, secret: standardSecret),
                     HookFixtures.webhook("plain", url: forPlain.url, secret: plain),
                     HookFixtures.webhook("refusing", url: refusing.url, secret: plain)]
        let routes = hooks.map { OutboxRoute(hook: $0.name, filter: $0.filter) }
        try HookFixtures.alerts(5, in: database, routes: routes)
        try await withDispatcher(hooks: hooks, policy: HookFixtures.fastPolicy(), database: database) { _ in
            await eventually(15) { forStandard.requests.count >= 5 && forPlain.requests.count >= 5 && refusing.requests.count >= 5 }
        }
        for (name, receiver) in [("standard", forStandard), ("plain", forPlain)] {
            let requests = receiver.requests
            #expect(requests.count == 5, "\(name): \(requests.count) deliveries")
            #expect(requests.allSatisfy { $0.standard_valid == true }, "\(name): standardwebhooks refused \(requests.filter { $0.standard_valid != true }.count)")
            #expect(requests.allSatisfy { $0.valid }, "\(name): Vigil-Signature still verifies for version-1 receivers")
            #expect(requests.allSatisfy { $0.webhook_id == $0.id && $0.id != nil }, "\(name): webhook-id is the Vigil-Id")
        }
        #expect(refusing.requests.count == 5 && refusing.requests.allSatisfy { $0.standard_valid == false })
        print("standard webhooks: \(forStandard.requests.count + forPlain.requests.count) deliveries verified by standardwebhooks, \(refusing.requests.count) refused with the wrong key")
    }
}
