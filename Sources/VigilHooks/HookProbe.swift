import Foundation
import NIOCore
import NIOPosix
import VigilConfig

/// `vigil config check`'s look at each webhook: can a TCP connection to its host
/// and port be opened now? Nothing is sent. Finding an unreachable receiver
/// when the configuration changes beats finding it from a pile of retries at 3 a.m.
public enum HookProbe {
    /// nil when the hook's receiver accepted a connection (or the hook is a command), else the reason.
    public static func problem(with hook: HookConfig, timeout: Double = 3) async -> String? {
        guard case .webhook(let url, _, _) = hook.target, let host = url.host else { return nil }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout * 1000)))
        do {
            let channel = try await bootstrap.connect(host: host, port: port).get()
            try? await channel.close()
            return nil
        } catch {
            let text = String(describing: error)
            let reason: String
            if text.contains("connectTimeout") { reason = "no connection within \(timeout) s" }
            else if text.contains("Connection refused") || text.contains("connectionRefused") { reason = "connection refused" }
            else if text.contains("NXDOMAIN") || text.contains("resolution") || text.contains("getaddrinfo") { reason = "host name does not resolve" }
            else { reason = text }
            return "\(hook.location): hooks: \(hook.name): \(url.absoluteString) is unreachable (\(reason))"
        }
    }
}
