import CoreMetrics
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A node's membership as a `Service`: renews every `renewEvery`, reports what it holds whenever
/// that changes, and survives losing the database.
///
/// - A graceful shutdown hands every lease back at once, so others take over at their next renewal.
/// - Cancellation stops at once without handing back, as a crash would: the leases lapse after `ttl`.
/// - While the database cannot be reached, the node keeps what it holds only as long as its leases
///   can still be valid (`ttl` from the last renewal that was sent, by the monotonic clock); then it
///   reports holding nothing, so no camera is ever analysed by two nodes at once. With
///   `keepWhileCutOff` it keeps them, and learns at the next renewal which ones others took.
public final class ClusterNode: Service, Sendable {
    public let location: DatabaseLocation
    private let membership: Membership
    private let logger: Logger
    private let metrics: ClusterMetrics
    private let onChange: @Sendable (Holdings) -> Void
    private let api = NIOLockedValueBox<String?>(nil)

    /// Joins first, so a wrong address or a duplicate name fails start-up with a clear error.
    public static func join(_ location: DatabaseLocation, name: String, cameraCapacity: Int?,
                            settings: LeaseSettings = LeaseSettings(), known: [LeaseKind: Set<String>] = [:], logger: Logger,
                            metrics: any MetricsFactory = MetricsSystem.factory,
                            onChange: @escaping @Sendable (Holdings) -> Void) async throws(ClusterError) -> ClusterNode {
        guard settings.ttl >= settings.renewEvery * 2 else { throw .badLeaseTiming(ttl: "\(settings.ttl)", renewEvery: "\(settings.renewEvery)") }
        var logger = logger
        logger[metadataKey: "node"] = "\(name)"
        let membership = try await Membership.join(location, name: name, cameraCapacity: cameraCapacity,
                                                   settings: settings, known: known, logger: logger)
        return ClusterNode(location: location, membership: membership, logger: logger,
                           metrics: ClusterMetrics(factory: metrics), onChange: onChange)
    }

    private init(location: DatabaseLocation, membership: Membership, logger: Logger, metrics: ClusterMetrics,
                 onChange: @escaping @Sendable (Holdings) -> Void) {
        self.location = location
        self.membership = membership
        self.logger = logger
        self.metrics = metrics
        self.onChange = onChange
    }

    public var name: String { membership.name }

    /// Where this node's API answers (known once it has bound its port): written with every
    /// renewal, so other nodes can proxy a camera's preview here.
    public func advertise(api url: String) {
        api.withLockedValue { $0 = url }
    }

    public func run() async throws {
        let clock = ContinuousClock()
        let settings = membership.settings
        var membership = self.membership
        var connected = true
        var reported: Holdings? = nil
        var validUntil = clock.now
        var outageSince: ContinuousClock.Instant? = nil
        // After an outage, claims wait two renewal intervals: when the database itself was away,
        // every node comes back within about one interval, and a node back first would otherwise
        // see the others' rows lapsed, believe itself alone, and take their cameras.
        var claimsFrom = clock.now
        var warnedLapse = false
        func report(_ holdings: Holdings) {
            guard holdings != reported else { return }
            reported = holdings
            metrics.held(holdings)
            onChange(holdings)
        }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let sent = clock.now
            switch await Self.attempt(membership, connected: connected, claiming: outageSince == nil && sent >= claimsFrom,
                                      api: api.withLockedValue { $0 }, location: location, within: settings.renewEvery) {
            case .success(let (current, holdings)):
                membership = current
                if outageSince != nil { claimsFrom = clock.now + settings.renewEvery * 2 }
                connected = true
                validUntil = sent + settings.ttl
                metrics.renewed(seconds: (clock.now - sent).seconds)
                warnedLapse = false
                if let since = outageSince {
                    logger.notice("database reachable again", metadata: ["outage.seconds": "\(since.duration(to: clock.now))"])
                    outageSince = nil
                }
                report(holdings)
            case .failure(.evicted(let name)):
                report(.none)
                await membership.close()
                throw ClusterError.evicted(name: name)
            case .failure(let error):
                metrics.failed()
                if outageSince == nil {
                    outageSince = sent
                    logger.error("cannot renew leases", metadata: ["error": "\(error)"])
                }
                if connected {
                    // Not awaited: closing a connection whose peer vanished can itself wait.
                    let stale = membership
                    Task { await stale.close() }
                }
                connected = false
                // The next attempt starts after one interval and may take another. If the leases
                // could lapse by then, stop analysing now, before any other node can take over.
                if clock.now + settings.renewEvery * 2 >= validUntil {
                    if !settings.keepWhileCutOff { report(.none) }
                    else if reported != nil && reported != Holdings.none && !warnedLapse {
                        warnedLapse = true
                        logger.warning("leases may lapse while the database is away: keeping this node's cameras running; others may take them meanwhile")
                    }
                }
            }
            await Self.sleep(settings.renewEvery)
        }
        if Task.isShuttingDownGracefully && !Task.isCancelled && connected {
            report(.none)
            do { try await membership.leave() } catch { logger.error("could not hand leases back", metadata: ["error": "\(error)"]) }
        }
        await membership.close()
    }

    /// One renewal, reconnecting first when the last one failed, bounded by `limit` as a whole.
    ///
    /// An attempt that does not answer in time is a failed one: a connection whose peer vanished (a
    /// cable pulled, a backend killed) can leave a connect or a statement waiting for ever while the
    /// leases run out; postgres-nio 1.33 was seen waiting on a backend that PostgreSQL had
    /// terminated. The late attempt is left behind on its own task and closes any connection it
    /// opened when it ends.
    private static func attempt(_ membership: Membership, connected: Bool, claiming: Bool, api: String?, location: DatabaseLocation,
                                within limit: Duration) async -> Result<(Membership, Holdings), ClusterError> {
        let race = FirstAnswer<Result<(Membership, Holdings), ClusterError>>()
        return await withCheckedContinuation { continuation in
            race.arm(continuation)
            Task {
                let current: Membership
                do throws(ClusterError) {
                    current = connected ? membership : try await membership.reconnected(to: location)
                } catch {
                    race.answer(.failure(error))
                    return
                }
                do throws(ClusterError) {
                    let holdings = try await current.renew(claiming: claiming, api: api)
                    if !race.answer(.success((current, holdings))) && !connected { await current.close() }
                } catch {
                    race.answer(.failure(error))
                    if !connected { await current.close() }
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                race.answer(.failure(.query(operation: "renewing leases of node \(membership.name)", reason: "no answer within \(limit)")))
            }
        }
    }

    /// Sleeps `duration`, waking early on a graceful shutdown or cancellation.
    private static func sleep(_ duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await gracefulShutdown() }
            group.addTask { try? await Task.sleep(for: duration) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Resumes a continuation with the first of several answers; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    func arm(_ continuation: CheckedContinuation<Value, Never>) {
        lock.withLock { self.continuation = continuation }
    }

    /// Whether this answer was the first.
    @discardableResult
    func answer(_ value: Value) -> Bool {
        let waiting = lock.withLock { () -> CheckedContinuation<Value, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
        return waiting != nil
    }
}
