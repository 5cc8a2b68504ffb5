import Foundation
import Logging
import PostgresNIO

/// Who is in the installation and who holds what, as `vigil status` shows it.
public struct ClusterStatus: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var name: String
        public var cameraCapacity: Int
        public var secondsSinceSeen: Double
        public var alive: Bool
        /// Where its API answers, as it advertised it (nil until it has bound its port).
        public var api: String?
    }
    public struct Lease: Sendable, Equatable {
        public var kind: LeaseKind
        public var key: String
        /// The node holding it, nil when it is free or its lease lapsed.
        public var holder: String?
    }
    public var nodes: [Node]
    public var leases: [Lease]

    /// The holder of each leasable of `kind`, by key.
    public func holders(_ kind: LeaseKind) -> [String: String?] {
        Dictionary(uniqueKeysWithValues: leases.filter { $0.kind == kind }.map { ($0.key, $0.holder) })
    }

    static func read(_ connection: PostgresConnection, logger: Logger) async throws(ClusterError) -> ClusterStatus {
        var status = ClusterStatus(nodes: [], leases: [])
        for row in try await ClusterConnection.rows(connection, """
            SELECT name, camera_capacity::int8, extract(epoch FROM now() - seen_at)::float8, expires_at > now(), api
              FROM nodes ORDER BY name
            """, operation: "reading nodes", logger: logger) {
            do {
                let (name, capacity, seconds, alive, api) = try row.decode((String, Int, Double, Bool, String?).self)
                status.nodes.append(Node(name: name, cameraCapacity: capacity, secondsSinceSeen: seconds, alive: alive, api: api))
            } catch {
                throw .query(operation: "reading nodes", reason: ClusterError.reason(error))
            }
        }
        for row in try await ClusterConnection.rows(connection, """
            SELECT r.kind, r.key, CASE WHEN l.expires_at > now() THEN l.node END
              FROM leasables r LEFT JOIN leases l ON l.kind = r.kind AND l.key = r.key
             ORDER BY r.kind, r.key
            """, operation: "reading leases", logger: logger) {
            do {
                let (kind, key, holder) = try row.decode((String, String, String?).self)
                guard let kind = LeaseKind(rawValue: kind) else { continue }
                status.leases.append(Lease(kind: kind, key: key, holder: holder))
            } catch {
                throw .query(operation: "reading leases", reason: ClusterError.reason(error))
            }
        }
        return status
    }
}
