import Foundation

/// Line-oriented output: one JSON object per line for machines, padded columns for people.
public enum Output {
    public static func jsonLine(_ object: [(String, Any?)]) -> String {
        "{" + object.map { "\(quote($0.0)):\(value($0.1))" }.joined(separator: ",") + "}"
    }

    private static func value(_ value: Any?) -> String {
        switch value {
        case nil: return "null"
        case let v as String: return quote(v)
        case let v as Bool: return v ? "true" : "false"
        case let v as Int: return String(v)
        case let v as Int64: return String(v)
        case let v as Double: return v.isFinite ? String(format: "%.4f", v).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression) : "null"
        case let v as Float: return Self.value(Double(v))
        case let v as [Int]: return "[" + v.map(String.init).joined(separator: ",") + "]"
        case let v as [String]: return "[" + v.map(quote).joined(separator: ",") + "]"
        case let v as [(String, Any?)]: return jsonLine(v)
        case let v as [[(String, Any?)]]: return "[" + v.map(jsonLine).joined(separator: ",") + "]"
        case let v as Date: return quote(ISO8601DateFormatter().string(from: v))
        case let v?: return quote("\(v)")
        }
    }

    public static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    public static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value else { return "-" }
        return String(format: "%.\(digits)f", value)
    }

    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    public static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
