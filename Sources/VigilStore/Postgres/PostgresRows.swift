import Foundation
import Logging
import PostgresNIO

/// The store's rows in PostgreSQL, inside one of `PostgresStore`'s transactions: the watchlists'
/// in `PostgresWatchlistRows.swift`, the alerts' and the outbox's in `PostgresAlertRows.swift`.
/// Statements bind every value (`PostgresQuery` interpolation) and block on postgres-nio's futures.
struct PostgresRows: StoreRows {
    let connection: PostgresConnection
    /// The node this store belongs to: what it reports is kept apart from other nodes' reports.
    let node: String
    let logger: Logger

    func execute(_ query: PostgresQuery) throws { _ = try connection.query(query, logger: logger).wait() }
    func rows(_ query: PostgresQuery) throws -> PostgresQueryResult { try connection.query(query, logger: logger).wait() }

    /// How many rows a statement changed.
    func changed(_ query: PostgresQuery) throws -> Int { try rows(query).metadata.rows ?? 0 }

    func count(_ query: PostgresQuery) throws -> Int {
        try rows(query).first.map { try $0.decode(Int.self) } ?? 0
    }

    /// The id an `INSERT ... RETURNING id` gave.
    func id(_ query: PostgresQuery) throws -> Int64 {
        guard let row = try rows(query).first else { throw StoreError.database(path: "PostgreSQL", reason: "INSERT returned no id") }
        return try row.decode(Int64.self)
    }
}

/// Reads a row's cells in the order the statement selected them, for records too wide to
/// decode as one tuple.
struct CellReader {
    private let row: PostgresRandomAccessRow
    private var index = 0

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try row[index].decode(T.self)
    }
}
