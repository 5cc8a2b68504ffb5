import Foundation

/// Image formats accepted from uploads, recognised by their first bytes (never by the name).
public enum ImageFormat: String, Sendable {
    case jpeg, png, bmp, webp

    public init?(magic bytes: [UInt8]) {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: [0x42, 0x4D]) && bytes.count >= 6 {
            self = .bmp
        } else if bytes.count >= 12 && bytes.starts(with: Array("RIFF".utf8)) && Array(bytes[8..<12]) == Array("WEBP".utf8) {
            self = .webp
        } else {
            return nil
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
}

/// Enrolment photos kept under their content hash (`folder/<sha256>.<ext>`): the evidence an
/// alert points back to must not change or vanish with the original file, and the API serves
/// it only while its bytes still hash to what was enrolled. Blocks on the disk.
public enum ContentAddressedImages {
    /// Writes `bytes` durably unless the same content is already kept; returns the absolute path
    /// and whether this call wrote it.
    public static func keep(_ bytes: Data, sha256: String, in folder: String) throws -> (path: String, isNew: Bool) {
        let format = ImageFormat(magic: [UInt8](bytes.prefix(12)))?.fileExtension ?? "img"
        let absolute = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        let path = (absolute as NSString).appendingPathComponent("\(sha256).\(format)")
        if FileManager.default.fileExists(atPath: path) { return (path, false) }
        try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
        try DurableFile.write(bytes, to: path)
        return (path, true)
    }
}
