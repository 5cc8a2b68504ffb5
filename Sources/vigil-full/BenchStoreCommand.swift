import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilCommandLine
import VigilCore
import VigilStore

/// `vigil bench store`: what a watchlist write and a matcher reload cost on each backend, side by
/// side: an SQLite file on this machine's disk, and a PostgreSQL database over loopback.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Watchlist writes and matcher reloads on SQLite and on an empty PostgreSQL database.")
    @Option(help: "An empty postgres://user@host:port/database.") var database: String
    @Option(help: "Subjects enrolled, one intent (one transaction) each.") var subjects = 300
    @Option(help: "Images per subject.") var images = 3
    @Option(help: "Reloads of every face enrolment timed.") var reloads = 30

    func run() async throws {
        Bootstrap.logging(level: .warning)
        let logger = Logger(label: "vigil.bench.store")
        let location = try wrap { try DatabaseLocation(parsing: database) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let sqlite = try wrap { try VigilDatabase(path: folder.appendingPathComponent("vigil.sqlite").path, logger: logger) }
        let postgres = try await wrapAsync { try await PostgresWatchlistStore.open(location, logger: logger) }
        defer { postgres.close() }
        guard try wrap({ try postgres.watchlists() }).isEmpty else {
            throw Failure("bench store: \(location) already has watchlists; give it an empty database")
        }
        var figures: [String: Figures] = [:]
        for (name, store) in [("sqlite", sqlite as any WatchlistStore), ("postgres", postgres as any WatchlistStore)] {
            figures[name] = try wrap { try measure(store) }
            print(figures[name]!.line(name))
        }
        if let a = figures["sqlite"], let b = figures["postgres"] {
            print(String(format: "postgres / sqlite: enrol p50 %.2fx, enrolments per second %.2fx, reload p50 %.2fx",
                         b.enrolP50 / a.enrolP50, b.enrolsPerSecond / a.enrolsPerSecond, b.reloadP50 / a.reloadP50))
        }
    }

    struct Figures {
        var enrolP50 = 0.0, enrolP99 = 0.0, enrolsPerSecond = 0.0, reloadP50 = 0.0, reloadP99 = 0.0, rows = 0

        func line(_ name: String) -> String {
            String(format: "%@: enrol (1 subject, audit lines, one transaction) p50 %.2f ms, p99 %.2f ms, %.0f per second; "
                   + "reload of %d face enrolments p50 %.2f ms, p99 %.2f ms", name, enrolP50, enrolP99, enrolsPerSecond, rows, reloadP50, reloadP99)
        }
    }

    /// Enrols `subjects` subjects one intent at a time, then reloads every enrolment `reloads` times.
    private func measure(_ store: any WatchlistStore) throws -> Figures {
        _ = try store.createWatchlist(name: "bench", threshold: 0.6, actor: "bench")
        var random = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        var enrols: [Double] = []
        let started = clock.now
        for index in 0..<subjects {
            let batch = (0..<images).map { image in
                NewEnrolment(sha256: String(format: "%060d%04d", index, image), sourcePath: "/bench/\(index)-\(image).jpg",
                             encoding: FaceEncoding((0..<FaceEncoding.dimensions).map { _ in Float.random(in: -0.2...0.2, using: &random) })!,
                             box: BoundingBox(x: 0, y: 0, width: 100, height: 100), detector: "bench")
            }
            let start = clock.now
            _ = try store.enrol(watchlist: "bench", subject: SubjectInput(id: "s\(index)"), images: batch, actor: "bench")
            enrols.append((clock.now - start).seconds * 1000)
        }
        let total = (clock.now - started).seconds
        var reloadTimes: [Double] = [], rows = 0
        for _ in 0..<reloads {
            let start = clock.now
            rows = try store.faceEnrolments().count
            reloadTimes.append((clock.now - start).seconds * 1000)
        }
        enrols.sort()
        reloadTimes.sort()
        return Figures(enrolP50: enrols.percentile(0.5) ?? 0, enrolP99: enrols.percentile(0.99) ?? 0,
                       enrolsPerSecond: Double(subjects) / total, reloadP50: reloadTimes.percentile(0.5) ?? 0,
                       reloadP99: reloadTimes.percentile(0.99) ?? 0, rows: rows)
    }
}
