import Foundation
import Logging

/// How far the node stretches every camera's detection interval because it
/// cannot keep up: 1 when it can.
///
/// Dropping frames is how Vigil stays real time, but a node asked for more
/// cameras than it can hold should not let some cameras starve while others
/// run at full rate. The monitor watches the share of sampled frames dropped
/// across all cameras each second. Above `stretchAbove` it raises one shared
/// factor, which every camera's `FaceStage` applies to its detection interval,
/// so all cameras give up detections in the same proportion and tracking keeps
/// running on every camera at its full frame rate; below `relaxBelow` it eases
/// back, slowly. Between the two it holds: a controller that only eased back
/// once drops stopped would climb back into them every few seconds, and each
/// climb costs frames. Three seconds in a row of stretching mark the node
/// over capacity (start-up is not): it keeps every camera in real time only by
/// searching for new faces less often than configured.
public final class LoadFactor: @unchecked Sendable {
    public static let maximum = 8.0
    /// Dropped share (of frames offered) above which detection is stretched further.
    public let stretchAbove = 0.04
    /// Dropped share below which the factor eases back towards 1.
    public let relaxBelow = 0.01
    private let lock = NSLock()
    private var value = 1.0
    private var over = false
    private var last: (offered: Int, dropped: Int)?
    /// Consecutive seconds above `stretchAbove`: start-up and one slow second are not "over capacity".
    private var overSeconds = 0
    public let sustained = 3

    public init() {}

    public var factor: Double { lock.withLock { value } }
    public var overCapacity: Bool { lock.withLock { over } }

    /// Called once a second with the totals over all cameras: frames offered to analysis
    /// (handled plus dropped) and frames dropped. Logs when the node goes over or back under capacity.
    func sample(offered: Int, dropped: Int, logger: Logger) {
        lock.lock()
        defer { lock.unlock() }
        defer { last = (offered, dropped) }
        guard let last, offered > last.offered else { return }
        let share = Double(dropped - last.dropped) / Double(offered - last.offered)
        if share > stretchAbove {
            value = min(Self.maximum, value * 1.25)
            overSeconds += 1
            if !over && overSeconds >= sustained {
                over = true
                logger.warning("over capacity: cameras degrade evenly (detection interval stretched)",
                               metadata: ["dropped_share": "\(String(format: "%.2f", share))",
                                          "detect_interval_factor": "\(String(format: "%.2f", value))"])
            }
        } else {
            overSeconds = 0
            if share < relaxBelow {
                value = max(1, value / 1.05)
                if over && value == 1 {
                    over = false
                    logger.info("back within capacity")
                }
            }
        }
    }
}
