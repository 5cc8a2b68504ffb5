/// An axis-aligned box in source-image pixels (x, y = top-left corner).
public struct BoundingBox: Hashable, Sendable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Int { max(0, width) * max(0, height) }
    public var centerX: Double { Double(x) + Double(width) / 2 }
    public var centerY: Double { Double(y) + Double(height) / 2 }

    /// Whether the point lies inside the box or on its edge.
    public func contains(x px: Double, y py: Double) -> Bool {
        px >= Double(x) && px <= Double(x + width) && py >= Double(y) && py <= Double(y + height)
    }

    /// Intersection over union: the usual "same object" test for detections and ground truth.
    public func iou(_ other: BoundingBox) -> Double {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        let intersection = max(0, right - left) * max(0, bottom - top)
        let union = area + other.area - intersection
        return union > 0 ? Double(intersection) / Double(union) : 0
    }

    /// The box grown by `fraction` of its size on every side, centred on the same point.
    public func expanded(by fraction: Double) -> BoundingBox {
        let dx = Int((Double(width) * fraction).rounded()), dy = Int((Double(height) * fraction).rounded())
        return BoundingBox(x: x - dx, y: y - dy, width: width + 2 * dx, height: height + 2 * dy)
    }

    /// The part of the box inside a `width` x `height` image (may be empty).
    public func clamped(width imageWidth: Int, height imageHeight: Int) -> BoundingBox {
        let left = max(0, x), top = max(0, y)
        let right = min(imageWidth, x + width), bottom = min(imageHeight, y + height)
        return BoundingBox(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }

    /// `[x, y, w, h]`, the form used in JSON output.
    public var array: [Int] { [x, y, width, height] }
}
