import Foundation
import VigilConfig
import VigilCore

/// Reads a crime export through its column mapping and cleans it. Nothing is stored
/// here: the caller writes `incidents` in one transaction, so a bad file stores nothing.
public struct IncidentImporter {
    public let mapping: IncidentMapping

    public init(mapping: IncidentMapping) { self.mapping = mapping }

    public struct Result: Sendable {
        public var incidents: [Incident]
        public var report: CleaningReport
    }

    public func read(path: String, now: Date = Date()) throws -> Result {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CrimeError.data(file: path, line: nil, message: "cannot read the file")
        }
        let table: CSVTable
        do {
            table = try CSVTable(text: String(decoding: data, as: UTF8.self))
        } catch let error as CSVTable.ParseError {
            throw CrimeError.data(file: path, line: error.line, message: error.reason)
        }
        guard let header = table.records.first else { throw CrimeError.data(file: path, line: 1, message: "the file is empty") }
        let index = try resolve(header: header.fields, file: path)
        var report = CleaningReport(file: path, source: mapping.source)
        var seen = Set<String>()
        var incidents: [Incident] = []
        let dates = DateReader(format: mapping.dateFormat)
        for record in table.records.dropFirst() {
            report.rowsRead += 1
            guard record.fields.count == header.fields.count else {
                report.drop(.wrongFieldCount, line: record.line)
                continue
            }
            func value(_ column: IncidentMapping.Column?) -> String? {
                guard let column, let at = index[column.name] else { return nil }
                let text = record.fields[at].trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
            guard let sourceID = value(mapping.id) else { report.drop(.missingID, line: record.line); continue }
            guard seen.insert(sourceID).inserted else { report.drop(.duplicate, line: record.line); continue }
            guard var occurred = value(mapping.date).flatMap(dates.date) else { report.drop(.badDate, line: record.line); continue }
            if let column = mapping.time {
                guard let text = value(column), let minutes = Self.minutesOfDay(hhmm: text) else {
                    report.drop(.badTime, line: record.line)
                    continue
                }
                occurred = Calendar.utc.startOfDay(for: occurred).addingTimeInterval(Double(minutes) * 60)
            }
            guard let lat = value(mapping.fields[.latitude]).flatMap(Double.init), let lon = value(mapping.fields[.longitude]).flatMap(Double.init),
                  Coordinates.plausible(latitude: lat, longitude: lon) else {
                report.drop(.missingCoordinates, line: record.line)
                continue
            }
            func field(_ name: IncidentField) -> String? {
                guard let text = value(mapping.fields[name]) else { return nil }
                return mapping.missing[name]?.contains(text) == true ? nil : text
            }
            var incident = Incident(source: mapping.source, sourceID: sourceID, occurredAt: occurred, latitude: lat, longitude: lon,
                                    area: field(.area), category: field(.category), code: field(.code), premise: field(.premise),
                                    weapon: field(.weapon), victimAge: field(.victimAge).flatMap { Int($0) },
                                    victimSex: field(.victimSex), victimDescent: field(.victimDescent),
                                    domestic: field(.domestic).flatMap(Self.bool), importedAt: now)
            if let rule = mapping.labels[.severity] {
                incident.severity = value(rule.column).map { rule.positive.contains($0) ? "serious" : "other" }
                if incident.severity == nil { report.unlabelled[CrimeLabel.severity.rawValue, default: 0] += 1 }
            }
            if let rule = mapping.labels[.arrest] {
                incident.arrest = value(rule.column).map { rule.positive.contains($0) }
                if incident.arrest == nil { report.unlabelled[CrimeLabel.arrest.rawValue, default: 0] += 1 }
            }
            incidents.append(incident)
        }
        report.accepted = incidents.count
        return Result(incidents: incidents, report: report)
    }

