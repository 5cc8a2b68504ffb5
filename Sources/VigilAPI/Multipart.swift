import Foundation
import Hummingbird

/// A parsed multipart/form-data body (RFC 7578).
public struct Multipart {
    struct File {
        var name: String
        var filename: String?
        var data: Data
    }

    var files: [File] = []
    var fields: [String: String] = [:]

    func files(named name: String) -> [File] { files.filter { $0.name == name } }
    func text(named name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }

    static func parse(_ request: Request, limit: Int) async throws -> Multipart {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
              let boundary = parameter("boundary", in: type) else {
            throw HTTPError(.unsupportedMediaType, message: "expected multipart/form-data with a boundary")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw HTTPError(.contentTooLarge, message: "upload larger than \(limit / 1024 / 1024) MB")
        }
        guard (1...70).contains(boundary.utf8.count) else {
            throw HTTPError(.badRequest, message: "multipart boundary must be 1-70 characters")
        }
        var result = Multipart()
        for part in try parts(Array(body.readableBytesView), boundary: boundary) {
            let disposition = part.headers["content-disposition"] ?? ""
            guard let name = parameter("name", in: disposition) else { continue }
            if let filename = parameter("filename", in: disposition) {
                result.files.append(File(name: name, filename: filename, data: Data(part.data)))
            } else {
                result.fields[name] = String(decoding: part.data, as: UTF8.self)
            }
        }
        return result
    }

    /// The parts of a multipart body: each delimiter (`--boundary` at the start or after CRLF),
    /// then header lines up to an empty line, then the content up to the CRLF before the next
    /// delimiter; the last delimiter is followed by `--`.
    ///
    /// Written here rather than taken from MultipartKit 4.7, whose parser traps (index out of
    /// range) on some malformed bodies a fuzzer sends: a hostile upload must get a 400, not stop
    /// the daemon and every camera with it.
    public static func parts(_ body: [UInt8], boundary: String) throws -> [(headers: [String: String], data: ArraySlice<UInt8>)] {
        let malformed = { (why: String) in
            HTTPError(.badRequest, message: "malformed multipart/form-data body (\(why)); send files as form fields")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var starts: [Int] = []
        var index = 0
        while index + delimiter.count <= body.count {
            if body[index] == delimiter[0], body[index..<(index + delimiter.count)].elementsEqual(delimiter),
               index == 0 || (index >= 2 && body[index - 2] == 13 && body[index - 1] == 10) {
                starts.append(index)
                index += delimiter.count
            } else {
                index += 1
            }
        }
        guard let last = starts.last else { throw malformed("no boundary") }
        guard last + delimiter.count + 2 <= body.count, body[last + delimiter.count] == 45, body[last + delimiter.count + 1] == 45 else {
            throw malformed("no closing boundary")
        }
        var parts: [(headers: [String: String], data: ArraySlice<UInt8>)] = []
        for (start, next) in zip(starts, starts.dropFirst()) {
            var cursor = start + delimiter.count
            guard cursor + 2 <= next, body[cursor] == 13, body[cursor + 1] == 10 else { throw malformed("boundary not followed by CRLF") }
            cursor += 2
            var headers: [String: String] = [:]
            while true {
                guard let end = firstCRLF(in: body, from: cursor, before: next) else { throw malformed("unterminated part headers") }
                if end == cursor { cursor += 2; break }
                let line = String(decoding: body[cursor..<end], as: UTF8.self)
                guard let colon = line.firstIndex(of: ":") else { throw malformed("header line without a colon") }
                headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                cursor = end + 2
            }
            // The content ends at the CRLF that belongs to the next delimiter.
            guard next - 2 >= cursor else { throw malformed("part shorter than its headers") }
            parts.append((headers, body[cursor..<(next - 2)]))
        }
        return parts
    }

    private static func firstCRLF(in body: [UInt8], from: Int, before limit: Int) -> Int? {
        var index = from
        while index + 1 < limit {
            if body[index] == 13 && body[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// `key=value` or `key="value"` from a header value's parameters.
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
