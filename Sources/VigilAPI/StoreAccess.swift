import Foundation
import VigilStore

/// Runs the database's blocking calls on a Dispatch queue, never on the cooperative
/// pool that serves HTTP: GRDB waits for SQLite, and a slow disk must not stall every request.
public struct StoreAccess: Sendable {
    public let database: VigilDatabase
    private let queue = DispatchQueue(label: "vigil.api.store", qos: .userInitiated, attributes: .concurrent)

    public init(database: VigilDatabase) {
        self.database = database
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (VigilDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(database) })
            }
        }
    }
}
