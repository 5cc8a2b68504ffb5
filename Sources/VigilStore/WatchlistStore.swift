import Foundation
import VigilCore
import VigilPlates

/// Watchlists, their enrolments and plate entries, and the audit log: what an operator edits and
/// what the matchers read. One API with two backends: `VigilDatabase` (an SQLite file, the
/// embedded default) and `PostgresStore` (a shared PostgreSQL, for several nodes).
///
/// The operations (`createWatchlist`, `enrol`, ..., in `WatchlistIntents.swift`) are written once,
/// in this protocol's extension, over the backend's rows; a backend supplies only its
/// transactions. So validation, duplicate checks and audit lines cannot differ between backends,
/// and `Tests/VigilStoreTests` runs one suite against both. Every operation is synchronous and may
/// block on I/O, as SQLite always has: call it from a queue or thread that may wait, never from an
/// event loop.
public protocol WatchlistStore: BackedStore {}
