import Crypto
import Foundation
import VigilCore
import VigilMedia
import VigilStore
import VigilVision

/// Why an enrolment image was refused; each names the file.
public enum EnrolmentError: Error, Equatable, CustomStringConvertible, Sendable {
    case noFace(file: String)
    case multipleFaces(file: String, count: Int)
    case unreadable(file: String, reason: String)
    /// Several images failed; nothing was stored.
    case several([EnrolmentError])

    public var description: String {
        switch self {
        case .noFace(let file):
            return "\(file): no face found; use a frontal photo where the face is clearly visible"
        case .multipleFaces(let file, let count):
            return "\(file): \(count) faces found; an enrolment image must show exactly one face (crop it)"
        case .unreadable(_, let reason):
            return reason
        case .several(let errors):
            return errors.map(\.description).joined(separator: "\n")
        }
    }
}

/// Turns enrolment images into checked encodings, before anything is stored:
/// every image must hold exactly one face, or the whole enrolment is refused.
public struct Enroller: Sendable {
    public let analyzer: FaceAnalyzer
    /// When set, every accepted photo is copied here under its SHA-256 and enrolled from there.
    public var keepImagesIn: String?

    public init(analyzer: FaceAnalyzer, keepImagesIn: String? = nil) {
        self.analyzer = analyzer
        self.keepImagesIn = keepImagesIn
    }

    /// Encodes every image, collecting every failure so one run names all bad files.
    public func prepare(images: [String]) async throws -> [NewEnrolment] {
        var prepared: [NewEnrolment] = [], failures: [EnrolmentError] = []
        for path in images {
            do {
                prepared.append(try await prepare(image: path))
            } catch let error as EnrolmentError {
                failures.append(error)
            }
        }
        if failures.count == 1 { throw failures[0] }
        if failures.count > 1 { throw EnrolmentError.several(failures) }
        return prepared
    }

    public func prepare(image path: String) async throws -> NewEnrolment {
        let frame: Frame
        let bytes: Data
        do {
            // Reading and decoding block: off the concurrency pool.
            (bytes, frame) = try await Blocking.run(throwing: {
                (try Data(contentsOf: URL(fileURLWithPath: path)), try MediaDecoder.stillImage(at: path))
            })
        } catch let error as MediaError {
            throw EnrolmentError.unreadable(file: path, reason: error.description)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw EnrolmentError.unreadable(file: path, reason: "\(path): no such file")
        } catch let error as NSError where error.domain == NSCocoaErrorDomain {
            throw EnrolmentError.unreadable(file: path, reason: "\(path): cannot read (\(error.localizedDescription))")
        }
        let analysis = try await analyzer.analyse(frame, strategy: .hog)
        guard !analysis.faces.isEmpty else { throw EnrolmentError.noFace(file: path) }
        guard analysis.faces.count == 1, let face = analysis.faces.first else {
            throw EnrolmentError.multipleFaces(file: path, count: analysis.faces.count)
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        var kept = path
        if let folder = keepImagesIn {
            kept = try await Blocking.run(throwing: {
                do {
                    return try ContentAddressedImages.keep(bytes, sha256: digest, in: folder).path
                } catch {
                    throw EnrolmentError.unreadable(file: path, reason: "cannot keep a copy in \(folder): \(error)")
                }
            })
        }
        return NewEnrolment(sha256: digest, sourcePath: kept, encoding: face.encoding, box: face.box,
                            detector: DetectionStrategy.hog.rawValue)
    }
}
