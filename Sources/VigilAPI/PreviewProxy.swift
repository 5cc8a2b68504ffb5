import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Forwards a preview request to the node that runs the camera, with the caller's own token:
/// the token is checked here first and again by the holder, which reads the same database.
///
/// A forwarded request carries `Vigil-Proxied-By`; a node never forwards such a request again,
/// so two nodes with stale ideas of who holds a camera cannot bounce a request between them.
enum PreviewProxy {
    static let marker = HTTPField.Name("Vigil-Proxied-By")!

    static func isForwarded(_ request: Request) -> Bool { request.headers[marker] != nil }

    /// The holder's answer to `path`, streamed through (an MJPEG preview lasts as long as its viewer).
    static func forward(_ request: Request, path: String, to api: String, node: String, via here: String) async throws -> Response {
        var upstream = HTTPClientRequest(url: api + path)
        if let authorization = request.headers[.authorization] { upstream.headers.add(name: "Authorization", value: authorization) }
        upstream.headers.add(name: marker.rawName, value: here)
        let response: HTTPClientResponse
        do {
            // The deadline covers the answer's head; a stream then runs until the viewer leaves.
            response = try await HTTPClient.shared.execute(upstream, deadline: .now() + .seconds(10))
        } catch {
            throw HTTPError(.badGateway, message: "camera preview: node '\(node)' at \(api) did not answer (\(error))")
        }
        var headers = HTTPFields()
        headers[.contentType] = response.headers.first(name: "content-type") ?? "application/octet-stream"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Vigil-Node")!] = node
        let body = response.body
        return Response(status: .init(code: Int(response.status.code)), headers: headers, body: ResponseBody { writer in
            for try await chunk in body { try await writer.write(chunk) }
            try await writer.finish(nil)
        })
    }
}
