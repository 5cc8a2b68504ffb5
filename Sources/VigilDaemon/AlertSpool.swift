import Foundation
import VigilCore
import VigilStore

/// Sightings the database could not take yet, kept in order until it can. Each one is also
/// written durably to `directory` (one JSON file per sighting, named by sequence), so a daemon
/// that stops or crashes during an outage replays them when it starts again. When even the
/// spool folder cannot be written, a sighting stays in memory only (and the log says so).
final class AlertSpool {
    struct Entry: Codable {
        var sequence: UInt64
        var camera: Int
        var cooldown: Double
        var sighting: Alert
        /// Where the entry is on disk (nil when it could only be kept in memory).
        var file: String?

        enum CodingKeys: String, CodingKey { case sequence, camera, cooldown, sighting }
    }

    let directory: String
    private(set) var entries: [Entry] = []
    private var sequence: UInt64 = 0

    /// Loads what a previous run left behind; unreadable files are moved aside (`.bad`), not dropped.
    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), var entry = try? Self.decoder.decode(Entry.self, from: data) else {
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".bad")
                continue
            }
            entry.file = path
            entries.append(entry)
            sequence = max(sequence, entry.sequence)
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Appends a sighting; returns the reason when it could only be kept in memory.
    @discardableResult
    func append(camera: Int, cooldown: Double, sighting: Alert) -> String? {
        sequence += 1
        var entry = Entry(sequence: sequence, camera: camera, cooldown: cooldown, sighting: sighting, file: nil)
        let path = (directory as NSString).appendingPathComponent(String(format: "%020llu.json", sequence))
        var failure: String?
        do {
            try DurableFile.write(try Self.encoder.encode(entry), to: path)
            entry.file = path
        } catch {
            failure = "\(error)"
        }
        entries.append(entry)
        return failure
    }

    /// Removes the oldest entry once it is stored.
    func removeFirst() {
        let entry = entries.removeFirst()
        if let file = entry.file { unlink(file) }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