    /// Header index per mapped column; an unknown column is an error naming the mapping line.
    private func resolve(header: [String], file: String) throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (at, name) in header.enumerated() {
            let key = name.trimmingCharacters(in: .whitespaces)
            if index[key] == nil { index[key] = at }
        }
        for column in mapping.columns where index[column.name] == nil {
            throw CrimeError.data(file: mapping.file, line: column.line,
                                  message: "\(column.key): column '\(column.name)' is not in \(file)'s header (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    static func minutesOfDay(hhmm text: String) -> Int? {
        guard let value = Int(text), value >= 0, value % 100 < 60, value / 100 < 24 else { return nil }
        return value / 100 * 60 + value % 100
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "t", "yes", "y", "1": return true
        case "false", "f", "no", "n", "0": return false
        default: return nil
        }
    }
}

/// Why rows were dropped, with counts and the first lines of each, so an analyst can check them.
public struct CleaningReport: Sendable, Codable, Equatable {
    public enum Reason: String, Sendable, Codable, CaseIterable {
        case duplicate = "duplicate report id in the file"
        case alreadyStored = "already stored (same source and id)"
        case missingCoordinates = "missing, zero or impossible coordinates"
        case badDate = "unparseable occurrence date"
        case badTime = "unparseable time of day"
        case missingID = "no report id"
        case wrongFieldCount = "wrong number of fields"
    }

    public struct Drop: Sendable, Codable, Equatable {
        public var reason: String
        public var count: Int
        /// Up to five example lines of the file.
        public var lines: [Int]
    }

    public var file: String
    public var source: String
    public var rowsRead = 0
    public var accepted = 0
    public var stored = 0
    public var dropped: [Drop] = []
    /// Rows kept without a label (they can be scored, not trained on), per label.
    public var unlabelled: [String: Int] = [:]

    public init(file: String, source: String) {
        self.file = file
        self.source = source
    }

    /// `line` is nil for drops that are not about a line of the file (reports already stored).
    public mutating func drop(_ reason: Reason, line: Int?, count: Int = 1) {
        if let at = dropped.firstIndex(where: { $0.reason == reason.rawValue }) {
            dropped[at].count += count
            if let line, dropped[at].lines.count < 5 { dropped[at].lines.append(line) }
        } else {
            dropped.append(Drop(reason: reason.rawValue, count: count, lines: line.map { [$0] } ?? []))
        }
    }

    public func count(_ reason: Reason) -> Int { dropped.first { $0.reason == reason.rawValue }?.count ?? 0 }
}

enum Coordinates {
    /// 0 is how exports write "unknown" (LA writes 0, 0); anything off the globe is a typo.
    static func plausible(latitude: Double, longitude: Double) -> Bool {
        latitude.isFinite && longitude.isFinite && abs(latitude) <= 90 && abs(longitude) <= 180
            && abs(latitude) > 1e-6 && abs(longitude) > 1e-6
    }
}

extension Calendar {
    /// Wall-clock arithmetic on the stored times (which are local times read as UTC).
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

/// Parses wall-clock dates: `iso8601` takes the digits as written and ignores any zone
/// suffix (the wall clock is what the features use); other formats are Unicode patterns.
struct DateReader {
    let format: String
    private let formatter: DateFormatter?

    init(format: String) {
        self.format = format
        if format == "iso8601" {
            formatter = nil
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            formatter.isLenient = false
            self.formatter = formatter
        }
    }

    func date(_ text: String) -> Date? {
        if let formatter { return formatter.date(from: text) }
        return Self.iso(text)
    }

    static func iso(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= digits.count else { return nil }
            var value = 0
            for c in digits[from..<(from + length)] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let year = number(0, 4), digits.count >= 10, digits[4] == 45, digits[7] == 45,
              let month = number(5, 2), let day = number(8, 2) else { return nil }
        var hour = 0, minute = 0, second = 0
        if digits.count > 10 {
            guard digits[10] == 84 || digits[10] == 32, let h = number(11, 2), digits.count >= 16, digits[13] == 58,
                  let m = number(14, 2) else { return nil }
            hour = h
            minute = m
            if digits.count >= 19, digits[16] == 58 { guard let s = number(17, 2) else { return nil }; second = s }
        }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
              let date = Calendar.utc.date(from: components),
              Calendar.utc.component(.day, from: date) == day else { return nil }
        return date
    }
}
