import ArgumentParser
import Foundation
import Logging
import VigilCluster
import VigilCommandLine
import VigilCore
import VigilStore

/// `vigil bench store`: what a watchlist write, a matcher reload and an alert with its outbox rows
/// cost on each backend, side by side: an SQLite file on this machine's disk, and a PostgreSQL
/// database over loopback.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Watchlist writes, matcher reloads and alert commits on SQLite and on an empty PostgreSQL database.")
    @Option(help: "An empty postgres://user@host:port/database.") var database: String
    @Option(help: "Subjects enrolled, one intent (one transaction) each.") var subjects = 300
    @Option(help: "Images per subject.") var images = 3
    @Option(help: "Reloads of every face enrolment timed.") var reloads = 30
    @Option(help: "Alerts committed, each with one delivery per hook.") var alerts = 1000
    @Option(help: "Hooks every alert is routed to.") var hooks = 2

    func run() async throws {
        Bootstrap.logging(level: .warning)
        let logger = Logger(label: "vigil.bench.store")
        let location = try wrap { try DatabaseLocation(parsing: database) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let sqlite = try wrap { try VigilDatabase(path: folder.appendingPathComponent("vigil.sqlite").path, logger: logger) }
        let postgres = try await wrapAsync { try await PostgresStore.open(location, logger: logger) }
        defer { postgres.close() }
        guard try wrap({ try postgres.watchlists() }).isEmpty else {
            throw Failure("bench store: \(location) already has watchlists; give it an empty database")
        }
        var figures: [String: Figures] = [:]
        for (name, store) in [("sqlite", sqlite as any WatchlistStore & AlertStore), ("postgres", postgres as any WatchlistStore & AlertStore)] {
            figures[name] = try wrap { try measure(store) }
            print(figures[name]!.line(name))
        }
        if let a = figures["sqlite"], let b = figures["postgres"] {
            print(String(format: "postgres / sqlite: enrol p50 %.2fx, enrolments per second %.2fx, reload p50 %.2fx, "
                         + "alert commit p50 %.2fx, alerts per second %.2fx",
                         b.enrolP50 / a.enrolP50, b.enrolsPerSecond / a.enrolsPerSecond, b.reloadP50 / a.reloadP50,
                         b.alertP50 / a.alertP50, b.alertsPerSecond / a.alertsPerSecond))
        }
    }

    struct Figures {
        var enrolP50 = 0.0, enrolP99 = 0.0, enrolsPerSecond = 0.0, reloadP50 = 0.0, reloadP99 = 0.0, rows = 0
        var alertP50 = 0.0, alertP99 = 0.0, alertsPerSecond = 0.0, deliveries = 0

        func line(_ name: String) -> String {
            String(format: "%@: enrol (1 subject, audit lines, one transaction) p50 %.2f ms, p99 %.2f ms, %.0f per second; "
                   + "reload of %d face enrolments p50 %.2f ms, p99 %.2f ms; "
                   + "alert with its outbox rows (%d deliveries in all) p50 %.2f ms, p99 %.2f ms, %.0f per second",
                   name, enrolP50, enrolP99, enrolsPerSecond, rows, reloadP50, reloadP99, deliveries, alertP50, alertP99, alertsPerSecond)
        }
    }

    /// Enrols `subjects` subjects one intent at a time, reloads every enrolment `reloads` times,
    /// then commits `alerts` new alerts (distinct subjects, so none folds), each with its outbox rows.
    private func measure(_ store: any WatchlistStore & AlertStore) throws -> Figures {
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
        let faces = try store.faceEnrolments()
        let routes = (1...hooks).map { OutboxRoute(hook: "bench-hook-\($0)", filter: HookFilter()) }
        var commits: [Double] = []
        let alertsStarted = clock.now
        for index in 0..<alerts {
            let face = faces[index % faces.count]
            let evidence = FaceMatchEvidence(cameraID: "bench-cam-\(index % 8)", match: face, distance: 0.4, trackID: index,
                                             box: BoundingBox(x: 10, y: 10, width: 80, height: 80), sharpness: 1, seenAt: Date(),
                                             snapshotPath: "/bench/\(index).jpg", cropPath: "/bench/\(index)-crop.jpg")
            var alert = Alert.sighting(evidence)
            alert.subjectID = "alert-subject-\(index)"
            let start = clock.now
            _ = try store.recordSighting(alert, cooldown: 30, routes: routes)
            commits.append((clock.now - start).seconds * 1000)
        }
        let alertsTotal = (clock.now - alertsStarted).seconds
        enrols.sort()
        reloadTimes.sort()
        commits.sort()
        return Figures(enrolP50: enrols.percentile(0.5) ?? 0, enrolP99: enrols.percentile(0.99) ?? 0,
                       enrolsPerSecond: Double(subjects) / total, reloadP50: reloadTimes.percentile(0.5) ?? 0,
                       reloadP99: reloadTimes.percentile(0.99) ?? 0, rows: rows,
                       alertP50: commits.percentile(0.5) ?? 0, alertP99: commits.percentile(0.99) ?? 0,
                       alertsPerSecond: Double(alerts) / alertsTotal, deliveries: try store.deliveries(limit: Int.max).count)
    }
}
