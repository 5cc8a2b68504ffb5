import ArgumentParser
import Foundation
import VigilCore
import VigilStore

public struct TokensCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "API tokens: create (shown once), list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self])

    public struct Create: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once and stored only as a SHA-256.",
            discussion: "viewer: read cameras and alerts; case_viewer: also read cases; operator: also acknowledge, verdicts, watchlists, work on cases; admin: also tokens, hooks, deleting cases.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Token name (who or what uses it), e.g. desk-3 or cad-bridge.") var name: String
        @Option(help: "viewer, case_viewer, operator or admin.") var role: String

        public func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role '\(role)': expected \(Role.names)") }
            let store = try await openStore(common)
            let (token, secret) = try wrap { try store.createToken(name: name, role: role, actor: AuditActor.current()) }
            print(secret)
            Output.error("token '\(token.name)' (\(token.role.rawValue)) created; it is shown only this once: use it as `Authorization: Bearer <token>`")
        }
    }

    public struct List: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Tokens with their role, creator and last use (never the token).")
        @OptionGroup var common: CommonOptions

        public func run() async throws {
            let store = try await openStore(common)
            let tokens = try wrap { try store.tokens() }
            guard !tokens.isEmpty else {
                print("no tokens (vigil tokens create NAME --role viewer|case_viewer|operator|admin)")
                return
            }
            let time = ISO8601DateFormatter()
            print(Output.table(["NAME", "ROLE", "PREFIX", "CREATED", "BY", "LAST USED", "STATE"], tokens.map {
                [$0.name, $0.role.rawValue, $0.prefix + "…", time.string(from: $0.createdAt), $0.createdBy,
                 $0.lastUsedAt.map { time.string(from: $0) } ?? "never", $0.revokedAt == nil ? "active" : "revoked"]
            }))
        }
    }

    public struct Revoke: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Revoke a token at once (audit-logged).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Token name.") var name: String

        public func run() async throws {
            let store = try await openStore(common)
            try wrap { try store.revokeToken(name: name, actor: AuditActor.current()) }
            print("token '\(name)' revoked")
        }
    }
}
