import VigilCore

/// Where a frame changed: the regions to search, in source pixels.
public struct MotionResult: Sendable, Equatable {
    public var regions: [BoundingBox]
    /// Fraction of grid cells that changed (before dilation).
    public var changedFraction: Double
    /// Fraction of the frame the regions cover.
    public var coveredFraction: Double
}

/// Turns a frame's coarse luma grid into motion regions: cells that differ from
/// a running background are grown, joined into connected blobs, boxed, given a
/// margin of about one face and merged.
///
/// The detector then searches only these boxes, which is what lets one node
/// hold many cameras: a busy 720p scene moves in a third of its area, a quiet
/// one in none of it.
public struct MotionRegions: Sendable {
    public var settings: MotionSettings
    private var background: [Float] = []
    private var gridWidth = 0, gridHeight = 0

    public init(settings: MotionSettings = MotionSettings()) {
        self.settings = settings
    }

    /// The grid for a `width` x `height` frame: about 160 columns, square cells of at least 4 px.
    public static func gridSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let columns = max(1, min(160, width / 4))
        let rows = max(1, Int((Double(columns) * Double(height) / Double(width)).rounded()))
        return (columns, rows)
    }

    /// Compares `grid` (mean luma per cell, row-major) with the background and updates it.
    /// The first frame, or a frame of another size, has no background: the whole frame is a region.
    /// `margin` (source pixels) is added on every side of each blob: about one face, so a head at the
    /// edge of a moving body is inside its region.
    public mutating func update(grid: [UInt8], gridWidth: Int, gridHeight: Int, frameWidth: Int, frameHeight: Int,
                                margin: Int = 45) -> MotionResult {
        let whole = BoundingBox(x: 0, y: 0, width: frameWidth, height: frameHeight)
        guard gridWidth > 0, gridHeight > 0, grid.count >= gridWidth * gridHeight else {
            return MotionResult(regions: [whole], changedFraction: 1, coveredFraction: 1)
        }
        guard gridWidth == self.gridWidth, gridHeight == self.gridHeight, background.count == grid.count else {
            self.gridWidth = gridWidth
            self.gridHeight = gridHeight
            background = grid.map(Float.init)
            return MotionResult(regions: [whole], changedFraction: 1, coveredFraction: 1)
        }
        let threshold = Float(settings.threshold)
        var changed = [Bool](repeating: false, count: grid.count)
        var changedCount = 0
        let rate = Float(settings.backgroundRate)
        for index in grid.indices {
            let value = Float(grid[index])
            if abs(value - background[index]) > threshold {
                changed[index] = true
                changedCount += 1
            }
            background[index] += rate * (value - background[index])
        }
        let cellWidth = Double(frameWidth) / Double(gridWidth), cellHeight = Double(frameHeight) / Double(gridHeight)
        let blobs = Self.blobs(Self.dilated(changed, width: gridWidth, height: gridHeight, by: settings.dilate),
                               width: gridWidth, height: gridHeight, minArea: settings.minArea + Self.dilatedArea(settings.dilate))
        var boxes = blobs.map { cells -> BoundingBox in
            let box = BoundingBox(x: Int(Double(cells.x) * cellWidth), y: Int(Double(cells.y) * cellHeight),
                                  width: Int((Double(cells.width) * cellWidth).rounded(.up)),
                                  height: Int((Double(cells.height) * cellHeight).rounded(.up)))
            return BoundingBox(x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin,
                               height: box.height + 2 * margin).clamped(width: frameWidth, height: frameHeight)
        }
        boxes = Self.merged(boxes)
        let covered = Double(boxes.reduce(0) { $0 + $1.area }) / Double(max(1, frameWidth * frameHeight))
        let fraction = Double(changedCount) / Double(grid.count)
        if covered > settings.maxFraction { return MotionResult(regions: [whole], changedFraction: fraction, coveredFraction: 1) }
        return MotionResult(regions: boxes, changedFraction: fraction, coveredFraction: covered)
    }

    /// Cells a lone changed cell grows to; a blob must be larger than that to count.
    private static func dilatedArea(_ by: Int) -> Int { (2 * by + 1) * (2 * by + 1) - 1 }

    /// Square dilation by `by` cells, done as a row pass then a column pass.
    static func dilated(_ mask: [Bool], width: Int, height: Int, by: Int) -> [Bool] {
        guard by > 0 else { return mask }
        var rows = [Bool](repeating: false, count: mask.count)
        for y in 0..<height { dilateLine(mask, into: &rows, start: y * width, step: 1, count: width, by: by) }
        var out = [Bool](repeating: false, count: mask.count)
        for x in 0..<width { dilateLine(rows, into: &out, start: x, step: width, count: height, by: by) }
        return out
    }

    /// Marks every cell of one line (row or column) within `by` cells of a set cell:
    /// a forward pass, then a backward one.
    private static func dilateLine(_ mask: [Bool], into out: inout [Bool], start: Int, step: Int, count: Int, by: Int) {
        var lastSet = -Int.max / 2
        for i in 0..<count {
            if mask[start + i * step] { lastSet = i }
            if i - lastSet <= by { out[start + i * step] = true }
        }
        lastSet = Int.max / 2
        for i in stride(from: count - 1, through: 0, by: -1) {
            if mask[start + i * step] { lastSet = i }
            if lastSet - i <= by { out[start + i * step] = true }
        }
    }

    /// Bounding boxes (in cells) of 8-connected blobs of at least `minArea` cells.
    static func blobs(_ mask: [Bool], width: Int, height: Int, minArea: Int) -> [BoundingBox] {
        var seen = [Bool](repeating: false, count: mask.count)
        var boxes: [BoundingBox] = []
        var stack: [Int] = []
        for start in mask.indices where mask[start] && !seen[start] {
            var minX = width, minY = height, maxX = 0, maxY = 0, area = 0
            seen[start] = true
            stack.append(start)
            while let cell = stack.popLast() {
                let x = cell % width, y = cell / width
                area += 1
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                for ny in max(0, y - 1)...min(height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(width - 1, x + 1) {
                        let next = ny * width + nx
                        if mask[next] && !seen[next] {
                            seen[next] = true
                            stack.append(next)
                        }
                    }
                }
            }
            if area >= minArea { boxes.append(BoundingBox(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)) }
        }
        return boxes
    }

    /// Joins overlapping boxes until none overlap (a searched pixel is searched once).
    public static func merged(_ input: [BoundingBox]) -> [BoundingBox] {
        var boxes = input
        var changed = true
        while changed {
            changed = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i && boxes[i].intersects(boxes[j]) {
                    boxes[i] = boxes[i].union(boxes[j])
                    boxes.remove(at: j)
                    changed = true
                    break outer
                }
            }
        }
        return boxes
    }
}

extension BoundingBox {
    /// True when the two boxes share any pixel.
    public func intersects(_ other: BoundingBox) -> Bool {
        x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
    }

    /// The smallest box holding both.
    public func union(_ other: BoundingBox) -> BoundingBox {
        let left = min(x, other.x), top = min(y, other.y)
        return BoundingBox(x: left, y: top, width: max(x + width, other.x + other.width) - left,
                           height: max(y + height, other.y + other.height) - top)
    }
}
