import Foundation
import Logging
import VigilCore
import VigilMatching
import VigilPlates
import VigilStore

/// The enrolled faces and plate entries the daemon matches against, reloaded when a watchlist
/// changes: every change appends to the audit log, so polling its last id
/// (once a second) sees edits made by another process within that second. On a shared
/// PostgreSQL the change feed's notification also triggers a reload at once.
public final class GalleryCache: @unchecked Sendable {
    private let database: any WatchlistStore
    private let logger: Logger
    private let lock = NSLock()
    /// One reload at a time: the upkeep's poll and a change notification may ask together, and an
    /// older load must never replace a newer one.
    private let reloading = NSLock()
    private var generation: Int64 = -1
    private var all: [EnrolledFace] = []
    private var perWatchlists: [[String]: FaceGallery] = [:]
    private var plates: [PlateEntry] = []
    private var platesPerWatchlists: [[String]: PlateMatcher] = [:]

    public init(database: any WatchlistStore, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Reloads when the watchlists changed since the last call. Returns true when it reloaded.
    @discardableResult
    public func refresh() throws -> Bool {
        reloading.lock()
        defer { reloading.unlock() }
        let current = try database.watchlistGeneration()
        lock.lock()
        let known = generation
        lock.unlock()
        guard current != known else { return false }
        let faces = try database.faceEnrolments()
        let entries = try database.plateEntries()
        lock.lock()
        generation = current
        all = faces
        perWatchlists = [:]
        plates = entries
        platesPerWatchlists = [:]
        lock.unlock()
        logger.info("watchlists loaded", metadata: ["enrolments": "\(faces.count)", "plates": "\(entries.count)", "generation": "\(current)"])
        return true
    }

    /// The watchlists' generation the galleries were loaded at (-1 before the first load).
    public var loadedGeneration: Int64 { lock.withLock { generation } }

    /// The gallery for a camera: its watchlists, or every face watchlist when it names none.
    public func gallery(for watchlists: [String]) -> FaceGallery {
        lock.lock()
        defer { lock.unlock() }
        if let cached = perWatchlists[watchlists] { return cached }
        let gallery = FaceGallery(watchlists.isEmpty ? all : all.filter { watchlists.contains($0.watchlist) })
        perWatchlists[watchlists] = gallery
        return gallery
    }

    /// The plate matcher for a camera: its watchlists, or every plate watchlist when it names none.
    public func plateMatcher(for watchlists: [String]) -> PlateMatcher {
        lock.lock()
        defer { lock.unlock() }
        if let cached = platesPerWatchlists[watchlists] { return cached }
        let matcher = PlateMatcher(watchlists.isEmpty ? plates : plates.filter { watchlists.contains($0.watchlist) })
        platesPerWatchlists[watchlists] = matcher
        return matcher
    }
}
