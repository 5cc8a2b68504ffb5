import Dispatch
import Foundation
import Logging
import VigilCluster
import VigilHooks

/// What this node runs in an installation of several: the cameras and hooks whose leases it holds.
///
/// `ClusterNode` reports holdings after each renewal that changed them; this starts the cameras
/// gained and stops the ones lost (stopping waits for a decoder thread, so it happens on a serial
/// queue of its own, never on the caller's task), and tells the dispatcher which hooks to send.
/// A report that arrives before the daemon is built is kept and applied when it is attached.
/// It also reloads the matchers when the change feed says a watchlist changed on any node.
final class NodeHoldings: @unchecked Sendable {
    private let queue = DispatchQueue(label: "vigil.node.holdings")
    private let lock = NSLock()
    private var cameras: [CameraIngest]?
    private var dispatcher: WebhookDispatcher?
    private var galleries: GalleryCache?
    private var latest: Holdings?
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// The renewal's report; returns at once.
    func report(_ holdings: Holdings) {
        lock.withLock { latest = holdings }
        queue.async { self.apply() }
    }

    func attach(cameras: [CameraIngest], dispatcher: WebhookDispatcher?, galleries: GalleryCache) {
        lock.withLock {
            self.cameras = cameras
            self.dispatcher = dispatcher
            self.galleries = galleries
        }
        queue.async { self.apply() }
    }

    /// A watchlist changed somewhere in the installation: reload now rather than at the next poll.
    func watchlistsChanged() {
        guard let galleries = lock.withLock({ self.galleries }) else { return }
        DispatchQueue.global().async { [logger] in
            do { try galleries.refresh() } catch { logger.warning("watchlists not reloaded", metadata: ["error": "\(error)"]) }
        }
    }

    /// Cameras this node holds and runs, for status reports.
    var heldCameras: Set<String> { lock.withLock { latest?.cameras ?? [] } }

    private func apply() {
        let (cameras, dispatcher, holdings) = lock.withLock { (self.cameras, self.dispatcher, latest) }
        guard let cameras, let holdings else { return }
        dispatcher?.serve(only: holdings.hooks)
        let stopping = cameras.filter { !holdings.cameras.contains($0.config.id) && $0.isActive }
        let starting = cameras.filter { holdings.cameras.contains($0.config.id) && !$0.isActive }
        guard !stopping.isEmpty || !starting.isEmpty else { return }
        logger.notice("holdings changed", metadata: ["cameras": "\(holdings.cameras.sorted())", "hooks": "\(holdings.hooks.sorted())",
                                                     "starting": "\(starting.map(\.config.id))", "stopping": "\(stopping.map(\.config.id))"])
        // Lost cameras stop before new ones start: the node never runs more than it holds.
        stopping.forEach { $0.deactivate() }
        starting.forEach { $0.activate() }
    }
}
