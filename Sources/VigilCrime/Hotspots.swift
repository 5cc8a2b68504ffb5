import CAnalytics
import Foundation
import VigilCore

/// Where incidents concentrate: k-means (OpenCV, seeded) on locally projected metres, or
/// DBSCAN over great-circle (haversine) distance, which also marks scattered incidents as noise.
public enum HotspotMethod: Sendable, Equatable {
    case kmeans(k: Int, seed: UInt64)
    /// `eps` in metres; `minSamples` counts the point itself, as scikit-learn does.
    case dbscan(epsMetres: Double, minSamples: Int)

    public var name: String {
        switch self {
        case let .kmeans(k, seed): return "k-means (k = \(k), seed \(seed))"
        case let .dbscan(eps, minSamples): return "DBSCAN (eps = \(Int(eps)) m haversine, min_samples = \(minSamples))"
        }
    }
}

public struct Hotspot: Sendable, Codable, Equatable {
    public var cluster: Int
    public var count: Int
    public var latitude: Double
    public var longitude: Double
    /// The convex hull of the members, [longitude, latitude] pairs, closed (GeoJSON order).
    public var outline: [[Double]]
    /// Share of members with a known severity that are `serious`.
    public var seriousShare: Double?
    public var topCategories: [String]
}

public struct HotspotResult: Sendable {
    public var method: HotspotMethod
    /// Cluster per incident (-1 = noise), in the input order.
    public var labels: [Int]
    public var hotspots: [Hotspot]
    public var points: [(latitude: Double, longitude: Double)]
}

public enum Hotspots {
    public static let earthRadius = 6_371_008.8

    public static func find(_ incidents: [Incident], method: HotspotMethod) throws -> HotspotResult {
        let points = incidents.map { (latitude: $0.latitude, longitude: $0.longitude) }
        let labels: [Int]
        switch method {
        case let .kmeans(k, seed):
            guard k >= 1, k <= 100 else { throw CrimeError.setting("k", "\(k) must be 1...100") }
            guard incidents.count >= k else { throw CrimeError.notEnoughData("k-means with k = \(k) needs at least \(k) incidents (have \(incidents.count))") }
            labels = try kmeans(points, k: k, seed: seed)
        case let .dbscan(eps, minSamples):
            // Hotspots are street-scale; a wider radius would make every neighbourhood the whole city (memory grows with its square).
            guard eps > 0, eps <= 2_000 else { throw CrimeError.setting("eps", "\(eps) m must be in (0, 2000]") }
            guard minSamples >= 1 else { throw CrimeError.setting("min-samples", "must be at least 1") }
            labels = dbscan(points, epsMetres: eps, minSamples: minSamples)
        }
        return HotspotResult(method: method, labels: labels, hotspots: try summarise(incidents, labels: labels), points: points)
    }

    static func kmeans(_ points: [(latitude: Double, longitude: Double)], k: Int, seed: UInt64) throws -> [Int] {
        let projected = project(points)
        var labels = [Int32](repeating: 0, count: points.count)
        var centres = [Float](repeating: 0, count: 2 * k)
        var error = [CChar](repeating: 0, count: 256)
        let status = vg_kmeans(projected.map(Float.init), Int32(points.count), Int32(k), 3, seed, &labels, &centres, &error, error.count)
        guard status == Int32(VG_OK) else {
            throw CrimeError.native(operation: "k-means", message: CrimeError.nativeText(error))
        }
        return labels.map(Int.init)
    }

    /// Metres east and north of the points' mean (equirectangular): fine over a city.
    static func project(_ points: [(latitude: Double, longitude: Double)]) -> [Double] {
        let lat0 = points.map(\.latitude).reduce(0, +) / Double(max(1, points.count))
        let lon0 = points.map(\.longitude).reduce(0, +) / Double(max(1, points.count))
        let scale = earthRadius * .pi / 180
        return points.flatMap { [($0.longitude - lon0) * scale * cos(lat0 * .pi / 180), ($0.latitude - lat0) * scale] }
    }

    /// Great-circle distance on the unit sphere, written as scikit-learn writes it, so
    /// neighbourhoods at exactly `eps` agree.
    static func haversine(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let sinLat = sin(0.5 * (b.0 - a.0)), sinLon = sin(0.5 * (b.1 - a.1))
        return 2 * asin((sinLat * sinLat + cos(a.0) * cos(b.0) * sinLon * sinLon).squareRoot())
    }

    /// DBSCAN with scikit-learn's labelling order: clusters are numbered by their first core
    /// point in input order, and a border point joins the first cluster that reaches it.
    public static func dbscan(_ points: [(latitude: Double, longitude: Double)], epsMetres: Double, minSamples: Int) -> [Int] {
        let radians = points.map { ($0.latitude * .pi / 180, $0.longitude * .pi / 180) }
        let eps = epsMetres / earthRadius
        let neighbours = neighbourhoods(points, radians: radians, eps: eps, epsMetres: epsMetres)
        let core = neighbours.map { $0.count >= minSamples }
        var labels = [Int](repeating: -1, count: points.count)
        var next = 0
        var stack: [Int] = []
        for start in points.indices where labels[start] == -1 && core[start] {
            var i = start
            while true {
                if labels[i] == -1 {
                    labels[i] = next
                    if core[i] { for j in neighbours[i] where labels[j] == -1 { stack.append(j) } }
                }
                guard let popped = stack.popLast() else { break }
                i = popped
            }
            next += 1
        }
        return labels
    }

