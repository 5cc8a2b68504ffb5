import Dispatch
import VigilCore
import VigilMedia

/// A decoded frame chosen for analysis, with what it cost to get there.
public struct SampledFrame: Sendable {
    public var frame: Frame
    /// Time spent decoding since the previous sampled frame (every frame in between is decoded).
    public var decodeMilliseconds: Double
}

/// Decodes one source on its own serial queue (FFmpeg calls block) and hands
/// on only the frames the sampler picks. Every frame is decoded; only those are converted.
public actor MediaReader {
    private let executor: DispatchQueueExecutor
    private let decoder: MediaDecoder
    private var sampler: FrameSampler
    public nonisolated let info: MediaInfo

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(source: String, fps: Double, options: DecoderOptions = DecoderOptions()) throws {
        executor = DispatchQueueExecutor(label: "vigil.decode")
        decoder = try MediaDecoder(source: source, options: options)
        sampler = FrameSampler(fps: fps)
        info = decoder.info
    }

    /// The next frame to analyse, or nil at the end. Throws after the last good
    /// frame if the source turned out truncated or unreadable.
    public func next() throws -> SampledFrame? {
        let start = DispatchTime.now()
        // Only the frames the sampler will take are converted to BGR.
        while let decoded = try decoder.nextFrame(convertIf: { sampler.wouldAnalyse(time: $0) }) {
            if let frame = decoded.picture, sampler.shouldAnalyse(time: decoded.time) {
                return SampledFrame(frame: frame, decodeMilliseconds: elapsedMilliseconds(since: start))
            }
        }
        return nil
    }

    public var framesDecoded: Int { decoder.framesDecoded }
}

func elapsedMilliseconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
}
