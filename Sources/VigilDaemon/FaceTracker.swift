import VigilCore
import VigilMatching
import VigilVision

/// Follows faces across a camera's analysed frames by box overlap (IoU), so a
/// face that stays in view is encoded a bounded number of times and named by
/// a vote over its encodings rather than by any single frame.
public struct FaceTracker: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Encodings per track at most (each ~15-40 ms); after that the vote stands.
        public var maxEncodings = 3
        /// Seconds between two encodings of one track (frames that close are near-duplicates).
        public var encodeInterval = 0.5
        public var iouThreshold = 0.3
        /// A track not detected for this long (in analysed time) has left.
        public var timeout = 2.0
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

    private struct Track {
        var id: Int
        var box: BoundingBox
        var lastSeen: Double
        var encodings = 0
        var lastEncoded = -Double.infinity
        var votes: [String: Int] = [:]
        var bestSharpness: Float = -1
    }

    public let settings: Settings
    private var tracks: [Track] = []
    private var nextID = 1

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    public var activeTracks: Int { tracks.count }

    /// The motion gate found the scene unchanged at `time`: whoever was in view still is.
    public mutating func sceneUnchanged(time: Double) {
        for index in tracks.indices { tracks[index].lastSeen = max(tracks[index].lastSeen, time) }
    }

    /// Assigns detections of the frame at `time` to tracks (new faces start new tracks).
    public mutating func update(_ detections: [FaceDetection], time: Double) -> [Tracked] {
        tracks.removeAll { time - $0.lastSeen > settings.timeout || time < $0.lastSeen }
        var taken = Set<Int>()
        var result: [Tracked] = []
        for detection in detections.sorted(by: { $0.box.area > $1.box.area }) {
            let candidates = tracks.indices.filter { !taken.contains(tracks[$0].id) }
            let best = candidates.max { tracks[$0].box.iou(detection.box) < tracks[$1].box.iou(detection.box) }
            let index: Int
            if let best, tracks[best].box.iou(detection.box) >= settings.iouThreshold {
                index = best
            } else {
                tracks.append(Track(id: nextID, box: detection.box, lastSeen: time))
                nextID += 1
                index = tracks.count - 1
            }
            tracks[index].box = detection.box
            tracks[index].lastSeen = time
            taken.insert(tracks[index].id)
            let track = tracks[index]
            let due = track.encodings < settings.maxEncodings && time - track.lastEncoded >= settings.encodeInterval
            if due {
                tracks[index].encodings += 1
                tracks[index].lastEncoded = time
            }
            result.append(Tracked(trackID: track.id, detection: detection, needsEncoding: due))
        }
        return result
    }

    /// Counts one encoding's match (or non-match) towards its track's vote.
    /// Returns a decision when the encoding matched the subject the vote names.
    public mutating func record(trackID: Int, match: MatchResult, sharpness: Float) -> Decision? {
        guard let index = tracks.firstIndex(where: { $0.id == trackID }), let entry = match.match,
              let distance = match.distance else { return nil }
        let key = entry.watchlist + "\u{1F}" + entry.subjectID
        tracks[index].votes[key, default: 0] += 1
        let votes = tracks[index].votes[key]!
        let strongestOther = tracks[index].votes.filter { $0.key != key }.values.max() ?? 0
        guard votes >= settings.minVotes, votes > strongestOther else { return nil }
        let sharpest = sharpness > tracks[index].bestSharpness
        if sharpest { tracks[index].bestSharpness = sharpness }
        return Decision(trackID: trackID, entry: entry, distance: distance, votes: votes, isSharpest: sharpest)
    }
}
