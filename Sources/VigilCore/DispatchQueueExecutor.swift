import Dispatch

/// A serial executor backed by one DispatchQueue.
///
/// Actors that call blocking C libraries (FFmpeg, OpenCV, dlib) run on one of
/// these instead of Swift's cooperative pool, which has one thread per core
/// and must never be blocked for tens of milliseconds. This is the pattern
/// GRDB uses for its database connections.
public final class DispatchQueueExecutor: SerialExecutor, @unchecked Sendable {
    public let queue: DispatchQueue

    public init(label: String, qos: DispatchQoS = .userInitiated) {
        queue = DispatchQueue(label: label, qos: qos)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
