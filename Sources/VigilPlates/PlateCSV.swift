import Foundation
import VigilCore

/// One row of a plate import, with the line it came from (for errors).
public struct PlateRow: Sendable, Equatable {
    public var line: Int
    public var plate: String
    public var label: String?

    public init(line: Int, plate: String, label: String?) {
        self.line = line
        self.plate = plate
        self.label = label
    }
}

/// Reads a plate import file: `plate[,label]` per line, an optional header
/// naming the columns. Rows are only parsed here; the watchlist's region
/// checks each plate when it is imported (errors name `file:line` either way).
public enum PlateCSV {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func rows(file: String) throws -> [PlateRow] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "\(file): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(description: "\(file): not UTF-8 text")
        }
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch let error as CSVTable.ParseError {
            throw Failure(description: "\(file):\(error.line): \(error.reason); nothing was imported")
        }
        var records = table.records[...]
        var plateColumn = 0, labelColumn: Int? = 1
        if let header = records.first, header.fields.contains(where: { $0.lowercased() == "plate" }) {
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            plateColumn = names.firstIndex(of: "plate")!
            labelColumn = names.firstIndex(of: "label")
            records = records.dropFirst()
        }
        let width = labelColumn.map { max($0, plateColumn) + 1 } ?? plateColumn + 1
        return try records.map { record in
            guard record.fields.count <= max(width, 2), record.fields.count > plateColumn else {
                throw Failure(description: "\(file):\(record.line): expected plate[,label], found \(record.fields.count) field(s); nothing was imported")
            }
            let label = labelColumn.flatMap { $0 < record.fields.count ? record.fields[$0] : nil }
            return PlateRow(line: record.line, plate: record.fields[plateColumn], label: label)
        }
    }
}
