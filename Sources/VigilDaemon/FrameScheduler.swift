import Foundation
import VigilCore

/// A frame waiting for analysis, with when it was captured (wall clock, for latency).
public struct PendingFrame: Sendable {
    public var camera: Int
    public var frame: Frame
    public var capturedAt: Date
    /// The daemon's monotonic clock at capture (seconds).
    public var streamTime: Double

    public init(camera: Int, frame: Frame, capturedAt: Date, streamTime: Double) {
        self.camera = camera
        self.frame = frame
        self.capturedAt = capturedAt
        self.streamTime = streamTime
    }
}

/// The hand-off between camera decoders and analysis workers.
///
/// Each camera has a one-frame, newest-wins slot: a decoder never waits for
/// analysis, and a frame that is replaced before a worker takes it is counted
/// as dropped. A camera is analysed by at most one worker at a time (its
/// tracker sees frames in order); workers take cameras round-robin so a busy
/// camera cannot starve the others. Real time means dropping, never lagging.
public final class FrameScheduler: @unchecked Sendable {
    private let condition = NSCondition()
    private var slots: [PendingFrame?]
    private var busy: [Bool]
    private var dropped: [Int]
    private var next = 0
    private var closed = false

    public init(cameras: Int) {
        slots = Array(repeating: nil, count: cameras)
        busy = Array(repeating: false, count: cameras)
        dropped = Array(repeating: 0, count: cameras)
    }

    /// Offers a frame; replaces (and counts as dropped) any frame still waiting for that camera.
    public func offer(_ frame: PendingFrame) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if slots[frame.camera] != nil { dropped[frame.camera] += 1 }
        slots[frame.camera] = frame
        condition.signal()
    }

    /// Blocks until a camera that no worker is analysing has a frame; nil once closed and drained.
    public func take() -> PendingFrame? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            for offset in 0..<slots.count {
                let camera = (next + offset) % slots.count
                if !busy[camera], let frame = slots[camera] {
                    slots[camera] = nil
                    busy[camera] = true
                    next = (camera + 1) % slots.count
                    return frame
                }
            }
            if closed { return nil }
            condition.wait()
        }
    }

    /// A worker has finished with `camera`'s frame.
    public func done(camera: Int) {
        condition.lock()
        busy[camera] = false
        condition.broadcast()
        condition.unlock()
    }

    /// No more frames will be offered; workers drain what is waiting, then `take` returns nil.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public func droppedFrames(camera: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped[camera]
    }
}
