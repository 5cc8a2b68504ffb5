import Foundation
import Hummingbird
import MultipartKit

/// A parsed multipart/form-data body (RFC 7578), through MultipartKit's parser.
struct Multipart {
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
        let parser = MultipartParser(boundary: boundary)
        var result = Multipart()
        var headers: [String: String] = [:]
        var data = Data()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            let disposition = headers["content-disposition"] ?? ""
            if let name = parameter("name", in: disposition) {
                if let filename = parameter("filename", in: disposition) {
                    result.files.append(File(name: name, filename: filename, data: data))
                } else {
                    result.fields[name] = String(decoding: data, as: UTF8.self)
                }
            }
            headers = [:]
            data = Data()
        }
        do {
            try parser.execute(body)
        } catch {
            throw HTTPError(.badRequest, message: "malformed multipart/form-data body (\(error)); send the photo as a file field named image")
        }
        return result
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
