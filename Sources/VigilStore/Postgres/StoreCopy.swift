import Crypto
import Foundation
import GRDB
import Logging
import PostgresNIO
import VigilCluster

/// `vigil db copy`: moves an installation from its SQLite file into an empty shared PostgreSQL,
/// every row with its id, in one transaction, then counts both sides.
///
/// Columns are matched by name (PostgreSQL folds SQLite's camelCase to lower case) and each value
/// is converted to the target column's type, so the copy follows both schemas as they are. Ids
/// are kept, so alerts still name their enrolments and deliveries their alerts, and each identity
/// column then continues after the largest id copied. Case attachments, files beside the SQLite
/// database, become rows of the shared database (every node reads them there); a missing or
/// changed file stops the copy, naming it.
public enum StoreCopy {
    /// Copied tables, parents before children.
    static let tables = ["watchlist", "subject", "enrolment", "plateEntry", "auditLog", "alert", "alertEvent", "delivery", "apiToken",
                         "cameraStatus", "incident", "crimeModel", "crimeModelEvent", "crimeDrift",
                         "caseRecord", "caseParty", "caseAlert", "caseIncident", "caseEntry"]

    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var source: Int
        public var target: Int
    }

    /// Copies `source` into the empty database at `target`; returns each table's counts, read
    /// back after the commit. Throws before writing anything when the target is not empty or the
    /// source holds what cannot be copied, and rolls everything back on any failure.
    public static func copy(from source: VigilDatabase, to target: DatabaseLocation, node: String,
                            logger: Logger) async throws -> [TableCount] {
        let (rows, attachments) = try source.read { db -> ([String: [Row]], [String]) in
            var rows: [String: [Row]] = [:]
            for table in tables { rows[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)") }
            return (rows, try String.fetchAll(db, sql: "SELECT DISTINCT fileSHA256 FROM caseEntry WHERE fileSHA256 IS NOT NULL"))
        }
        // Every attachment is read and checked before anything is written.
        var files: [(sha256: String, data: Data)] = []
        for sha in attachments {
            guard let data = try source.caseAttachment(sha256: sha), CaseJournal.hex(SHA256.hash(data: data)) == sha else {
                throw StoreError.database(path: source.caseFilePath(sha256: sha),
                                          reason: "a case attachment is missing or changed (see vigil cases verify); nothing was copied")
            }
            files.append((sha, data))
        }
        let connection = try await ClusterDatabase.migrated(target, logger: logger)
        do {
            for table in tables {
                let existing = try await count(table, connection, logger)
                guard existing == 0 else {
                    throw StoreError.database(path: target.description, reason: "\(table) already has \(existing) row(s); copy into an empty database")
                }
            }
            try await ClusterConnection.transaction(connection, operation: "copying \(source.path)", logger: logger) { connection in
                for table in tables {
                    let types = try await columnTypes(table, connection, logger)
                    for row in rows[table] ?? [] { try await insert(row, into: table, types: types, node: node, connection, logger) }
                    if table == "caseEntry" {
                        for file in files {
                            try await connection.query("INSERT INTO caseAttachment (sha256, data) VALUES (\(file.sha256), \(file.data))", logger: logger)
                        }
                    }
                    if types["id"] != nil {
                        try await connection.query(PostgresQuery(unsafeSQL: """
                            SELECT setval(pg_get_serial_sequence('\(table.lowercased())', 'id'), coalesce(max(id), 0) + 1, false) FROM \(table)
                            """), logger: logger)
                    }
                }
            }
            var counts: [TableCount] = []
            for table in tables {
                counts.append(TableCount(table: table, source: rows[table]?.count ?? 0, target: try await count(table, connection, logger)))
            }
            try? await connection.close()
            return counts
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func count(_ table: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        var value = 0
        for try await n in try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(table)"), logger: logger)
            .decode(Int.self) { value = n }
        return value
    }

    /// The target's columns of `table` (lower case) and their types.
    private static func columnTypes(_ table: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String: String] {
        var types: [String: String] = [:]
        let query: PostgresQuery = """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table.lowercased())
            """
        for try await (name, type) in try await connection.query(query, logger: logger).decode((String, String).self) { types[name] = type }
        return types
    }

    private static func insert(_ row: Row, into table: String, types: [String: String], node: String,
                               _ connection: PostgresConnection, _ logger: Logger) async throws {
        var columns: [String] = [], bindings = PostgresBindings()
        for name in row.columnNames {
            guard let type = types[name.lowercased()] else {
                throw StoreError.database(path: "PostgreSQL", reason: "\(table).\(name) has no column in the shared schema")
            }
            columns.append(name)
            try bind(row[name] as DatabaseValue, as: type, column: "\(table).\(name)", into: &bindings)
        }
        // Camera status belongs to a node there: the one copying.
        if types["node"] != nil && !row.columnNames.contains(where: { $0.lowercased() == "node" }) {
            columns.append("node")
            bindings.append(node)
        }
        let placeholders = (1...columns.count).map { "$\($0)" }.joined(separator: ", ")
        try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                                                 binds: bindings), logger: logger)
    }

    private static func bind(_ value: DatabaseValue, as type: String, column: String, into bindings: inout PostgresBindings) throws {
        if value.isNull {
            bindings.appendNull()
            return
        }
        func convert<T: DatabaseValueConvertible>(_: T.Type) throws -> T {
            guard let converted = T.fromDatabaseValue(value) else {
                throw StoreError.database(path: "SQLite", reason: "\(column): \(value) is not a \(type)")
            }
            return converted
        }
        switch type {
        case "bigint", "integer", "smallint": try bindings.append(convert(Int64.self))
        case "double precision", "real": try bindings.append(convert(Double.self))
        case "boolean": try bindings.append(convert(Bool.self))
        case "timestamp with time zone": try bindings.append(convert(Date.self))
        case "bytea": try bindings.append(convert(Data.self))
        default: try bindings.append(convert(String.self))
        }
    }
}
