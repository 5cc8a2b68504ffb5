import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension Routes {
    func addPreviews(_ group: RouterGroup<APIContext>) {
        group.get("cameras/:id/preview.jpg") { request, context -> Response in
            try context.require(.viewer)
            let (camera, previews) = try previewCamera(context)
            if let forwarded = try await forwardIfElsewhere(request, camera: camera, file: "preview.jpg") { return forwarded }
            previews.watch(camera: camera, delta: 1)
            defer { previews.watch(camera: camera, delta: -1) }
            // The hub keeps frames only while watched: wait for the next analysed one (a few hundred ms).
            for _ in 0..<30 {
                if let (data, _) = await previews.jpeg(camera: camera, after: 0) {
                    return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"],
                                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw HTTPError(.serviceUnavailable, message: "camera '\(camera)' has no analysed frame yet (is it streaming?)")
        }
        group.get("cameras/:id/preview.mjpeg") { request, context -> Response in
            try context.require(.viewer)
            let (camera, previews) = try previewCamera(context)
            let streams = self.streams
            // One admission per viewer, whichever node serves the pictures (a forwarded stream counts
            // here as well as at the holder).
            let ticket = try streams.admit(context.token)
            let forwarded: Response?
            do { forwarded = try await forwardIfElsewhere(request, camera: camera, file: "preview.mjpeg") } catch {
                streams.release(ticket)
                throw error
            }
            if let forwarded {
                return Response(status: forwarded.status, headers: forwarded.headers, body: ResponseBody { writer in
                    defer { streams.release(ticket) }
                    try await forwarded.body.write(writer)
                })
            }
            let interval = Duration.seconds(1 / max(0.2, environment.previewFPS))
            let store = self.store
            let body = ResponseBody { writer in
                var watch = streams.watch(ticket, store: store)
                previews.watch(camera: camera, delta: 1)
                defer {
                    previews.watch(camera: camera, delta: -1)
                    streams.release(ticket)
                }
                var sequence: UInt64 = 0
                while !Task.isCancelled && !Task.isShuttingDownGracefully, await watch.tokenIsLive() {
                    let started = ContinuousClock.now
                    if let (data, number) = await previews.jpeg(camera: camera, after: sequence) {
                        sequence = number
                        var part = ByteBuffer(string: "--vigilframe\r\nContent-Type: image/jpeg\r\nContent-Length: \(data.count)\r\n\r\n")
                        part.writeBytes(data)
                        part.writeString("\r\n")
                        try await writer.write(part)
                    }
                    try await Task.sleep(until: started + interval)
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "multipart/x-mixed-replace; boundary=vigilframe", .cacheControl: "no-store"],
                            body: body)
        }
    }

    /// On a node of an installation: the holder's answer when another node runs `camera`; nil when
    /// this node runs it (or the request was already forwarded once).
    private func forwardIfElsewhere(_ request: Request, camera: String, file: String) async throws -> Response? {
        guard let placement = environment.placement, !PreviewProxy.isForwarded(request) else { return nil }
        switch await placement.holder(of: camera) {
        case .here:
            return nil
        case .nobody:
            throw HTTPError(.serviceUnavailable, message: "camera '\(camera)' is not held by any live node right now (a fail-over takes up to 10 s)")
        case .node(let node, nil):
            throw HTTPError(.serviceUnavailable, message: "camera '\(camera)' runs on node '\(node)', which has not advertised its API address (api.advertise)")
        case .node(let node, let api?):
            let path = "/v1/cameras/\(camera.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? camera)/\(file)"
            return try await PreviewProxy.forward(request, path: path, to: api, node: node, via: environment.nodeName)
        }
    }

    private func previewCamera(_ context: APIContext) throws -> (String, any PreviewSource) {
        let camera = try context.pathText("id")
        guard environment.cameras.contains(where: { $0.id == camera && $0.enabled }) else {
            throw HTTPError(.notFound, message: "camera '\(camera)' does not exist or is disabled")
        }
        guard let previews = environment.previews else { throw HTTPError(.serviceUnavailable, message: "previews are not available here") }
        return (camera, previews)
    }
}
