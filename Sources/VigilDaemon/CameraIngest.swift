import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilMedia

/// One camera's decode loop, on its own thread: connect, decode every frame,
/// hand sampled frames to the scheduler, and reconnect with exponential
/// backoff and jitter when the source fails, stalls or ends.
///
/// Files play at their native frame rate (real time) unless `fast` is set, and
/// start again at their end when `loop` is set.
public final class CameraIngest: @unchecked Sendable {
    public let index: Int
    public let config: CameraConfig
    public let counters = CameraCounters()
    private let scheduler: FrameScheduler
    private let clock: MonotonicClock
    private let fast: Bool
    private var logger: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    /// Guarded by `lock`: the decode thread is running; it was asked to stop; `shutdown` was called.
    private var running = false
    private var stopping = false
    private var closed = false
    /// A fresh one per activation: an aborted interrupt stays aborted.
    private var interrupt = DecoderInterrupt()

    public init(index: Int, config: CameraConfig, scheduler: FrameScheduler, clock: MonotonicClock, fast: Bool, logger: Logger) {
        self.index = index
        self.config = config
        self.scheduler = scheduler
        self.clock = clock
        self.fast = fast
        self.logger = logger
        self.logger[metadataKey: "camera.id"] = .string(config.id)
    }

    /// Whether the decode thread is running (the camera is this node's and not shut down).
    public var isActive: Bool { lock.withLock { running && !stopping } }

    /// Starts decoding on a thread of its own, unless it is already running or shut down. A node in
    /// an installation activates the cameras whose leases it holds.
    public func activate() {
        let interrupt: DecoderInterrupt? = lock.withLock {
            guard !running, !closed else { return nil }
            running = true
            stopping = false
            self.interrupt = DecoderInterrupt()
            return self.interrupt
        }
        guard let interrupt else { return }
        let thread = Thread { [self] in
            run(interrupt: interrupt)
            finished.signal()
        }
        thread.name = "vigil.camera.\(config.id)"
        thread.start()
    }

    /// Stops decoding (interrupting a blocked read) and waits for the thread to end; it can be
    /// activated again, as when a lease comes back.
    public func deactivate() {
        let interrupt: DecoderInterrupt? = lock.withLock {
            guard running, !stopping else { return nil }
            stopping = true
            return self.interrupt
        }
        guard let interrupt else { return }
        interrupt.abort()
        wake.signal()
        finished.wait()
        // A wake-up the thread did not consume must not cut the next activation's first wait short.
        while wake.wait(timeout: .now()) == .success {}
        lock.withLock { running = false }
    }

    /// Stops for good: later activations are ignored (the daemon is shutting down).
    public func shutdown() {
        lock.withLock { closed = true }
        deactivate()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func run(interrupt: DecoderInterrupt) {
        let policy = config.reconnect
        var delay = policy.initialDelay
        defer { set(.stopped) }
        while !isStopping {
            set(.connecting)
            let attempt = clock.now
            do {
                var options = config.isFile ? DecoderOptions(threads: 1)
                    : DecoderOptions.camera(url: config.url, openTimeout: policy.openTimeout, stallTimeout: policy.stallTimeout)
                options.analyseFPS = config.analyseFPS
                let decoder = try MediaDecoder(source: config.url, options: options, interrupt: interrupt)
                try stream(decoder, attempt: attempt, backoff: &delay)
                if isStopping { break }
                if config.isFile {
                    if config.loop { continue }
                    set(.finished)
                    logger.info("file played to its end")
                    return waitForStop()
                }
                throw MediaError.readFailed(source: config.url, reason: "stream ended")
            } catch {
                if isStopping { break }
                let jittered = delay * Double.random(in: 0.8...1.2)
                // What viewers and the log see: never the camera's credentials.
                let shown = Redaction.text("\(error)")
                counters.update {
                    $0.reconnects += 1
                    $0.lastError = shown
                }
                set(.backoff(error: shown, retryIn: jittered))
                logger.warning("camera unavailable, retrying", metadata: ["error": "\(shown)", "retry_in_s": "\(String(format: "%.1f", jittered))"])
                _ = wake.wait(timeout: .now() + jittered)
                delay = min(delay * 2, policy.maxDelay)
            }
        }
    }

    /// Decodes until the source ends or fails. Resets the backoff once streaming has been healthy long enough.
    private func stream(_ decoder: MediaDecoder, attempt: Double, backoff delay: inout Double) throws {
        var sampler = FrameSampler(fps: config.analyseFPS, phase: FrameSampler.staggeredPhase(index: index))
        var pace: (wall: Double, media: Double)?
        var connectedAt: Double?
        var cpu = ThreadCPUClock.now
        while !isStopping, let frame = try decoder.nextFrame(convertIf: { sampler.wouldAnalyse(time: $0) }) {
            let now = clock.now
            let spent = ThreadCPUClock.now - cpu
            counters.update {
                $0.framesDecoded += 1
                $0.costs[.decode] += spent
            }
            if connectedAt == nil {
                connectedAt = now
                // A session that delivered a frame ends any outage: the next drop starts the back-off
                // again from `initial`, so a restarted camera is back within about a second. Only
                // attempts that never reach a frame back off exponentially.
                delay = config.reconnect.initialDelay
                set(.streaming)
                logger.info("streaming", metadata: ["first_frame_after_s": "\(String(format: "%.2f", now - attempt))",
                                                    "codec": "\(decoder.info.codec)", "size": "\(decoder.info.width)x\(decoder.info.height)"])
            }
            if config.isFile && !fast {
                // Real-time pacing: a file behaves like a camera.
                if let pace, frame.time >= pace.media {
                    let wait = pace.wall + (frame.time - pace.media) - clock.now
                    if wait > 0 { _ = wake.wait(timeout: .now() + wait) }
                } else {
                    pace = (now, frame.time)
                }
            }
            if let picture = frame.picture, sampler.shouldAnalyse(time: frame.time) {
                scheduler.offer(PendingFrame(camera: index, frame: picture, capturedAt: Date(), streamTime: clock.now))
            }
            cpu = ThreadCPUClock.now
        }
    }

    private func set(_ state: CameraState) {
        counters.update { $0.state = state }
    }

    private func waitForStop() {
        while !isStopping { wake.wait() }
    }
}

/// Seconds since the daemon started, never going backwards (tracks and motion gates use it).
public struct MonotonicClock: Sendable {
    private let origin = DispatchTime.now().uptimeNanoseconds

    public init() {}

    public var now: Double { Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9 }
}
