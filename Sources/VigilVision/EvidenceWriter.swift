import CVision
import Foundation
import VigilCore

/// Writes an alert's evidence: the frame with the face or plate box drawn, and
/// a crop of it with a margin. Files go under `directory/<camera>/<yyyy-mm-dd>/`.
public struct EvidenceWriter: Sendable {
    public let directory: String
    public let quality: Int

    public init(directory: String, quality: Int = 85) {
        self.directory = directory
        self.quality = quality
    }

    /// Returns (snapshot, crop) paths. Both files are complete and durable (fsync'd, renamed
    /// into place) before this returns; on failure neither is left behind.
    public func write(frame: Frame, box: BoundingBox, camera: String, at date: Date, kind: String = "face") throws -> (String, String) {
        let day = ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let folder = ((directory as NSString).appendingPathComponent(camera) as NSString).appendingPathComponent(day)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stem = (folder as NSString).appendingPathComponent("\(Int64(date.timeIntervalSince1970 * 1000))-\(UUID().uuidString.prefix(8))")
        let snapshot = stem + "-frame.jpg", crop = stem + "-\(kind).jpg"
        let margin = box.expanded(by: 0.3).clamped(width: frame.width, height: frame.height)
        let whole = try Self.jpeg(frame, crop: nil, boxes: [box], quality: quality)
        let part = try Self.jpeg(frame, crop: margin, boxes: [], quality: quality)
        try DurableFile.write(whole, to: snapshot)
        do { try DurableFile.write(part, to: crop) } catch {
            try? FileManager.default.removeItem(atPath: snapshot)
            throw error
        }
        return (snapshot, crop)
    }

    public static func jpeg(_ frame: Frame, crop: BoundingBox?, boxes: [BoundingBox], quality: Int) throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var error = [CChar](repeating: 0, count: 256)
        let rects = boxes.map(\.native)
        let status = frame.withNativeImage { image in
            if var area = crop?.native {
                return vg_encode_jpeg(image, &area, rects, Int32(rects.count), Int32(quality), &output, &length, &error, error.count)
            }
            return vg_encode_jpeg(image, nil, rects, Int32(rects.count), Int32(quality), &output, &length, &error, error.count)
        }
        try NativeStatus.check(status, "JPEG encoding", message: NativeStatus.errorText(error))
        guard let output else { throw VisionError.native(operation: "JPEG encoding", message: "no output") }
        defer { vg_free(output) }
        return Data(bytes: output, count: length)
    }
}