    /// Every point's neighbours within `eps` (itself included), found through a grid of
    /// cells at least `eps` wide so only nearby cells are compared.
    private static func neighbourhoods(_ points: [(latitude: Double, longitude: Double)], radians: [(Double, Double)], eps: Double,
                                       epsMetres: Double) -> [[Int]] {
        let maxLatitude = min(89.0, points.map { abs($0.latitude) }.max() ?? 0)
        let cellLat = epsMetres / (earthRadius * .pi / 180) * 1.01
        let cellLon = cellLat / max(0.01, cos((maxLatitude + cellLat) * .pi / 180))
        struct Cell: Hashable { var r: Int; var c: Int }
        func cell(_ p: (latitude: Double, longitude: Double)) -> Cell {
            Cell(r: Int((p.latitude / cellLat).rounded(.down)), c: Int((p.longitude / cellLon).rounded(.down)))
        }
        var grid: [Cell: [Int]] = [:]
        for (i, p) in points.enumerated() { grid[cell(p), default: []].append(i) }
        return points.indices.map { i in
            let home = cell(points[i])
            var found: [Int] = []
            for dr in -1...1 {
                for dc in -1...1 {
                    for j in grid[Cell(r: home.r + dr, c: home.c + dc)] ?? [] where haversine(radians[i], radians[j]) <= eps {
                        found.append(j)
                    }
                }
            }
            return found
        }
    }

    static func summarise(_ incidents: [Incident], labels: [Int]) throws -> [Hotspot] {
        let clusters = Dictionary(grouping: incidents.indices.filter { labels[$0] >= 0 }, by: { labels[$0] })
        return try clusters.keys.sorted().map { cluster in
            let members = clusters[cluster]!.map { incidents[$0] }
            let lat = members.map(\.latitude).reduce(0, +) / Double(members.count)
            let lon = members.map(\.longitude).reduce(0, +) / Double(members.count)
            let known = members.compactMap(\.severity)
            var categories: [String: Int] = [:]
            for m in members { if let c = m.category { categories[c, default: 0] += 1 } }
            return Hotspot(cluster: cluster, count: members.count, latitude: lat, longitude: lon,
                           outline: try outline(members.map { [$0.longitude, $0.latitude] }),
                           seriousShare: known.isEmpty ? nil : Double(known.filter { $0 == "serious" }.count) / Double(known.count),
                           topCategories: categories.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3).map(\.key))
        }
    }

    /// Convex hull as a closed GeoJSON ring; fewer than 3 distinct points give the points themselves.
    static func outline(_ points: [[Double]]) throws -> [[Double]] {
        var flat = points.flatMap { $0 }
        var out = [Double](repeating: 0, count: flat.count)
        var count: Int32 = 0
        guard vg_convex_hull(&flat, Int32(points.count), &out, Int32(points.count), &count) == Int32(VG_OK) else {
            throw CrimeError.native(operation: "convex hull", message: "OpenCV refused \(points.count) points")
        }
        var ring = (0..<Int(count)).map { [out[2 * $0], out[2 * $0 + 1]] }
        if let first = ring.first { ring.append(first) }
        return ring
    }

    /// A FeatureCollection: one Polygon (hull) per cluster with its centre, count and make-up.
    public static func geoJSON(_ result: HotspotResult) throws -> Data {
        let features: [[String: Any]] = result.hotspots.map { h in
            let geometry: [String: Any] = h.outline.count >= 4
                ? ["type": "Polygon", "coordinates": [h.outline]]
                : ["type": "Point", "coordinates": [h.longitude, h.latitude]]
            var properties: [String: Any] = ["cluster": h.cluster, "count": h.count, "centre": [h.longitude, h.latitude],
                                             "top_categories": h.topCategories]
            if let share = h.seriousShare { properties["serious_share"] = share }
            return ["type": "Feature", "geometry": geometry, "properties": properties]
        }
        let noise = result.labels.filter { $0 < 0 }.count
        let collection: [String: Any] = ["type": "FeatureCollection", "features": features,
                                         "properties": ["method": result.method.name, "incidents": result.labels.count, "noise": noise]]
        return try JSONSerialization.data(withJSONObject: collection, options: [.sortedKeys])
    }

    /// The map as PNG: points by cluster, hulls, numbered centres and a legend of counts.
    public static func writeMap(_ result: HotspotResult, to path: String, title: String) throws {
        let lons = result.points.map(\.longitude), lats = result.points.map(\.latitude)
        let labels = result.labels.map(Int32.init)
        let centreLon = result.hotspots.map(\.longitude), centreLat = result.hotspots.map(\.latitude)
        let counts = result.hotspots.map { Int32($0.count) }, ids = result.hotspots.map { Int32($0.cluster) }
        var error = [CChar](repeating: 0, count: 256)
        let status = vg_plot_hotspots(path, title, lons, lats, labels, Int32(labels.count), centreLon, centreLat, ids, counts,
                                      Int32(result.hotspots.count), &error, error.count)
        guard status == Int32(VG_OK) else {
            throw CrimeError.native(operation: "hotspot map", message: CrimeError.nativeText(error))
        }
    }
}
