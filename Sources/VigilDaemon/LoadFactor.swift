import Foundation
import Logging

/// How far the node stretches every camera's detection interval because it
/// cannot keep up: 1 when it can.
///
/// Dropping frames is how Vigil stays real time, but a node asked for more
/// cameras than it can hold should not let some cameras starve while others
/// run at full rate. Each second the monitor looks at the share of sampled
/// frames dropped across all cameras and at how busy the node's cores are.
/// Detection is stretched (one shared factor, which every camera's `FaceStage`
/// applies to its detection interval, so all cameras give up detections in the
/// same proportion and tracking keeps running on every camera at its full frame
/// rate) when more than `stretchAbove` of the frames were dropped while the
/// cores were at least `busyAbove` busy, or when more than `severe` were
/// dropped whatever the cores did. A few frames dropped on cores with time to
/// spare are the bursts of a node within capacity (two jobs of 100 ms at once):
/// stretching would not remove them, only search less. The factor eases back
/// when drops stop or the cores have time to spare, and holds in between, so
/// the node does not climb back into drops every few seconds. Three seconds in a
/// row of stretching, or a factor of `overAt` however it was reached (seconds of
/// stretching with holds between them), mark the node over capacity (start-up is not): it keeps
/// every camera in real time only by searching for new faces less often than
/// configured.
public final class LoadFactor: @unchecked Sendable {
    public static let maximum = 8.0
    /// Dropped share (of frames offered) above which detection is stretched when the cores are busy.
    public let stretchAbove = 0.04
    /// Dropped share above which detection is stretched however busy the cores are.
    public let severe = 0.10
    /// Share of the node's cores in use above which drops are taken for a lack of capacity.
    public let busyAbove = 0.80
    /// Dropped share below which, or a share of the cores below which, the factor eases back towards 1.
    public let relaxBelow = 0.01
    public let idleBelow = 0.70
    private let lock = NSLock()
    private var value = 1.0
    private var over = false
    private var last: (offered: Int, dropped: Int)?
    /// Consecutive seconds of stretching: start-up and one slow second are not "over capacity".
    private var overSeconds = 0
    public let sustained = 3
    /// A factor from which the node is over capacity however it climbed there: two stretches net.
    public let overAt = 1.5

    public init() {}

    public var factor: Double { lock.withLock { value } }
    public var overCapacity: Bool { lock.withLock { over } }

    /// Called once a second with the totals over all cameras: frames offered to analysis
    /// (handled plus dropped) and frames dropped, and the share of the node's cores the process
    /// used over that second (0...1). Logs when the node goes over or back under capacity.
    func sample(offered: Int, dropped: Int, busy: Double, logger: Logger) {
        lock.lock()
        defer { lock.unlock() }
        defer { last = (offered, dropped) }
        guard let last, offered > last.offered else { return }
        let share = Double(dropped - last.dropped) / Double(offered - last.offered)
        if share > severe || (share > stretchAbove && busy >= busyAbove) {
            value = min(Self.maximum, value * 1.25)
            overSeconds += 1
            if !over && (overSeconds >= sustained || value >= overAt) {
                over = true
                logger.warning("over capacity: cameras degrade evenly (detection interval stretched)",
                               metadata: ["dropped_share": "\(String(format: "%.2f", share))",
                                          "cores_busy": "\(String(format: "%.2f", busy))",
                                          "detect_interval_factor": "\(String(format: "%.2f", value))"])
            }
        } else {
            overSeconds = 0
            if share < relaxBelow || busy < idleBelow {
                value = max(1, value / 1.05)
                if over && value == 1 {
                    over = false
                    logger.info("back within capacity")
                }
            }
        }
    }
}

/// The share of the machine's cores this process used since the last call (0...1): the load
/// factor's second input, read once a second by the status report.
final class CoreUse: @unchecked Sendable {
    private let lock = NSLock()
    private var last: (cpu: Double, wall: Double)?
    private let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))

    func busy() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        let now = (cpu: Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9, wall: Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
        return lock.withLock {
            defer { last = now }
            guard let last, now.wall > last.wall else { return 0 }
            return min(1, (now.cpu - last.cpu) / (now.wall - last.wall) / cores)
        }
    }
}
