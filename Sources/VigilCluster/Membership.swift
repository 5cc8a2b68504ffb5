import Foundation
import Logging
import PostgresNIO
import VigilCore

/// What a node holds after a renewal: the cameras it should analyse and the hooks it should deliver.
public struct Holdings: Sendable, Equatable {
    public var cameras: Set<String>
    public var hooks: Set<String>
    public static let none = Holdings(cameras: [], hooks: [])
    public init(cameras: Set<String>, hooks: Set<String>) {
        self.cameras = cameras
        self.hooks = hooks
    }
}

/// The kinds of things nodes lease. Each is served by exactly one live node at a time.
public enum LeaseKind: String, Sendable, CaseIterable {
    case camera, hook
}

/// Lease timing. A dead node's cameras are taken within `ttl + renewEvery`: 10 s by default,
/// leaving a camera a few seconds to reconnect within the 15 s a control room is promised. A
/// renewal is three short statements per kind every 2 s, nothing a server notices.
public struct LeaseSettings: Sendable, Equatable {
    /// How long a lease lasts without renewal.
    public var ttl: Duration
    /// How often a node renews, heartbeats and rebalances.
    public var renewEvery: Duration
    /// What a node cut off from the database does when its leases may lapse. False: it stops (no
    /// camera is ever analysed by two nodes). True: it keeps what it holds until it can renew
    /// again, as `vigil run` does, because a cut-off node's alerts are spooled and a blind camera is
    /// worse than one analysed twice while a partition lasts (the database folds the duplicate
    /// sightings into one alert when the spool is stored); it gives up what others took meanwhile
    /// at its next renewal.
    public var keepWhileCutOff: Bool
    public init(ttl: Duration = .seconds(8), renewEvery: Duration = .seconds(2), keepWhileCutOff: Bool = false) {
        self.ttl = ttl
        self.renewEvery = renewEvery
        self.keepWhileCutOff = keepWhileCutOff
    }
}

/// One node's membership of the installation, as intent-level statements on its own connection:
/// join under a unique name, renew (heartbeat, renew leases, hand back or claim to reach a fair
/// share), leave (hand everything back at once).
///
/// Times are the database server's (`now()`), so nodes' clocks never need to agree.
public struct Membership: Sendable {
    public let name: String
    public let instance: UUID
    public let cameraCapacity: Int
    public let settings: LeaseSettings
    /// The keys of each kind this node can serve (the cameras and hooks its configuration defines);
    /// it claims no others. A kind missing here is not restricted.
    public let known: [LeaseKind: Set<String>]
    let connection: PostgresConnection
    let logger: Logger

