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
public struct FaceZones: Sendable {
    public static let columns = 32, rows = 18
    /// Faces learnt before the map is used; until then, motion regions are searched as they are.
    public static let warmup = 5
    private var seen = [Bool](repeating: false, count: columns * rows)
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
        let cellWidth = Double(frameWidth) / Double(Self.columns), cellHeight = Double(frameHeight) / Double(Self.rows)
        return MotionRegions.blobs(seen, width: Self.columns, height: Self.rows, minArea: 1).map { cells in
            BoundingBox(x: Int(Double(cells.x) * cellWidth), y: Int(Double(cells.y) * cellHeight),
                        width: Int((Double(cells.width) * cellWidth).rounded(.up)),
                        height: Int((Double(cells.height) * cellHeight).rounded(.up)))
                .clamped(width: frameWidth, height: frameHeight)
        }
    }
}
