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
