import Foundation
import Hummingbird
import HTTPTypes
import ServiceLifecycle
import VigilStore

extension Routes {
    struct VerdictInput: Decodable { var verdict: String; var comment: String? }

    func addAlerts(_ group: RouterGroup<APIContext>) {
        group.get("alerts") { request, context -> AlertPage in
            try context.require(.viewer)
            let query = try alertQuery(request)
            let alerts = try await store.run { try $0.alerts(query) }
            return AlertPage(alerts: alerts.map(AlertView.init), nextBefore: alerts.count == query.limit ? alerts.last?.id : nil)
        }
        group.get("alerts/stream") { request, context -> Response in
            try context.require(.viewer)
            return try await stream(request, context)
        }
        group.get("alerts/:id") { _, context -> AlertView in
            try context.require(.viewer)
            return AlertView(try await alert(context))
        }
        group.get("alerts/:id/snapshot") { _, context -> Response in
            try context.require(.viewer)
            let alert = try await alert(context)
            guard let path = alert.snapshotPath else { throw HTTPError(.notFound, message: "alert \(alert.id ?? 0) has no snapshot (expired)") }
            return try await FileResponse.image(at: path, what: "alert \(alert.id ?? 0) snapshot")
        }
        group.get("alerts/:id/crop") { _, context -> Response in
            try context.require(.viewer)
            let alert = try await alert(context)
            guard let path = alert.cropPath else { throw HTTPError(.notFound, message: "alert \(alert.id ?? 0) has no crop (expired)") }
            return try await FileResponse.image(at: path, what: "alert \(alert.id ?? 0) crop")
        }
        group.post("alerts/:id/acknowledge") { _, context -> AlertView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let actor = context.actor
            return AlertView(try await store.run { try $0.acknowledge(alert: id, actor: actor) })
        }
        group.post("alerts/:id/verdict") { request, context -> AlertView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let input = try await request.decode(as: VerdictInput.self, context: context)
            guard let verdict = Verdict(rawValue: input.verdict) else {
                throw HTTPError(.badRequest, message: "verdict '\(input.verdict)': expected confirmed or rejected")
            }
            let actor = context.actor
            return AlertView(try await store.run { try $0.setVerdict(alert: id, verdict: verdict, comment: input.comment, actor: actor) })
        }
    }

    private func alert(_ context: APIContext) async throws -> Alert {
        let id = try context.parameters.require("id", as: Int64.self)
        guard let alert = try await store.run({ try $0.alert(id: id) }) else { throw HTTPError(.notFound, message: "alert \(id) does not exist") }
        return alert
    }

    private func alertQuery(_ request: Request) throws -> AlertQuery {
        let q = request.uri.queryParameters
        let verdict = q.get("verdict")
        if let verdict, !["confirmed", "rejected", "none"].contains(verdict) {
            throw HTTPError(.badRequest, message: "verdict '\(verdict)': expected confirmed, rejected or none")
        }
        return AlertQuery(camera: q.get("camera"), watchlist: q.get("watchlist"), subject: q.get("subject"),
                          since: try Query.date(request, "since"), until: try Query.date(request, "until"),
                          acknowledged: try Query.bool(request, "acknowledged"), verdict: verdict,
                          before: try Query.int64(request, "before"), limit: try Query.limit(request))
    }

    /// Server-Sent Events: every alert change in commit order, each with its `id:`. A client that
    /// reconnects with `Last-Event-ID` (browsers do this themselves) gets what it missed, then live events.
    /// Without one it starts now, or after `?after=N`.
    private func stream(_ request: Request, _ context: APIContext) async throws -> Response {
        let header = request.headers[HTTPField.Name("Last-Event-ID")!]
        var start = try header.map { text -> Int64 in
            guard let id = Int64(text) else { throw HTTPError(.badRequest, message: "Last-Event-ID '\(text)': expected an event id") }
            return id
        } ?? Query.int64(request, "after")
        if start == nil { start = try await store.run { try $0.lastAlertEventID() } }
        let store = self.store
        let first = start ?? 0
        let streams = self.streams
        let ticket = try streams.admit(context.token)
        let body = ResponseBody { writer in
            defer { streams.release(ticket) }
            var watch = streams.watch(ticket, store: store)
            var cursor = first
            var quiet = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 2000\n: resuming after event \(cursor)\n\n"))
            // Until the client goes away (the write fails) or the daemon shuts down.
            while !Task.isCancelled && !Task.isShuttingDownGracefully, await watch.tokenIsLive() {
                let after = cursor
                let events = try await store.run { db in
                    try db.alertEvents(after: after, limit: 200).map { event in (event, try db.alert(id: event.alertID)) }
                }
                for (event, alert) in events {
                    cursor = event.id
                    guard let alert else { continue }
                    let json = String(decoding: try APIJSON.encoder.encode(AlertView(alert)), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.type)\ndata: \(json)\n\n"))
                    quiet = .now
                }
                if events.isEmpty {
                    if quiet.duration(to: .now) > .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        quiet = .now
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache",
                                               HTTPField.Name("X-Accel-Buffering")!: "no"], body: body)
    }
}