    /// Connects, migrates, and registers `name`; refuses a name a live node is using.
    public static func join(_ location: DatabaseLocation, name: String, cameraCapacity: Int?,
                            settings: LeaseSettings = LeaseSettings(), known: [LeaseKind: Set<String>] = [:],
                            logger: Logger) async throws(ClusterError) -> Membership {
        try validate(name: name)
        let connection = try await ClusterDatabase.open(location, logger: logger).connection
        do {
            let membership = Membership(name: name, instance: UUID(), cameraCapacity: min(cameraCapacity ?? Int(Int32.max), Int(Int32.max)),
                                        settings: settings, known: known, connection: connection, logger: logger)
            // A node restarted at once after a crash finds its own previous registration still
            // valid for up to one lease: it waits for that to lapse. A live node with the name
            // keeps renewing, so after a lease and a renewal interval the name is refused.
            let deadline = ContinuousClock.now + settings.ttl + settings.renewEvery
            var waiting = false
            while true {
                do {
                    try await membership.register()
                    return membership
                } catch .nodeNameInUse(let name, let seconds) where ContinuousClock.now < deadline {
                    if !waiting {
                        waiting = true
                        logger.notice("node name in use; waiting for that registration to lapse (a node restarted after a crash)",
                                      metadata: ["node": "\(name)", "last_seen_s": "\(String(format: "%.1f", seconds))"])
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Node names are shown in `vigil status` and logs and used as metric labels.
    static func validate(name: String) throws(ClusterError) {
        guard (1...63).contains(name.count) else { throw .badNodeName(name, reason: "must be 1 to 63 characters") }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw .badNodeName(name, reason: "only letters, digits, '-', '_' and '.' are allowed")
        }
    }

    private func register() async throws(ClusterError) {
        let ttl = settings.ttl.seconds
        let capacity = cameraCapacity
        let rows = try await ClusterConnection.rows(connection, """
            INSERT INTO nodes (name, instance, camera_capacity, started_at, seen_at, expires_at)
            VALUES (\(name), \(instance), \(capacity), now(), now(), now() + \(ttl) * interval '1 second')
            ON CONFLICT (name) DO UPDATE
               SET instance = excluded.instance, camera_capacity = excluded.camera_capacity,
                   started_at = excluded.started_at, seen_at = excluded.seen_at, expires_at = excluded.expires_at
             WHERE nodes.expires_at < now()
            RETURNING instance
            """, operation: "registering node \(name)", logger: logger)
        if rows.isEmpty {
            let seen = try await ClusterConnection.rows(connection,
                "SELECT extract(epoch FROM now() - seen_at)::float8 FROM nodes WHERE name = \(name)",
                operation: "reading node \(name)", logger: logger)
            let seconds = (try? seen.first?.decode(Double.self)) ?? 0
            throw .nodeNameInUse(name: name, lastSeenSecondsAgo: seconds)
        }
        logger.info("joined the installation", metadata: ["node": "\(name)", "instance": "\(instance)"])
    }

    /// Heartbeat, then for each kind: renew what is held, hand back what is over the fair share,
    /// claim free or lapsed leasables up to it. One transaction, so a node never holds a lease
    /// that its heartbeat did not also refresh. With `claiming` false it only renews and hands back.
    ///
    /// `api` is where this node's API answers (`ClusterNode.advertise`), for others to proxy to.
    public func renew(claiming: Bool = true, api: String? = nil) async throws(ClusterError) -> Holdings {
        let (name, instance, ttl, logger, known) = (name, instance, settings.ttl.seconds, logger, known)
        return try await ClusterConnection.transaction(connection, operation: "renewing leases of node \(name)", logger: logger) { connection in
            let alive = try await connection.query("""
                UPDATE nodes SET seen_at = now(), expires_at = now() + \(ttl) * interval '1 second', api = \(api)
                 WHERE name = \(name) AND instance = \(instance) RETURNING 1
                """, logger: logger).collect()
            guard !alive.isEmpty else { throw ClusterError.evicted(name: name) }
            var nodeRows: [(String, Int)] = []
            for try await row in try await connection.query(
                "SELECT name, camera_capacity FROM nodes WHERE expires_at > now()", logger: logger).decode((String, Int).self) {
                nodeRows.append(row)
            }
            var holdings = Holdings.none
            for kind in LeaseKind.allCases {
                let total = try await connection.query(
                    "SELECT count(*)::int8 FROM leasables WHERE kind = \(kind.rawValue)", logger: logger)
                    .collect().first?.decode(Int.self) ?? 0
                let nodes = nodeRows.map { FairShare.Node(name: $0.0, capacity: kind == .camera ? $0.1 : total) }
                let target = FairShare.targets(total: total, nodes: nodes)[name] ?? 0
                var held = Set<String>()
                for try await key in try await connection.query("""
                    UPDATE leases SET expires_at = now() + \(ttl) * interval '1 second'
                     WHERE holder = \(instance) AND kind = \(kind.rawValue) RETURNING key
                    """, logger: logger).decode(String.self) {
                    held.insert(key)
                }
                if held.count > target {
                    let surplus = Array(held.sorted().suffix(held.count - target))
                    try await connection.query("""
                        DELETE FROM leases WHERE holder = \(instance) AND kind = \(kind.rawValue) AND key = ANY(\(surplus))
                        """, logger: logger)
                    held.subtract(surplus)
                    logger.info("handed back for a fair share", metadata: ["node": "\(name)", "kind": "\(kind.rawValue)", "keys": "\(surplus)"])
                } else if claiming && held.count < target {
                    let wanted = target - held.count
                    let restricted = known[kind] != nil
                    let servable = (known[kind] ?? []).sorted()
                    // Two statements that never wait on a row another node has locked, so nodes
                    // renewing and claiming at the same moment cannot deadlock (one statement with an
                    // upsert did, in LeaseContentionTests): lapsed leases first, skipping any whose
                    // holder is renewing it right now; then leasables nobody has leased.
                    var claimed: [String] = []
                    for try await key in try await connection.query("""
                        UPDATE leases SET node = \(name), holder = \(instance), acquired_at = now(),
                                          expires_at = now() + \(ttl) * interval '1 second'
                         WHERE (kind, key) IN (
                               SELECT kind, key FROM leases
                                WHERE kind = \(kind.rawValue) AND expires_at < now()
                                  AND (NOT \(restricted) OR key = ANY(\(servable)))
                                ORDER BY key LIMIT \(wanted)
                                FOR NO KEY UPDATE SKIP LOCKED)
                           AND expires_at < now()
                        RETURNING key
                        """, logger: logger).decode(String.self) {
                        claimed.append(key)
                    }
                    if claimed.count < wanted {
                        for try await key in try await connection.query("""
                            INSERT INTO leases (kind, key, node, holder, acquired_at, expires_at)
                            SELECT r.kind, r.key, \(name), \(instance), now(), now() + \(ttl) * interval '1 second'
                              FROM leasables r
                             WHERE r.kind = \(kind.rawValue)
                               AND (NOT \(restricted) OR r.key = ANY(\(servable)))
                               AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.kind = r.kind AND l.key = r.key)
                             ORDER BY r.key LIMIT \(wanted - claimed.count)
                               FOR NO KEY UPDATE OF r SKIP LOCKED
                            ON CONFLICT (kind, key) DO NOTHING
                            RETURNING key
                            """, logger: logger).decode(String.self) {
                            claimed.append(key)
                        }
                    }
                    held.formUnion(claimed)
                    if !claimed.isEmpty {
                        logger.info("claimed", metadata: ["node": "\(name)", "kind": "\(kind.rawValue)", "keys": "\(claimed.sorted())"])
                    }
                }
                switch kind {
                case .camera: holdings.cameras = held
                case .hook: holdings.hooks = held
                }
            }
            return holdings
        }
    }

    /// Hands every lease back and removes the node, so others take its cameras at their next renewal.
    public func leave() async throws(ClusterError) {
        let (name, instance, logger) = (name, instance, logger)
        try await ClusterConnection.transaction(connection, operation: "leaving as node \(name)", logger: logger) { connection in
            try await connection.query("DELETE FROM leases WHERE holder = \(instance)", logger: logger)
            try await connection.query("DELETE FROM nodes WHERE name = \(name) AND instance = \(instance)", logger: logger)
        }
        logger.info("left the installation, leases handed back", metadata: ["node": "\(name)"])
    }

    /// Closes the connection without handing anything back.
    public func close() async {
        try? await connection.close()
    }
}

extension Membership {
    /// The same node process on a new connection, after the old one failed. Its row and leases are
    /// still its own unless they lapsed and were taken; the next `renew` finds out which.
    public func reconnected(to location: DatabaseLocation) async throws(ClusterError) -> Membership {
        let connection = try await ClusterConnection.open(location, logger: logger)
        return Membership(name: name, instance: instance, cameraCapacity: cameraCapacity, settings: settings,
                          known: known, connection: connection, logger: logger)
    }
}
