import CFFmpeg
import Foundation

/// The one place FFmpeg's negative return codes become text.
enum FFmpegStatus {
    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        vg_av_strerror(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static let again = vg_averror_eagain()
    static let endOfFile = vg_averror_eof()
    static let exit = vg_averror_exit()
    static let invalidData = vg_averror_invaliddata()

    /// FFmpeg prints to stderr by default; Vigil reports errors itself, naming the source.
    /// `VIGIL_FFMPEG_LOG=warning|info|debug` turns FFmpeg's own messages back on. Set once per process.
    static let loggingConfigured: Void = configureLogging(level: ProcessInfo.processInfo.environment["VIGIL_FFMPEG_LOG"])

    private static func configureLogging(level: String?) {
        switch level?.lowercased() {
        case "debug": av_log_set_level(AV_LOG_DEBUG)
        case "info": av_log_set_level(AV_LOG_INFO)
        case "warning": av_log_set_level(AV_LOG_WARNING)
        case "error": av_log_set_level(AV_LOG_ERROR)
        default: av_log_set_level(AV_LOG_QUIET)
        }
    }
}
