import VigilCore
import VigilMatching
import VigilVision

/// Follows faces across a camera's analysed frames, so a face that stays in
/// view is found by a cheap local search between detections, is encoded a
/// bounded number of times, and is named by a vote over its encodings rather
/// than by any single frame.
///
/// Each track keeps two boxes: `searchBox`, in the Haar cascade's framing,
/// which local searches look for at the track's own scale; and `box`, the
/// verified (HOG) framing the encoder and the evidence use. The offset between
/// them is learnt at each verification.
public struct FaceTracker: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Encodings per track at most (each ~15-40 ms); after that the vote stands.
        public var maxEncodings = 3
        /// Seconds between two encodings of one track (frames that close are near-duplicates).
        public var encodeInterval = 0.5
        public var iouThreshold = 0.3
        /// A track not confirmed for this long (in analysed time) has left.
        public var timeout = 1.0
        /// Matching encodings needed before a track is named.
        public var minVotes = 1

        public init() {}
    }

    /// A detection with the track it belongs to.
    public struct Tracked: Sendable {
        public var trackID: Int
        public var detection: FaceDetection
        public var needsEncoding: Bool
    }

    /// A track's identity, confirmed by its votes, and whether this sighting is its sharpest so far.
    public struct Decision: Sendable {
        public var trackID: Int
        public var entry: EnrolledFace
        public var distance: Double
        public var votes: Int
        public var isSharpest: Bool
    }

    /// What the tracker knows of one face now.
    public struct Track: Sendable {
        public internal(set) var id: Int
        /// Verified framing (what is encoded and reported).
        public internal(set) var box: BoundingBox
        /// Haar framing (what local searches look for).
        public internal(set) var searchBox: BoundingBox
        public internal(set) var lastSeen: Double
        /// Set when the track was confirmed in the frame being analysed.
        public internal(set) var confirmedNow = false
        /// Set when HOG verified the track's box in the frame being analysed.
        public internal(set) var verifiedNow = false
        var velocity: (x: Double, y: Double) = (0, 0)
        var encodings = 0
        var lastEncoded = -Double.infinity
        var votes: [String: Int] = [:]
        var bestSharpness: Float = -1
        /// The best match so far (for reporting what a track is).
        public internal(set) var best: MatchResult?
        /// searchBox -> box, as fractions of searchBox (x, y offsets; width, height ratios).
        var framing: (dx: Double, dy: Double, w: Double, h: Double) = (0, 0, 1, 1)
    }

    public let settings: Settings
    public internal(set) var tracks: [Track] = []
    private var nextID = 1

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Starts a new frame at `time`: drops tracks not confirmed within `timeout` and clears the confirmed flags.
    public mutating func begin(time: Double) {
        tracks.removeAll { time - $0.lastSeen > settings.timeout || time < $0.lastSeen }
        for index in tracks.indices {
            tracks[index].confirmedNow = false
            tracks[index].verifiedNow = false
        }
    }

    /// Where a track's Haar box should be at `time`, from its last position and velocity.
    public func predicted(_ track: Track, at time: Double) -> BoundingBox {
        let dt = min(0.5, max(0, time - track.lastSeen))
        var box = track.searchBox
        box.x += Int((track.velocity.x * dt).rounded())
        box.y += Int((track.velocity.y * dt).rounded())
        return box
    }

    /// The track whose predicted Haar box overlaps `box` most (IoU at least the threshold), if any.
    public func trackIndex(matching box: BoundingBox, at time: Double, excluding: Set<Int> = []) -> Int? {
        var best: (index: Int, iou: Double)?
        for index in tracks.indices where !excluding.contains(tracks[index].id) {
            let overlap = predicted(tracks[index], at: time).iou(box)
            if overlap >= settings.iouThreshold && overlap > (best?.iou ?? 0) { best = (index, overlap) }
        }
        return best?.index
    }

    /// Confirms track `index` at `searchBox` (Haar framing) at `time`; `verified` is the HOG box when one was found now.
    public mutating func confirm(index: Int, searchBox: BoundingBox, verified: BoundingBox?, time: Double) {
        var track = tracks[index]
        let dt = time - track.lastSeen
        if dt > 0.01 {
            let vx = (searchBox.centerX - track.searchBox.centerX) / dt, vy = (searchBox.centerY - track.searchBox.centerY) / dt
            // Smoothed: one noisy detection should not throw the next search window off.
            track.velocity = (0.5 * track.velocity.x + 0.5 * vx, 0.5 * track.velocity.y + 0.5 * vy)
        }
        track.searchBox = searchBox
        if let verified { track.framing = Self.framing(from: searchBox, to: verified) }
        track.box = verified ?? Self.apply(track.framing, to: searchBox)
        track.lastSeen = time
        track.confirmedNow = true
        if verified != nil { track.verifiedNow = true }
        tracks[index] = track
    }

    /// Starts a track for a new face.
    @discardableResult
    public mutating func start(searchBox: BoundingBox, verified: BoundingBox, time: Double) -> Int {
        var track = Track(id: nextID, box: verified, searchBox: searchBox, lastSeen: time)
        track.framing = Self.framing(from: searchBox, to: verified)
        track.confirmedNow = true
        track.verifiedNow = true
        nextID += 1
        tracks.append(track)
        return tracks.count - 1
    }

    /// Drops the younger of two tracks that have converged on one face.
    public mutating func mergeDuplicates() {
        var keep: [Track] = []
        for track in tracks.sorted(by: { $0.id < $1.id }) {
            if keep.contains(where: { $0.searchBox.iou(track.searchBox) > 0.5 }) { continue }
            keep.append(track)
        }
        tracks = keep
    }

    /// Whether track `index` is due an encoding now; if so, counts it.
    /// (`Track.encodingDue` asks without counting.)
    public mutating func takeEncoding(index: Int, time: Double) -> Bool {
        guard tracks[index].encodingDue(settings: settings, time: time) else { return false }
        tracks[index].encodings += 1
        tracks[index].lastEncoded = time
        return true
    }

    /// Assigns whole-frame detections of the frame at `time` to tracks (new faces start new tracks):
    /// the tracker used alone, when every analysed frame is searched in full.
    public mutating func update(_ detections: [FaceDetection], time: Double) -> [Tracked] {
        begin(time: time)
        var taken = Set<Int>()
        var result: [Tracked] = []
        for detection in detections.sorted(by: { $0.box.area > $1.box.area }) {
            let index: Int
            if let found = trackIndex(matching: detection.box, at: time, excluding: taken) {
                index = found
                confirm(index: index, searchBox: detection.box, verified: detection.box, time: time)
            } else {
                index = start(searchBox: detection.box, verified: detection.box, time: time)
            }
            taken.insert(tracks[index].id)
            result.append(Tracked(trackID: tracks[index].id, detection: detection, needsEncoding: takeEncoding(index: index, time: time)))
        }
        return result
    }

    /// Counts one encoding's match (or non-match) towards its track's vote.
    /// Returns a decision when the encoding matched the subject the vote names.
    /// The watchlists changed: every live track is encoded and voted on afresh (up to
    /// `maxEncodings` again), so a person enrolled while already on camera is named within an
    /// encoding interval instead of when their track ends, and one removed is no longer named.
    public mutating func forgetIdentities() {
        for index in tracks.indices {
            tracks[index].encodings = 0
            tracks[index].lastEncoded = -.infinity
            tracks[index].votes = [:]
            tracks[index].best = nil
            tracks[index].bestSharpness = -1
        }
    }

    public mutating func record(trackID: Int, match: MatchResult, sharpness: Float) -> Decision? {
        guard let index = tracks.firstIndex(where: { $0.id == trackID }) else { return nil }
        if let distance = match.distance, distance < (tracks[index].best?.distance ?? .infinity), match.isMatch {
            tracks[index].best = match
        }
        guard let entry = match.match, let distance = match.distance else { return nil }
        let key = entry.watchlist + "\u{1F}" + entry.subjectID
        tracks[index].votes[key, default: 0] += 1
        let votes = tracks[index].votes[key]!
        let strongestOther = tracks[index].votes.filter { $0.key != key }.values.max() ?? 0
        guard votes >= settings.minVotes, votes > strongestOther else { return nil }
        let sharpest = sharpness > tracks[index].bestSharpness
        if sharpest { tracks[index].bestSharpness = sharpness }
        return Decision(trackID: trackID, entry: entry, distance: distance, votes: votes, isSharpest: sharpest)
    }

    private static func framing(from search: BoundingBox, to box: BoundingBox) -> (dx: Double, dy: Double, w: Double, h: Double) {
        let w = Double(max(1, search.width)), h = Double(max(1, search.height))
        return (Double(box.x - search.x) / w, Double(box.y - search.y) / h, Double(box.width) / w, Double(box.height) / h)
    }

    private static func apply(_ f: (dx: Double, dy: Double, w: Double, h: Double), to search: BoundingBox) -> BoundingBox {
        let w = Double(search.width), h = Double(search.height)
        return BoundingBox(x: search.x + Int((f.dx * w).rounded()), y: search.y + Int((f.dy * h).rounded()),
                           width: Int((f.w * w).rounded()), height: Int((f.h * h).rounded()))
    }
}

extension FaceTracker.Track {
    /// True when an encoding of this track would be taken at `time`.
    func encodingDue(settings: FaceTracker.Settings, time: Double) -> Bool {
        encodings < settings.maxEncodings && time - lastEncoded >= settings.encodeInterval
    }
}
