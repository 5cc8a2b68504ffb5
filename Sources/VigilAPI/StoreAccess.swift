import Foundation
import VigilStore

/// Runs the database's blocking calls on a Dispatch queue, never on the cooperative pool that
/// serves HTTP: GRDB waits for SQLite and the PostgreSQL store for its server, and a slow disk or
/// network must not stall every request.
public struct StoreAccess: Sendable {
    /// Every area both backends provide.
    public let store: any SharedStore
    /// The SQLite database, for what only it holds (cases); nil when the daemon runs on PostgreSQL.
    public let local: VigilDatabase?
    private let queue = DispatchQueue(label: "vigil.api.store", qos: .userInitiated, attributes: .concurrent)

    /// `local` is the store itself when it is the SQLite database.
    public init(store: any SharedStore) {
        self.store = store
        local = store as? VigilDatabase
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any SharedStore) throws -> T) async throws -> T {
        let store = store
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(store) })
            }
        }
    }

    /// For what only the SQLite database holds: on PostgreSQL, `StoreError.sqliteOnly` (HTTP 501).
    public func runLocal<T: Sendable>(_ feature: String, _ body: @escaping @Sendable (VigilDatabase) throws -> T) async throws -> T {
        guard let local else { throw StoreError.sqliteOnly(feature: feature) }
        return try await run { _ in try body(local) }
    }
}
