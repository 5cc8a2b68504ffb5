import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import VigilAPI
import VigilCluster

/// Who in the installation runs which camera, and where each node's API answers: read from the
/// shared database every `every`, so this node's API can name a camera's holder and forward its
/// preview there. A camera this node's own leases say it runs is always `here`, whatever the
/// last read said.
final class NodeDirectory: CameraPlacement, Service, Sendable {
    private let location: DatabaseLocation
    private let name: String
    private let holdings: NodeHoldings
    private let every: Duration
    private let logger: Logger
    private let latest = NIOLockedValueBox<ClusterStatus?>(nil)

    init(location: DatabaseLocation, name: String, holdings: NodeHoldings, every: Duration = .seconds(2), logger: Logger) {
        self.location = location
        self.name = name
        self.holdings = holdings
        self.every = every
        self.logger = logger
    }

    func holder(of camera: String) async -> CameraHolder {
        if holdings.heldCameras.contains(camera) { return .here }
        guard let status = latest.withLockedValue({ $0 }) else { return .nobody }
        guard let node = status.holders(.camera)[camera] ?? nil, node != name else { return .nobody }
        return .node(name: node, api: status.nodes.first { $0.name == node && $0.alive }?.api)
    }

    func holders() async -> [String: String] {
        var holders = (latest.withLockedValue { $0 }?.holders(.camera) ?? [:]).compactMapValues { $0 }
        for camera in holdings.heldCameras { holders[camera] = name }
        return holders
    }

    /// Whether this node is the first live node by name: the one that runs what only one node
    /// of the installation may (the scheduled crime retrain). False until the first read.
    func leads() async -> Bool {
        guard let status = latest.withLockedValue({ $0 }) else { return false }
        return status.nodes.filter(\.alive).map(\.name).min() == name
    }

    func run() async throws {
        var database: ClusterDatabase?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if database == nil { database = try await ClusterDatabase.open(location, logger: logger) }
                let status = try await database!.status()
                latest.withLockedValue { $0 = status }
            } catch {
                logger.debug("node directory not refreshed", metadata: ["error": "\(error)"])
                await database?.close()
                database = nil
            }
            try? await Task.sleep(for: every)
        }
        await database?.close()
    }
}
