import Foundation
import Hummingbird
import VigilStore

/// Long-lived responses (the alert stream, camera previews): at most `limit` open per token,
/// and each re-checks every `recheck` that its token is still live, so revoking a token ends
/// its streams within seconds instead of whenever the viewer closes the tab.
final class StreamGuard: @unchecked Sendable {
    let limit: Int
    let recheck: Duration
    private let lock = NSLock()
    private var open: [Int64: Int] = [:]

    init(limit: Int, recheck: Duration = .seconds(3)) {
        self.limit = limit
        self.recheck = recheck
    }

    /// Counts a stream for `token`, or answers 429 when it already has `limit` open.
    func admit(_ token: APIToken?) throws -> Int64 {
        guard let id = token?.id else { throw HTTPError(.unauthorized, message: "an API token is required") }
        try lock.withLock {
            guard open[id, default: 0] < limit else {
                throw HTTPError(.tooManyRequests, message: "token '\(token?.name ?? "")' already has \(limit) streams open (api.max_streams_per_token)")
            }
            open[id, default: 0] += 1
        }
        return id
    }

    func release(_ id: Int64) {
        lock.withLock {
            open[id, default: 1] -= 1
            if open[id] == 0 { open[id] = nil }
        }
    }

    /// Tracks when the token was last confirmed live.
    struct Watch {
        let token: Int64
        let store: StoreAccess
        let every: Duration
        var checked = ContinuousClock.now

        /// False once the token has been revoked (checked at most every `every`).
        mutating func tokenIsLive() async -> Bool {
            guard checked.duration(to: .now) >= every else { return true }
            checked = .now
            let token = self.token
            return (try? await store.run { try $0.tokenIsLive(id: token) }) ?? true
        }
    }

    func watch(_ token: Int64, store: StoreAccess) -> Watch {
        Watch(token: token, store: store, every: recheck)
    }
}
