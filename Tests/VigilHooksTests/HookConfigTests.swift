import Foundation
import VigilTestSupport
import Testing
import VigilConfig
import VigilCore
import VigilStore

/// Hook configuration: good entries load; bad ones fail at `vigil config check`
/// naming file, line and key, and an unreachable receiver is reported there too.
@Suite struct HookConfigTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cameras"), withIntermediateDirectories: true)
    }

    var config: String { directory.appendingPathComponent("vigil.yaml").path }

    func write(_ hooks: String) throws {
        try "database: vigil.sqlite\nhooks:\n\(hooks)".write(toFile: config, atomically: true, encoding: .utf8)
    }

    func check(_ extra: String...) throws -> Run {
        try Run.vigil(["config", "check", "--config", config] + extra, database: directory.appendingPathComponent("vigil.sqlite"))
    }

    @Test func goodHooksLoadWithTheirFilters() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write("""
              - name: cad
                type: webhook
                url: https://cad.example.org/vigil
                secret_env: CAD_SECRET
                headers: {X-Tenant: north}
                watchlists: [wanted]
                events: [alert.created]
                timeout: 3
              - name: gate
                type: command
                program: /bin/true
                args: [--open]
            """)
        let loaded = try DaemonConfig.load(path: config, environment: ["CAD_SECRET": String(repeating: "s", count: 40)])
        #expect(loaded.hooks.map(\.name) == ["cad", "gate"])
        #expect(loaded.hooks[0].filter == HookFilter(watchlists: ["wanted"], events: ["alert.created"]) && loaded.hooks[0].timeout == 3)
        #expect(loaded.hooks[1].target == .command(program: "/bin/true", arguments: ["--open"]))
        #expect(loaded.delivery.schedule == [0, 5, 30, 120, 600, 1800, 3600] && loaded.delivery.maxAge == 86_400)
    }

    @Test func badHooksAreNamedAtConfigCheck() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = String(repeating: "a", count: 32)
        let cases: [(String, String)] = [
            ("  - name: cad\n    type: webhook\n    url: http://127.0.0.1:9/x\n    secret: tooshort\n",
             "vigil.yaml:6: hooks[0].secret: the secret is 8 characters; use 32 to 1024"),
            ("  - name: cad\n    type: webhook\n    url: ftp://host/x\n    secret: \(secret)\n",
             "vigil.yaml:5: hooks[0].url: 'ftp://host/x' is not an http:// or https:// URL with a host"),
            ("  - name: gate\n    type: command\n    program: /nonexistent/open-gate\n",
             "vigil.yaml:5: hooks[0].program: /nonexistent/open-gate does not exist"),
            ("  - name: cad\n    type: webhook\n    url: http://127.0.0.1:9/x\n    secret: \(secret)\n    headers: {Vigil-Signature: x}\n",
             "hooks[0].headers.Vigil-Signature: is set by Vigil and cannot be overridden"),
            ("  - name: cad\n    type: pager\n", "vigil.yaml:4: hooks[0].type: 'pager': expected webhook or command"),
            ("  - name: gate\n    type: command\n    program: /bin/true\n    timeout: 0\n", "hooks[0].timeout: 0 is out of range 0.1...300"),
            ("  - name: cad\n    type: webhook\n    url: http://127.0.0.1:9/x\n    secret: whsec_not-base64!!!!!!!!!!!!!!!!!!!!!!!!\n",
             "vigil.yaml:6: hooks[0].secret: a whsec_ secret must be base64 of at least 24 bytes"),
        ]
        for (yaml, message) in cases {
            try write(yaml)
            let run = try check("--offline")
            #expect(run.status != 0 && run.stderr.contains(message), "\(run.stderr)")
        }
    }

    @Test func unreachableReceiverIsReportedByConfigCheck() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try RTSPServer.freePort()
        try write("  - name: cad\n    type: webhook\n    url: http://127.0.0.1:\(port)/vigil\n    secret: \(String(repeating: "a", count: 32))\n")
        let down = try check()
        #expect(down.status != 0 && down.stderr.contains("hooks: cad: http://127.0.0.1:\(port)/vigil is unreachable (connection refused)"),
                "\(down.stderr)")
        #expect(try check("--offline").status == 0)
        let receiver = try WebhookReceiver(directory: directory, port: port)
        let up = try check()
        #expect(up.status == 0 && up.stdout.contains("1 hook(s)"), "\(up.stderr)")
        receiver.stop()
    }

    @Test func hooksCommandLine() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try WebhookReceiver(directory: directory)
        try write("  - name: cad\n    type: webhook\n    url: \(receiver.url)\n    secret: \(WebhookReceiver.secret)\n")
        let database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        try HookFixtures.alerts(2, in: database, routes: [OutboxRoute(hook: "cad", filter: HookFilter())])
        let first = try #require(try database.deliveries().last?.id)
        try database.recordAttempt(first, result: .dead(status: 410, error: "HTTP 410 Gone: refused by the receiver", response: nil))
        func vigil(_ arguments: String...) throws -> Run {
            try Run.vigil(Array(arguments) + ["--config", config], database: directory.appendingPathComponent("vigil.sqlite"))
        }

        let dead = try vigil("hooks", "deliveries", "--state", "dead")
        #expect(dead.status == 0 && dead.stdout.contains("HTTP 410 Gone") && dead.stdout.split(separator: "\n").count == 2, "\(dead.stdout)")
        let json = try vigil("hooks", "deliveries", "--json")
        #expect(json.stdout.split(separator: "\n").count == 2 && json.stdout.contains("\"state\":\"pending\""))
        #expect(try vigil("hooks", "deliveries", "--state", "lost").stderr.contains("--state 'lost': expected pending, delivered or dead"))

        let retried = try vigil("hooks", "retry", "--dead")
        #expect(retried.status == 0 && retried.stdout.contains("re-queued 1 delivery"))
        #expect(try database.deliveries(state: .dead).isEmpty)
        #expect(try database.auditLog().first.map { [$0.action, $0.actor] } == ["hook.retry", "test:runner"])
        let missing = try vigil("hooks", "retry", "999")
        #expect(missing.status != 0 && missing.stderr.contains("delivery 999 does not exist"))
        #expect(try vigil("hooks", "retry").status != 0)

        let test = try vigil("hooks", "test", "cad")
        #expect(test.status == 0 && test.stdout.contains("cad: delivered test event test-") && test.stdout.contains("\"valid_signature\": true"))
        #expect(receiver.requests.last?.type == "test" && receiver.requests.last?.valid == true)
        let unknown = try vigil("hooks", "test", "pager")
        #expect(unknown.status != 0 && unknown.stderr.contains("no hook named 'pager' (configured: cad)"))
        let list = try vigil("hooks", "list")
        #expect(list.stdout.contains("cad") && list.stdout.contains("PENDING"))
    }
}
