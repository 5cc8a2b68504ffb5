import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilStore
import VigilTestSupport

/// Every area of the store API both backends provide.
typealias Store = SharedStore

/// The store's backends, as test arguments: every suite in this target runs once on each.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL where `scripts/test.sh` started one (and always under `CI=true`,
    /// where a missing server is a failure).
    static let available: [Backend] = TestPostgres.usable ? [.sqlite, .postgres] : [.sqlite]

    /// A fresh, empty store of this backend. `another` opens a second handle on the same data:
    /// the file opened again, or a second node's connection to the shared database.
    func withStore(_ body: (_ store: any Store, _ another: () async throws -> any Store) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("vigil.sqlite").path
            try await body(try VigilDatabase(path: path), { try VigilDatabase(path: path) })
        case .postgres:
            try await TestPostgres.withDatabase { location in
                let store = try await PostgresStore.open(location, logger: TestPostgres.logger)
                defer { store.close() }
                try await body(store, { try await PostgresStore.open(location, logger: TestPostgres.logger) })
            }
        }
    }
}
