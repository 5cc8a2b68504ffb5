import Foundation
import Hummingbird
import VigilConfig
import VigilCore
import VigilStore

/// The `/v1` API. Every route states the role it needs; `Authenticator` has already
/// refused requests without a valid token, and every change is audit-logged as `api:<token>`.
struct Routes: Sendable {
    let store: StoreAccess
    let environment: APIEnvironment
    let streams: StreamGuard

    func add(to group: RouterGroup<APIContext>) {
        addCameras(group)
        addPreviews(group)
        addWatchlists(group)
        addAlerts(group)
        addHooks(group)
        addTokens(group)
        addEEG(group)
        addCrime(group)
        addCases(group)
        group.get("me") { _, context -> TokenView in
            try context.require(.viewer)
            return TokenView(context.token!)
        }
        group.get("audit") { request, context -> [AuditEntry] in
            try context.require(.operator)
            let watchlist = request.uri.queryParameters.get("watchlist")
            let limit = try Query.limit(request)
            return try await store.run { try $0.auditLog(watchlist: watchlist, limit: limit) }
        }
    }

    private func addCameras(_ group: RouterGroup<APIContext>) {
        group.get("cameras") { _, context -> [CameraView] in
            try context.require(.viewer)
            let status = try await store.run { try $0.cameraStatus() }
            let rates = environment.frameRates?() ?? [:]
            let holders = await environment.placement?.holders()
            return environment.cameras.map { camera in
                var view = CameraView(camera, status: status.first { $0.cameraID == camera.id }, rates: rates[camera.id])
                // Rates are this node's own measurements: for a camera another node runs, the status row's.
                if let holders {
                    view.node = holders[camera.id]
                    if holders[camera.id] != environment.nodeName {
                        view.fpsAnalysed = nil
                        view.fpsDecoded = nil
                    }
                }
                return view
            }
        }
    }

    private func addHooks(_ group: RouterGroup<APIContext>) {
        group.get("hooks") { _, context -> [HookView] in
            try context.require(.viewer)
            let stats = try await store.run { try $0.hookStats() }
            // Where alerts go is for admins only, and even then without secrets in the URL or arguments.
            let isAdmin = (context.token?.role ?? .viewer) >= .admin
            return environment.hooks.map { hook in
                let s = stats.first { $0.hook == hook.name } ?? HookStats(hook: hook.name)
                return HookView(name: hook.name, type: hook.kind, destination: isAdmin ? hook.shownDestination : nil,
                                watchlists: hook.filter.watchlists,
                                cameras: hook.filter.cameras, kinds: hook.filter.kinds, events: hook.filter.events, timeout: hook.timeout,
                                pending: s.pending, delivered: s.delivered, dead: s.dead,
                                latencyP50Ms: s.latencyP50.map { $0 * 1000 }, latencyP99Ms: s.latencyP99.map { $0 * 1000 })
            }
        }
        group.get("deliveries") { request, context -> [DeliveryView] in
            try context.require(.viewer)
            let state = try request.uri.queryParameters.get("state").map { text -> Delivery.State in
                guard let state = Delivery.State(rawValue: text) else {
                    throw HTTPError(.badRequest, message: "state '\(text)': expected pending, delivered or dead")
                }
                return state
            }
            let hook = request.uri.queryParameters.get("hook")
            let limit = try Query.limit(request)
            return try await store.run { try $0.deliveries(state: state, hook: hook, limit: limit) }.map(DeliveryView.init)
        }
        group.post("deliveries/:id/retry") { _, context -> Message in
            try context.require(.admin)
            let id = try context.parameters.require("id", as: Int64.self)
            let actor = context.actor
            _ = try await store.run { try $0.retryDeliveries(ids: [id], actor: actor) }
            environment.requeued()
            return Message(status: "requeued", detail: "delivery \(id)")
        }
    }

    private func addTokens(_ group: RouterGroup<APIContext>) {
        struct NewToken: Decodable { var name: String; var role: String }
        group.get("tokens") { _, context -> [TokenView] in
            try context.require(.admin)
            return try await store.run { try $0.tokens() }.map { TokenView($0) }
        }
        group.post("tokens") { request, context -> EditedResponse<TokenView> in
            try context.require(.admin)
            let input = try await request.decode(as: NewToken.self, context: context)
            guard let role = Role(rawValue: input.role) else {
                throw HTTPError(.badRequest, message: "role '\(input.role)': expected \(Role.names)")
            }
            let actor = context.actor
            let (token, secret) = try await store.run { try $0.createToken(name: input.name, role: role, actor: actor) }
            return EditedResponse(status: .created, response: TokenView(token, secret: secret))
        }
        group.delete("tokens/:name") { _, context -> Response in
            try context.require(.admin)
            let name = try context.pathText("name")
            let actor = context.actor
            try await store.run { try $0.revokeToken(name: name, actor: actor) }
            return Response(status: .noContent)
        }
    }
}

/// Query-string helpers with messages that name the parameter.
enum Query {
    static func limit(_ request: Request, default value: Int = 50) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return value }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw HTTPError(.badRequest, message: "limit '\(text)': expected a whole number from 1 to 1000")
        }
        return limit
    }

    static func int64(_ request: Request, _ name: String) throws -> Int64? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int64(text), value >= 0 else { throw HTTPError(.badRequest, message: "\(name) '\(text)': expected a whole number") }
        return value
    }

    static func bool(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw HTTPError(.badRequest, message: "\(name) '\(text)': expected true or false")
        }
    }

    static func date(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw HTTPError(.badRequest, message: "\(name) '\(text)': expected an ISO 8601 time such as 2026-11-22T10:00:00Z")
    }
}
