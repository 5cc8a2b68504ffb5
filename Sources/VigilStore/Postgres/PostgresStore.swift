import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import VigilCluster
import VigilCore

/// The PostgreSQL backend of the store APIs (`WatchlistStore`, `AlertStore`, `TokenStore`,
/// `CameraStatusStore`): the store in the database several nodes share (`database: postgres://user@host:port/db`).
///
/// One connection, one transaction at a time, as SQLite's single writer: the operations are
/// synchronous (see `WatchlistStore`) and block the calling thread on postgres-nio's futures,
/// never an event loop. A connection the server closed is opened again on the next operation.
/// A committed watchlist change announces the `watchlists` topic (`ChangeFeed`) in its own
/// transaction, so other nodes reload their matchers only after the change is visible to them.
public final class PostgresStore: WatchlistStore, AlertStore, TokenStore, CameraStatusStore, CrimeStore {
    public let location: String
    /// The node whose reports (camera status) this store writes: the host name unless told.
    public let node: String
    private let address: DatabaseLocation
    private let logger: Logger
    private let connection: NIOLockedValueBox<PostgresConnection?>

    private init(address: DatabaseLocation, node: String, connection: PostgresConnection, logger: Logger) {
        self.address = address
        self.node = node
        self.location = address.description
        self.logger = logger
        self.connection = NIOLockedValueBox(connection)
    }

    /// Connects and brings the schema up to date. Fails naming host and port when the server
    /// cannot be reached, and refuses a database set up by a newer Vigil.
    public static func open(_ address: DatabaseLocation, node: String = PostgresStore.hostName,
                            logger: Logger = Logger(label: "vigil.store")) async throws(ClusterError) -> PostgresStore {
        PostgresStore(address: address, node: node, connection: try await ClusterDatabase.migrated(address, logger: logger), logger: logger)
    }

    /// This machine's name (`gethostname`, no DNS look-up), the default node name.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var storeBackend: StoreBackend { StoreBackend(transactions: PostgresTransactions(store: self)) }

    public func close() {
        connection.withLockedValue { current in
            current.map(Self.discard)
            current = nil
        }
    }

    /// Closes a connection without waiting, keeping it alive until it is closed (postgres-nio
    /// requires a connection to be closed before it is released).
    private static func discard(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    deinit { close() }

    /// Runs `body` in one transaction on the store's connection; a write announces `topic`, if
    /// any, in the same transaction. Errors come back as `StoreError`s naming the database.
    func transaction<T>(writing: Bool, announcing topic: StoreTopic? = nil, _ body: (PostgresRows) throws -> T) throws -> T {
        try connection.withLockedValue { current in
            let rows = try begin(writing: writing, on: &current)
            do {
                let result = try body(rows)
                if let topic {
                    for statement in ChangeFeed.announcement(topic: topic.rawValue) { try rows.execute(statement) }
                }
                try rows.execute("COMMIT")
                return result
            } catch {
                if !rows.connection.isClosed { _ = try? rows.execute("ROLLBACK") }
                throw translate(error)
            }
        }
    }

    /// Opens a transaction, connecting first when there is no connection or the server closed it.
    /// A `BEGIN` that fails because the connection turns out to be gone is tried once more on a
    /// new one: nothing was done yet, so nothing can be done twice.
    private func begin(writing: Bool, on current: inout PostgresConnection?) throws -> PostgresRows {
        for attempt in 1...2 {
            if current == nil || current?.isClosed == true {
                do { current = try ClusterConnection.openBlocking(address, logger: logger) } catch {
                    throw StoreError.cannotOpen(path: location, reason: "\(error)")
                }
            }
            let rows = PostgresRows(connection: current!, node: node, logger: logger)
            do {
                try rows.execute(writing ? "BEGIN" : "BEGIN READ ONLY")
                return rows
            } catch {
                guard attempt == 1, rows.connection.isClosed || Self.connectionLost(error) else { throw translate(error) }
                logger.info("the PostgreSQL connection was closed; connecting again", metadata: ["database": "\(location)"])
                current.map(Self.discard)
                current = nil
            }
        }
        throw StoreError.cannotOpen(path: location, reason: "the connection closed twice in a row")
    }

    /// The connection went away (closed, reset, or ended by the server: SQLSTATE classes 08 and 57P).
    private static func connectionLost(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(error.code) { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    private func translate(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        return StoreError.database(path: location, reason: ClusterError.reason(error))
    }
}

/// `PostgresStore`'s transactions, handing the operations PostgreSQL rows.
struct PostgresTransactions: StoreTransactions {
    let store: PostgresStore

    func write<T>(announcing topic: StoreTopic?, _ body: (any StoreRows) throws -> T) throws -> T {
        try store.transaction(writing: true, announcing: topic, body)
    }

    func read<T>(_ body: (any StoreRows) throws -> T) throws -> T { try store.transaction(writing: false, body) }
}
