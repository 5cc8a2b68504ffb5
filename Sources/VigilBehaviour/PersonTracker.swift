import VigilCore

/// Follows people between detections: each detection joins the live track it overlaps most
/// (IoU), or failing that the nearest one within half a body height, or starts a new track.
/// A track not seen for `memory` seconds ends. Ids are stable for a track's life and never reused.
public struct PersonTracker: Sendable {
    public struct Track: Sendable, Equatable {
        public var id: Int
        public var box: BoundingBox
        public var firstSeen: Double
        public var lastSeen: Double
        /// Foot points, oldest first, at most `pathLimit` (for crossings and the evidence drawing).
        public var path: [Point]
        /// The detector's score for the latest box (HOG's SVM margin; 0 when none was given).
        public var score: Double = 0
    }

    public var memory: Double
    public var minIoU: Double
    public static let pathLimit = 64
    public private(set) var tracks: [Track] = []
    private var nextID = 1

    public init(memory: Double = 1.5, minIoU: Double = 0.25) {
        self.memory = memory
        self.minIoU = minIoU
    }

    /// Adds one detection cycle's people seen at `time`; returns the tracks updated in it.
    @discardableResult
    /// `scores`, when given, holds one detector score per box.
    public mutating func update(_ boxes: [BoundingBox], scores: [Double] = [], time: Double) -> [Track] {
        tracks.removeAll { time - $0.lastSeen > memory }
        var free = Set(tracks.indices)
        var updated: [Int] = []
        // Strongest overlaps first, so two people walking together keep their own tracks.
        var pairs: [(detection: Int, track: Int, score: Double)] = []
        for (d, box) in boxes.enumerated() {
            for (t, track) in tracks.enumerated() {
                let iou = box.iou(track.box)
                if iou >= minIoU {
                    pairs.append((d, t, 1 + iou))
                } else {
                    let distance = Self.distance(Point(footOf: box), Point(footOf: track.box))
                    let reach = 0.5 * Double(max(box.height, track.box.height))
                    if distance <= reach { pairs.append((d, t, 1 - distance / max(reach, 1))) }
                }
            }
        }
        var matched = Set<Int>()
        for pair in pairs.sorted(by: { $0.score > $1.score }) where !matched.contains(pair.detection) && free.contains(pair.track) {
            matched.insert(pair.detection)
            free.remove(pair.track)
            tracks[pair.track].box = boxes[pair.detection]
            tracks[pair.track].lastSeen = time
            tracks[pair.track].score = pair.detection < scores.count ? scores[pair.detection] : 0
            tracks[pair.track].path.append(Point(footOf: boxes[pair.detection]))
            if tracks[pair.track].path.count > Self.pathLimit { tracks[pair.track].path.removeFirst() }
            updated.append(pair.track)
        }
        for (d, box) in boxes.enumerated() where !matched.contains(d) {
            tracks.append(Track(id: nextID, box: box, firstSeen: time, lastSeen: time, path: [Point(footOf: box)],
                                score: d < scores.count ? scores[d] : 0))
            nextID += 1
            updated.append(tracks.count - 1)
        }
        return updated.map { tracks[$0] }
    }

    static func distance(_ a: Point, _ b: Point) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }
}
