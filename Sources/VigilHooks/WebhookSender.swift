import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs signed events over one shared HTTP client (keep-alive connections per host).
///
/// Redirects are not followed: a signed alert must reach the URL the operator
/// configured, not wherever a 3xx points.
public final class WebhookSender: Sendable {
    let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.timeout.connect = .seconds(5)
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// One attempt. Never throws: every failure is described in the report.
    public func post(url: URL, headers: [(String, String)], body: String, timeout: Double) async -> AttemptReport {
        let start = ContinuousClock.now
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let status = Int(response.status.code)
            // The status decides; the body is only read for the record, a bounded prefix within
            // what is left of the timeout (a huge or trickling body must not turn a 2xx into a failure).
            let left = max(0.05, timeout - start.duration(to: .now).seconds)
            let text = Self.excerpt(await Self.prefix(of: response.body, bytes: Self.recordedBytes, within: left))
            let seconds = start.duration(to: .now).seconds
            switch status {
            case 200..<300:
                return AttemptReport(status: status, error: nil, response: text, succeeded: true, seconds: seconds)
            case 408, 429, 500...:
                return AttemptReport(status: status, error: "HTTP \(status) \(response.status.reasonPhrase)", response: text,
                                     retryAfter: RetryPolicy.retryAfter(response.headers.first(name: "Retry-After")),
                                     succeeded: false, seconds: seconds)
            case 300..<400:
                let location = response.headers.first(name: "Location") ?? "?"
                return AttemptReport(status: status, error: "HTTP \(status) redirect to \(location): redirects are not followed; configure the final URL",
                                     response: text, succeeded: false, permanent: true, seconds: seconds)
            default:
                return AttemptReport(status: status, error: "HTTP \(status) \(response.status.reasonPhrase): refused by the receiver",
                                     response: text, succeeded: false, permanent: true, seconds: seconds)
            }
        } catch {
            return AttemptReport(status: nil, error: Self.describe(error, url: url, timeout: timeout), response: nil,
                                 succeeded: false, seconds: start.duration(to: .now).seconds)
        }
    }

    static func describe(_ error: any Error, url: URL, timeout: Double) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return "no answer from \(url.host ?? "?") within \(timeout) s"
            case .connectTimeout:
                return "could not connect to \(url.host ?? "?") within 5 s"
            case .remoteConnectionClosed:
                return "\(url.host ?? "?") closed the connection without answering"
            default:
                break
            }
        }
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("connectionRefused") {
            return "connection refused by \(url.host ?? "?"):\(url.port.map(String.init) ?? "default port")"
        }
        return "\(url.host ?? "?"): \(text)"
    }

    /// How much of an answer's body is kept with the delivery.
    static let recordedBytes = 4096

    /// Up to `bytes` of a body, or what arrived within `seconds`; the rest is not read (the
    /// connection is then closed rather than reused).
    static func prefix(of body: HTTPClientResponse.Body, bytes: Int, within seconds: Double) async -> String {
        let collected = await withTaskGroup(of: ByteBuffer?.self) { group -> ByteBuffer in
            group.addTask {
                var buffer = ByteBuffer()
                do {
                    for try await var chunk in body {
                        let room = bytes - buffer.readableBytes
                        if let part = chunk.readSlice(length: min(room, chunk.readableBytes)) { buffer.writeImmutableBuffer(part) }
                        if buffer.readableBytes >= bytes { break }
                    }
                } catch {}
                return buffer
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? ByteBuffer()
        }
        return String(buffer: collected)
    }

    static func excerpt(_ text: String) -> String? {
        text.isEmpty ? nil : String(text.prefix(512))
    }
}

