/// Everything a backend's transaction can read and write: the rows of each area of the store.
protocol StoreRows: WatchlistRows, AlertRows, TokenRows, CameraStatusRows, CrimeRows, CaseRows {}

/// Rows every area writes: the audit log, appended in the same transaction as the change.
protocol AuditRows {
    func append(_ entry: AuditRecord) throws
}

/// A backend's transactions: `write` commits everything `body` did or nothing, and announces
/// `topic` to other nodes when it commits (a backend with no other nodes ignores it); `read` sees
/// one consistent state.
protocol StoreTransactions: Sendable {
    func write<T>(announcing topic: StoreTopic?, _ body: (any StoreRows) throws -> T) throws -> T
    func read<T>(_ body: (any StoreRows) throws -> T) throws -> T
}

/// What a committed write tells other nodes has changed (`ChangeFeed` topics).
public enum StoreTopic: String, Sendable {
    case watchlists
}

/// A backend's transactions, opaque outside this module: what a store hands its operations.
public struct StoreBackend: Sendable {
    let transactions: any StoreTransactions
}

/// What every area of the store API asks of a backend: where the data is, and its transactions.
/// The areas (`WatchlistStore`, `AlertStore`, `TokenStore`, `CameraStatusStore`, `CrimeStore`) refine it and
/// write their operations once, in extensions, over `backend`.
public protocol BackedStore: Sendable {
    /// Where the data lives, fit to print: a file path, or a `postgres://` address without its password.
    var location: String { get }
    /// The backend's transactions, for the operations in the extensions; not for callers.
    var storeBackend: StoreBackend { get }
}

extension BackedStore {
    var backend: any StoreTransactions { storeBackend.transactions }
}

/// Every area of the store, which both backends provide: what `vigil` opens for `--db`,
/// whichever backend it names.
public typealias SharedStore = WatchlistStore & AlertStore & TokenStore & CameraStatusStore & CrimeStore & CaseStore
