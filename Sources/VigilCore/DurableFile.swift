import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that after `write` returns it is either complete on disk or absent:
/// the bytes go to a temporary name in the same folder, are fsync'd, renamed into place,
/// and the folder is fsync'd so the rename itself survives a power cut. Alert rows name
/// evidence files and commit after them, so a row must never point at a torn file.
public enum DurableFile {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let operation: String
        public let code: Int32
        public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(code)))" }
        /// True when the disk is full (ENOSPC) or over quota (EDQUOT).
        public var isOutOfSpace: Bool { code == ENOSPC || code == EDQUOT }
    }

    public static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure(path: path, operation: "create", code: errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Failure(path: path, operation: "write", code: errno)
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else { throw Failure(path: path, operation: "fsync", code: errno) }
            closed = true
            guard close(fd) == 0 else { throw Failure(path: path, operation: "close", code: errno) }
            guard rename(temporary, path) == 0 else { throw Failure(path: path, operation: "rename", code: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncFolder(folder)
    }

    /// fsync on a folder makes renames and removals in it durable.
    public static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Whether files can be created in `folder` (made if missing): a probe file is written durably and removed.
    public static func probe(folder: String) -> String? {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let probe = (folder as NSString).appendingPathComponent(".vigil-probe")
            try write(Data("ok".utf8), to: probe)
            unlink(probe)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
