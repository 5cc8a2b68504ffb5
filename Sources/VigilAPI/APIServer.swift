import Foundation
import Hummingbird
import Logging
import VigilStore

/// Builds the HTTP application: health endpoints and the OpenAPI document without a token,
/// everything under `/v1` behind `Authenticator`.
public enum APIServer {
    public static func router(store: StoreAccess, environment: APIEnvironment,
                              limiter: FailureLimiter = FailureLimiter()) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: SecurityHeaders<APIContext>())
        router.add(middleware: ErrorMapper<APIContext>())
        router.add(middleware: MethodGuard<APIContext>(document: OpenAPIDocument.data))
        router.get("healthz") { _, _ in Message(status: "ok", detail: nil) }
        router.get("readyz") { _, _ -> Response in
            let databaseOK = (try? await store.run { try $0.lastAlertEventID() }) != nil
            guard databaseOK, environment.ready() else {
                throw HTTPError(.serviceUnavailable, message: databaseOK ? "starting" : "database not readable")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"ready\"}")))
        }
        // Unauthenticated like most exporters; the API binds to loopback unless configured otherwise.
        router.get("metrics") { _, _ -> Response in
            guard let metrics = environment.metrics else { throw HTTPError(.notFound, message: "no metrics in this process") }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("v1/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
        }
        // The control-room page: static files, no token (the page asks for one).
        for (path, file, type) in [("/", "index.html", "text/html; charset=utf-8"), ("app.js", "app.js", "text/javascript; charset=utf-8"),
                                   ("app.css", "app.css", "text/css; charset=utf-8"),
                                   ("cases.js", "cases.js", "text/javascript; charset=utf-8")] {
            let data = WebAsset.data(file)
            router.get(RouterPath(path)) { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache",
                                                .contentSecurityPolicy: "default-src 'self'; img-src 'self' blob:; style-src 'self'"],
                         body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        let v1 = router.group("v1").add(middleware: Authenticator(store: store, limiter: limiter, trustedProxies: environment.trustedProxies))
        Routes(store: store, environment: environment, streams: StreamGuard(limit: environment.maxStreamsPerToken)).add(to: v1)
        return router
    }
}

enum WebAsset {
    static func data(_ name: String) -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/web"),
              let data = try? Data(contentsOf: url) else { return Data("missing \(name)".utf8) }
        return data
    }
}

enum OpenAPIDocument {
    static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else { return Data("{}".utf8) }
        return data
    }()
}
