import CFFmpeg
import Foundation
import VigilCore

/// Options for opening a source. Network options (RTSP transport, timeouts)
/// go through `formatOptions` as FFmpeg AVDictionary entries.
public struct DecoderOptions: Sendable {
    /// Decoder threads. One per camera is the daemon's budget; 0 lets FFmpeg choose.
    public var threads: Int
    public var formatOptions: [String: String]
    /// Longest a blocking open may take (seconds; 0 = no limit).
    public var openTimeout: Double
    /// Longest a read may block without producing a packet: a stalled stream (seconds; 0 = no limit).
    public var readTimeout: Double
    /// Frames per second the caller will use. When the stream has at least three times as
    /// many, frames no other frame refers to (B-frames) are not decoded at all (`skip_frame`
    /// = AVDISCARD_NONREF): 30% less decode CPU on x264 streams, and the I and P frames left
    /// still come more often than the caller samples.
    public var analyseFPS: Double?

    public init(threads: Int = 1, formatOptions: [String: String] = [:], openTimeout: Double = 0, readTimeout: Double = 0,
                analyseFPS: Double? = nil) {
        self.threads = threads
        self.analyseFPS = analyseFPS
        self.formatOptions = formatOptions
        self.openTimeout = openTimeout
        self.readTimeout = readTimeout
    }

    /// Network cameras: RTSP over TCP (no UDP packet loss), timeouts on every blocking call.
    public static func camera(url: String, openTimeout: Double, stallTimeout: Double) -> DecoderOptions {
        var options: [String: String] = [:]
        if url.lowercased().hasPrefix("rtsp") { options["rtsp_transport"] = "tcp" }
        if url.contains("://") { options["timeout"] = String(Int(stallTimeout * 1_000_000)) }
        return DecoderOptions(threads: 1, formatOptions: options, openTimeout: openTimeout, readTimeout: stallTimeout)
    }
}

/// Lets another thread interrupt a decoder blocked inside FFmpeg (shutdown).
public final class DecoderInterrupt: @unchecked Sendable {
    let deadline: UnsafeMutablePointer<vg_deadline>

    public init() {
        deadline = .allocate(capacity: 1)
        deadline.initialize(to: vg_deadline(deadline_us: 0, abort: 0))
    }

    deinit { deadline.deallocate() }

    /// Makes the current and every later blocking call return at once.
    public func abort() { vg_deadline_abort(deadline) }
    public var isAborted: Bool { vg_deadline_aborted(deadline) != 0 }
}

/// Decodes every frame of one source with FFmpeg into owned BGR `Frame`s.
///
/// Not thread-safe: one decoder belongs to one camera or scan and is used from
/// one serial queue. Still images (jpg, png, RGBA png) go through the same path
/// as video, so every input is read by one well-tested decoder.
public final class MediaDecoder {
    public let info: MediaInfo
    public private(set) var framesDecoded = 0

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var decoded: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?
    private let streamIndex: Int32
    private let timeBase: Double
    private let origin: Double
    /// Frames the container's index declares (0 when it has none).
    private let declaredFrames: Int
    private var inputExhausted = false
    /// B-frames are not decoded, so fewer frames come out than the container declares.
    private var skipsFrames = false
    private var finished = false
    private var readError: String?
    private var lastTime = 0.0
    /// Packets the demuxer or decoder refused as damaged (skipped; the decoder resynchronises).
    public private(set) var corruptPackets = 0
    /// When a frame last came out (monotonic seconds): a stream that sends packets but never a
    /// decodable frame is stalled too, however busy its socket looks.
    private var lastProgress = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    /// Damaged packets in a row after which the source is given up on (then reconnected).
    static let corruptLimit = 500
    private var corruptInARow = 0

    private let interrupt: DecoderInterrupt
    private let readTimeout: Double

