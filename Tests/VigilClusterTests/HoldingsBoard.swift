import Foundation
import VigilCluster
import VigilCore

/// The holdings each node reported last, written from the nodes' tasks and read by the test.
final class HoldingsBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var byNode: [String: Holdings] = [:]
    private var peaks: [String: Int] = [:]

    func callback(for node: String) -> @Sendable (Holdings) -> Void {
        { [self] holdings in
            lock.withLock {
                byNode[node] = holdings
                peaks[node] = max(peaks[node] ?? 0, holdings.cameras.count)
            }
        }
    }

    /// The most cameras each node reported at once since the last `resetPeaks()`.
    var peakCameras: [String: Int] { lock.withLock { peaks } }
    func resetPeaks() { lock.withLock { peaks = [:] } }

    func cameras(_ node: String) -> Set<String> { lock.withLock { byNode[node]?.cameras ?? [] } }
    func hooks(_ node: String) -> Set<String> { lock.withLock { byNode[node]?.hooks ?? [] } }
    func forget(_ node: String) { lock.withLock { byNode[node] = nil } }

    /// Waits until `condition` holds on the reported holdings; returns the seconds it took, or nil at `timeout`.
    func wait(upTo timeout: Duration, _ condition: (HoldingsBoard) -> Bool) async throws -> Double? {
        try await Waiting.until(upTo: timeout) { condition(self) }
    }
}
