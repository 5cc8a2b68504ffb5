import Foundation

/// Alerts with their evidence, the live stream's events and the hooks' outbox: what the daemon
/// commits, the dispatcher delivers and operators review. One API with two backends, like
/// `WatchlistStore` (whose notes on blocking apply): the operations are written once, in this
/// protocol's extension (`AlertIntents.swift`, `OutboxIntents.swift`), over the backend's rows.
public protocol AlertStore: BackedStore {}
