import VigilCore

/// Where this camera has shown faces: a coarse map learnt from its own
/// HOG-verified faces, so the region search at `detect_fps` looks where faces
/// can appear in this view and leaves the rest to the rolling sweep.
///
/// A fixed camera sees faces in a few places (a walkway at head height, a
/// door), and a busy scene moves everywhere else too (bodies, shadows, crowds
/// seen from above whose faces are too small to find). Motion alone then
/// sends the detector over the whole frame. The sweep still searches the
/// whole frame every `sweep_interval` seconds, so a face in a new place is
/// found within that time, and learnt.
///
/// Until enough faces are learnt, the map also counts how often motion sent the
/// region search into each cell. A cell searched `barrenAfter` times without a
/// face in or near it (the crowd seen from above, a road, trees in the wind) is
/// searched only in every `revisit`-th cycle: a camera that never shows faces
/// stops paying for its motion, while a quiet camera, whose cells motion has
/// not sent the search into, still searches the first person to walk in at
/// full cadence.
public struct FaceZones: Sendable {
    public static let columns = 32, rows = 18
    /// Faces learnt before the map is used; until then, motion regions are searched as they are.
    public static let warmup = 5
    /// Region searches (about 12 s of motion at 2 detections a second) after which a cell that
    /// has shown no face is barren.
    public static let barrenAfter = 24
    /// Barren cells are still searched in one cycle of this many.
    public static let revisit = 8
    private var seen = [Bool](repeating: false, count: columns * rows)
    private var searched = [Int](repeating: 0, count: columns * rows)
    public private(set) var faces = 0

    public init() {}

    /// Marks the cells under `box` and one face around it (heads move with the body that carries them).
    public mutating func learn(_ box: BoundingBox, frameWidth: Int, frameHeight: Int) {
        let grown = box.expanded(by: 1).clamped(width: frameWidth, height: frameHeight)
        guard grown.area > 0 else { return }
        let cellWidth = Double(frameWidth) / Double(Self.columns), cellHeight = Double(frameHeight) / Double(Self.rows)
        let x0 = Int(Double(grown.x) / cellWidth), x1 = min(Self.columns - 1, Int(Double(grown.x + grown.width - 1) / cellWidth))
        let y0 = Int(Double(grown.y) / cellHeight), y1 = min(Self.rows - 1, Int(Double(grown.y + grown.height - 1) / cellHeight))
        for y in y0...y1 { for x in x0...x1 { seen[y * Self.columns + x] = true } }
        faces += 1
    }

    /// The learnt zones as boxes in source pixels, or nil while still warming up.
    public func zones(frameWidth: Int, frameHeight: Int) -> [BoundingBox]? {
        guard faces >= Self.warmup else { return nil }
        return boxes(seen, frameWidth: frameWidth, frameHeight: frameHeight)
    }

    /// Counts one region search over the cells whose centres `regions` cover.
    public mutating func noteSearched(_ regions: [BoundingBox], frameWidth: Int, frameHeight: Int) {
        let cellWidth = Double(frameWidth) / Double(Self.columns), cellHeight = Double(frameHeight) / Double(Self.rows)
        for y in 0..<Self.rows {
            let centreY = (Double(y) + 0.5) * cellHeight
            for x in 0..<Self.columns where regions.contains(where: { $0.contains(x: (Double(x) + 0.5) * cellWidth, y: centreY) }) {
                searched[y * Self.columns + x] += 1
            }
        }
    }

    /// Cells searched `barrenAfter` times that never showed a face.
    public var barrenCells: Int {
        zip(searched, seen).filter { $0.0 >= Self.barrenAfter && !$0.1 }.count
    }

    /// Where motion is still worth a region search in every cycle (boxes around the cells that are
    /// not barren), or nil when no cell is barren.
    public func fertile(frameWidth: Int, frameHeight: Int) -> [BoundingBox]? {
        let barren = zip(searched, seen).map { $0.0 >= Self.barrenAfter && !$0.1 }
        guard barren.contains(true) else { return nil }
        return boxes(barren.map(!), frameWidth: frameWidth, frameHeight: frameHeight)
    }

    /// The connected groups of `cells` as boxes in source pixels.
    private func boxes(_ cells: [Bool], frameWidth: Int, frameHeight: Int) -> [BoundingBox] {
        let cellWidth = Double(frameWidth) / Double(Self.columns), cellHeight = Double(frameHeight) / Double(Self.rows)
        return MotionRegions.blobs(cells, width: Self.columns, height: Self.rows, minArea: 1).map { group in
            BoundingBox(x: Int(Double(group.x) * cellWidth), y: Int(Double(group.y) * cellHeight),
                        width: Int((Double(group.width) * cellWidth).rounded(.up)),
                        height: Int((Double(group.height) * cellHeight).rounded(.up)))
                .clamped(width: frameWidth, height: frameHeight)
        }
    }
}
