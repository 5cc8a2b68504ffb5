import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Crime scoring as the daemon runs it (`services: [crime]`). Bodies go in and JSON comes
/// out as bytes: the models (XGBoost, OpenCV) stay behind the daemon's serial queue and the
/// API links none of them. Errors are `UploadError`s (4xx) naming the field.
public protocol CrimeService: Sendable {
    /// Stores one incident (JSON); answers the stored incident.
    func addIncident(_ body: Data) async throws -> Data
    /// Records a case's outcome (`{"arrest": true}` and/or `{"severity": "serious"}`).
    func recordOutcome(source: String, id: String, body: Data) async throws -> Data
    /// Scores one incident with the task's production model.
    func score(_ body: Data, task: String) async throws -> Data
    /// Clusters as a GeoJSON FeatureCollection.
    func hotspots(_ query: HotspotQuery) async throws -> Data
    /// The registry (no model bytes).
    func models(task: String?) async throws -> Data
}

public struct HotspotQuery: Sendable, Equatable {
    public var method = "kmeans"
    public var k = 8
    public var seed: UInt64 = 42
    public var epsMetres = 150.0
    public var minSamples = 25
    /// Only incidents of the last `days` days before the newest one (nil: all).
    public var days: Int?
}

extension Routes {
    static let crimeDisabled = HTTPError(.notFound, message: "the crime service is not enabled (add `services: [crime]` to vigil.yaml)")

    func addCrime(_ group: RouterGroup<APIContext>) {
        group.post("crime/incidents") { request, context -> Response in
            try context.require(.operator)
            guard let crime = environment.crime else { throw Self.crimeDisabled }
            return Self.json(try await crime.addIncident(try await Self.body(request)), status: .created)
        }
        group.post("crime/incidents/:source/:id/outcome") { request, context -> Response in
            try context.require(.operator)
            guard let crime = environment.crime else { throw Self.crimeDisabled }
            let source = try context.pathText("source"), id = try context.pathText("id")
            return Self.json(try await crime.recordOutcome(source: source, id: id, body: try await Self.body(request)))
        }
        group.post("crime/score") { request, context -> Response in
            try context.require(.viewer)
            guard let crime = environment.crime else { throw Self.crimeDisabled }
            let task = request.uri.queryParameters.get("task") ?? "severity"
            guard ["severity", "arrest"].contains(task) else { throw HTTPError(.badRequest, message: "task: expected severity or arrest") }
            return Self.json(try await crime.score(try await Self.body(request), task: task))
        }
        group.get("crime/hotspots") { request, context -> Response in
            try context.require(.viewer)
            guard let crime = environment.crime else { throw Self.crimeDisabled }
            let q = request.uri.queryParameters
            var query = HotspotQuery()
            if let method = q.get("method") {
                guard ["kmeans", "dbscan"].contains(method) else { throw HTTPError(.badRequest, message: "method: expected kmeans or dbscan") }
                query.method = method
            }
            query.k = try Self.number(q.get("k"), "k", 1...100).map { Int($0) } ?? query.k
            query.seed = try Self.number(q.get("seed"), "seed", 0...1e15).map { UInt64($0) } ?? query.seed
            query.epsMetres = try Self.number(q.get("eps"), "eps", 1...2_000) ?? query.epsMetres
            query.minSamples = try Self.number(q.get("min_samples"), "min_samples", 1...10_000).map { Int($0) } ?? query.minSamples
            query.days = try Self.number(q.get("days"), "days", 1...3650).map { Int($0) }
            return Self.json(try await crime.hotspots(query), type: "application/geo+json")
        }
        group.get("crime/models") { request, context -> Response in
            try context.require(.viewer)
            guard let crime = environment.crime else { throw Self.crimeDisabled }
            return Self.json(try await crime.models(task: request.uri.queryParameters.get("task")))
        }
    }

    static func body(_ request: Request) async throws -> Data {
        Data(buffer: try await request.body.collect(upTo: 64 * 1024))
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok, type: String = "application/json; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