    public init(source: String, options: DecoderOptions = DecoderOptions(), interrupt: DecoderInterrupt = DecoderInterrupt()) throws {
        self.interrupt = interrupt
        readTimeout = options.readTimeout
        FFmpegStatus.loggingConfigured
        let isURL = source.contains("://")
        if !isURL && !FileManager.default.fileExists(atPath: source) {
            throw MediaError.notFound(source: source)
        }

        var dictionary: OpaquePointer?
        for (key, value) in options.formatOptions { av_dict_set(&dictionary, key, value, 0) }
        defer { av_dict_free(&dictionary) }

        var context: UnsafeMutablePointer<AVFormatContext>? = vg_format_context_with_deadline(interrupt.deadline)
        vg_deadline_arm(interrupt.deadline, options.openTimeout)
        let opened = avformat_open_input(&context, source, nil, &dictionary)
        guard opened >= 0, let context else {
            let reason = opened == FFmpegStatus.exit
                ? (interrupt.isAborted ? "interrupted" : "timed out after \(options.openTimeout) s") : FFmpegStatus.message(opened)
            throw MediaError.cannotOpen(source: source, reason: reason)
        }
        format = context
        // From here on `deinit` releases whatever was allocated, including on a throw.
        let probed = avformat_find_stream_info(context, nil)
        guard probed >= 0 else {
            avformat_close_input(&format)
            throw MediaError.cannotOpen(source: source, reason: FFmpegStatus.message(probed))
        }

        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let stream = context.pointee.streams[Int(index)] else {
            avformat_close_input(&format)
            throw MediaError.noVideoStream(source: source)
        }
        let parameters = stream.pointee.codecpar!
        let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let decoder else {
            avformat_close_input(&format)
            throw MediaError.unsupportedCodec(source: source, codec: codecName)
        }
        streamIndex = index

        codec = avcodec_alloc_context3(decoder)
        packet = av_packet_alloc()
        decoded = av_frame_alloc()
        guard let codec, packet != nil, decoded != nil else {
            Self.release(format: &format, codec: &self.codec, packet: &packet, frame: &decoded)
            throw MediaError.cannotOpen(source: source, reason: "out of memory")
        }
        var status = avcodec_parameters_to_context(codec, parameters)
        let streamRate = vg_rational_to_double(stream.pointee.avg_frame_rate)
        if let wanted = options.analyseFPS, wanted > 0, streamRate >= 3 * wanted {
            codec.pointee.skip_frame = AVDISCARD_NONREF
            skipsFrames = true
        }
        if status >= 0 {
            codec.pointee.thread_count = Int32(max(0, options.threads))
            status = avcodec_open2(codec, decoder, nil)
        }
        guard status >= 0 else {
            Self.release(format: &format, codec: &self.codec, packet: &packet, frame: &decoded)
            throw MediaError.unsupportedCodec(source: source, codec: "\(codecName) (\(FFmpegStatus.message(status)))")
        }

        timeBase = vg_rational_to_double(stream.pointee.time_base)
        // Times count from the container's start, so a video stream that starts
        // late (after audio) reports when its frames really are in the file.
        origin = context.pointee.start_time == vg_av_nopts_value()
            ? 0 : Double(context.pointee.start_time) / Double(AV_TIME_BASE)
        let containerName = String(cString: context.pointee.iformat.pointee.name)
        // Only mov/mp4 count frames from a sample index; avi's header counts muxed slots, not frames.
        declaredFrames = containerName.hasPrefix("mov") ? Int(max(0, stream.pointee.nb_frames)) : 0
        let still = containerName.hasPrefix("image2") || containerName.hasSuffix("_pipe")
        var duration: Double?
        let streamStart = stream.pointee.start_time == vg_av_nopts_value() ? origin : Double(stream.pointee.start_time) * timeBase
        if stream.pointee.duration > 0 && stream.pointee.duration != vg_av_nopts_value() {
            duration = streamStart + Double(stream.pointee.duration) * timeBase - origin
        } else if context.pointee.duration > 0 {
            duration = Double(context.pointee.duration) / Double(AV_TIME_BASE)
        }
        info = MediaInfo(
            source: source, container: containerName, codec: codecName,
            width: Int(parameters.pointee.width), height: Int(parameters.pointee.height),
            frameRate: vg_rational_to_double(stream.pointee.avg_frame_rate),
            duration: still ? nil : duration, isStillImage: still)
        // The stall clock starts once the source is open (opening has its own timeout).
        lastProgress = Self.monotonic
    }

