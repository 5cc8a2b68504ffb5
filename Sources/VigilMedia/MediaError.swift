import Foundation
import VigilCore

/// Everything that can go wrong reading a media source, each naming the source.
public enum MediaError: Error, Equatable, CustomStringConvertible, Sendable {
    case notFound(source: String)
    case cannotOpen(source: String, reason: String)
    case noVideoStream(source: String)
    case unsupportedCodec(source: String, codec: String)
    case readFailed(source: String, reason: String)
    case truncated(source: String, decodedUntil: Double, declaredDuration: Double)

    /// Every message names its source with the credentials hidden (`Redaction`): these reach
    /// the log, `vigil status` and the API's `last_error`.
    public var description: String {
        Redaction.text(plainDescription)
    }

    private var plainDescription: String {
        switch self {
        case .notFound(let source):
            return "\(source): no such file"
        case .cannotOpen(let source, let reason):
            return "\(source): not a readable image or video (\(reason))"
        case .noVideoStream(let source):
            return "\(source): contains no video stream"
        case .unsupportedCodec(let source, let codec):
            return "\(source): no decoder for codec \(codec)"
        case .readFailed(let source, let reason):
            return "\(source): read failed (\(reason))"
        case .truncated(let source, let until, let duration):
            return "\(source): truncated: frames end at \(format(until)) s of a declared \(format(duration)) s"
        }
    }

    public var source: String {
        switch self {
        case .notFound(let s), .cannotOpen(let s, _), .noVideoStream(let s), .unsupportedCodec(let s, _),
             .readFailed(let s, _), .truncated(let s, _, _):
            return s
        }
    }
}

private func format(_ seconds: Double) -> String {
    String(format: "%.2f", seconds)
}
