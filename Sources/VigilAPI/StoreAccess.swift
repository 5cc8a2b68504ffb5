import Foundation
import VigilStore

/// Runs the database's blocking calls on a Dispatch queue, never on the cooperative pool that
/// serves HTTP: GRDB waits for SQLite and the PostgreSQL store for its server, and a slow disk or
/// network must not stall every request.
public struct StoreAccess: Sendable {
    /// Every area of the store, on either backend.
    public let store: any SharedStore
    private let queue = DispatchQueue(label: "vigil.api.store", qos: .userInitiated, attributes: .concurrent)

    public init(store: any SharedStore) {
        self.store = store
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any SharedStore) throws -> T) async throws -> T {
        let store = store
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(store) })
            }
        }
    }
}