    /// A still image from a file someone else supplied (an enrolment upload, `watchlist.yaml`):
    /// only JPEG, PNG, BMP or WebP by their first bytes, opened with FFmpeg's protocol whitelist
    /// at `file` and its demuxers limited to those image formats. Without this, an "image" that
    /// is really an HLS playlist or a concat list would make FFmpeg fetch URLs or read other files.
    public static func stillImage(at path: String) throws -> Frame {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileManager.default.fileExists(atPath: path) ? MediaError.cannotOpen(source: path, reason: "cannot read the file")
                : MediaError.notFound(source: path)
        }
        let head = [UInt8]((try? handle.read(upToCount: 12)) ?? Data())
        try? handle.close()
        guard ImageFormat(magic: head) != nil else {
            throw MediaError.cannotOpen(source: path, reason: "not a JPEG, PNG, BMP or WebP image")
        }
        let options = DecoderOptions(threads: 1, formatOptions: [
            "protocol_whitelist": "file",
            "format_whitelist": "image2,jpeg_pipe,png_pipe,bmp_pipe,webp_pipe",
        ])
        guard let frame = try MediaDecoder(source: path, options: options).nextFrame() else {
            throw MediaError.readFailed(source: path, reason: "no picture")
        }
        return frame
    }

    /// The first picture of a file: a still image, or a video's first frame.
    public static func firstFrame(of source: String) throws -> Frame {
        guard let frame = try MediaDecoder(source: source).nextFrame() else {
            throw MediaError.readFailed(source: source, reason: "no picture")
        }
        return frame
    }

    deinit {
        if scaler != nil { sws_freeContext(scaler) }
        Self.release(format: &format, codec: &codec, packet: &packet, frame: &decoded)
    }

    private static func release(format: inout UnsafeMutablePointer<AVFormatContext>?,
                                codec: inout UnsafeMutablePointer<AVCodecContext>?,
                                packet: inout UnsafeMutablePointer<AVPacket>?,
                                frame: inout UnsafeMutablePointer<AVFrame>?) {
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codec)
        avformat_close_input(&format)
    }

    /// A decoded frame, converted to BGR only when it was wanted.
    public struct Decoded {
        public var time: Double
        /// Nil when `convertIf` said no: the frame was decoded (later frames need it) but not converted.
        public var picture: Frame?
    }

    /// The next decoded frame, converted to BGR only when `convertIf(time)` is true.
    ///
    /// Converting a 720p frame to BGR costs about as much as decoding it; a camera
    /// analysed at 5 of 25 fps would spend most of its decode budget on frames no
    /// stage reads.
    public func nextFrame(convertIf wanted: (Double) -> Bool) throws -> Decoded? {
        try next { frame, time in
            wanted(time) ? Decoded(time: time, picture: try convert(frame, time: time)) : Decoded(time: time, picture: nil)
        }
    }

    /// The next decoded frame, or nil at the end of the source.
    ///
    /// Throws after the last good frame when the source ended in a read error
    /// or well before its declared duration (a truncated file), so callers keep
    /// what was decoded and still learn that the input was damaged.
    public func nextFrame() throws -> Frame? {
        try next { frame, time in try convert(frame, time: time) }
    }

    private func next<T>(_ deliver: (UnsafeMutablePointer<AVFrame>, Double) throws -> T) throws -> T? {
        guard let codec, let packet, let decoded, let format else { return nil }
        while !finished {
            let received = avcodec_receive_frame(codec, decoded)
            if received >= 0 {
                defer {
                    av_frame_unref(decoded)
                    framesDecoded += 1
                }
                lastProgress = Self.monotonic
                corruptInARow = 0
                return try deliver(decoded, timestamp(decoded))
            }
            if received == FFmpegStatus.endOfFile {
                finished = true
                break
            }
            // Other errors are corrupt data: real streams have some; the decoder resynchronises.
            if inputExhausted {
                // Draining already sent; a decoder that keeps refusing is finished.
                if received != FFmpegStatus.again { finished = true }
                continue
            }
            if readTimeout > 0 && Self.monotonic - lastProgress > readTimeout {
                readError = "stalled: no decodable frame for \(readTimeout) s (\(corruptPackets) damaged packets)"
                finished = true
                break
            }
            vg_deadline_arm(interrupt.deadline, readTimeout)
            let read = av_read_frame(format, packet)
            // Not an end: a network demuxer with nothing yet (EAGAIN), or one damaged packet (INVALIDDATA).
            if read == FFmpegStatus.again {
                usleep(5_000)
                continue
            }
            if read == FFmpegStatus.invalidData && corruptInARow < Self.corruptLimit {
                corruptPackets += 1
                corruptInARow += 1
                continue
            }
            if read < 0 {
                if read == FFmpegStatus.exit {
                    readError = interrupt.isAborted ? "interrupted" : "stalled: no data for \(readTimeout) s"
                } else if read != FFmpegStatus.endOfFile {
                    readError = FFmpegStatus.message(read)
                }
                inputExhausted = true
                avcodec_send_packet(codec, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            if packet.pointee.stream_index != streamIndex { continue }
            // The receive loop above drains the decoder first, so EAGAIN cannot happen here;
            // any other refusal is a damaged packet, counted and skipped.
            if avcodec_send_packet(codec, packet) < 0 {
                corruptPackets += 1
                corruptInARow += 1
                if corruptInARow >= Self.corruptLimit {
                    readError = "\(corruptInARow) damaged packets in a row"
                    finished = true
                }
            }
        }
        try checkCompleteness()
        return nil
    }

    private func checkCompleteness() throws {
        if let readError { throw MediaError.readFailed(source: info.source, reason: readError) }
        if framesDecoded == 0 {
            throw MediaError.readFailed(source: info.source, reason: "no frame could be decoded")
        }
        guard !info.isStillImage else { return }
        // Containers with an index (mp4, mov) declare their frame count: the surest sign of a cut file.
        if declaredFrames > 0 && !skipsFrames && framesDecoded + max(2, declaredFrames / 50) < declaredFrames {
            throw MediaError.truncated(source: info.source, decodedUntil: lastTime, declaredDuration: info.duration ?? 0)
        }
        // Others only declare a duration, which some (mkv) count from 0 rather than the stream's
        // start: allow a second of slack so a late-starting stream is not taken for a cut one.
        guard let duration = info.duration else { return }
        let frameInterval = info.frameRate > 0 ? 1 / info.frameRate : 0.04
        if lastTime + frameInterval + max(1, 3 * frameInterval) < duration {
            throw MediaError.truncated(source: info.source, decodedUntil: lastTime + frameInterval,
                                       declaredDuration: duration)
        }
    }

    /// Seconds from the container's start (0 for still images). A frame without a timestamp is
    /// placed one frame interval after the last: repeating the last time would hold every later
    /// frame in the sampler's slot, so a stream without timestamps would be analysed once.
    private func timestamp(_ frame: UnsafeMutablePointer<AVFrame>) -> Double {
        var time = 0.0
        if !info.isStillImage {
            let pts = frame.pointee.best_effort_timestamp
            if pts == vg_av_nopts_value() {
                time = framesDecoded == 0 ? 0 : lastTime + (info.frameRate > 0 ? 1 / info.frameRate : 0.04)
            } else {
                time = max(0, Double(pts) * timeBase - origin)
            }
        }
        lastTime = time
        return time
    }

    private static var monotonic: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func convert(_ frame: UnsafeMutablePointer<AVFrame>, time: Double) throws -> Frame {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width > 0, height > 0 else {
            throw MediaError.readFailed(source: info.source, reason: "decoder produced an empty frame")
        }
        let stride = (width * 3 + 31) & ~31
        var failed = false
        // swscale's SIMD writers for packed RGB may store past the end of the
        // last row; one spare row keeps those stores inside the buffer.
        let capacity = stride * (height + 1)
        let pixels = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            scaler = vg_convert_to_bgr(scaler, frame, buffer.baseAddress, Int32(stride))
            failed = scaler == nil
            count = capacity
        }
        if failed {
            throw MediaError.readFailed(source: info.source, reason: "cannot convert pixel format to BGR")
        }
        return Frame(width: width, height: height, stride: stride, pixels: pixels, time: time, index: framesDecoded)
    }
}
