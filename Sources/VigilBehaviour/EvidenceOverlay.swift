import VigilCore

/// Draws a behaviour alert's context on a copy of its frame, for the snapshot: the zone's outline
/// (or the line) in amber and the person's path in cyan, 3 px wide. The person's box is drawn
/// by the evidence writer, as for faces and plates.
public enum EvidenceOverlay {
    public static func draw(on frame: Frame, zone: Zone?, line: Tripwire?, path: [Point]) -> Frame {
        var pixels = frame.pixels
        let amber: (UInt8, UInt8, UInt8) = (0, 191, 255), cyan: (UInt8, UInt8, UInt8) = (255, 255, 0)
        func segment(_ a: Point, _ b: Point, _ colour: (UInt8, UInt8, UInt8)) {
            let steps = max(1, Int(max(abs(b.x - a.x), abs(b.y - a.y))))
            for step in 0...steps {
                let t = Double(step) / Double(steps)
                let cx = Int((a.x + (b.x - a.x) * t).rounded()), cy = Int((a.y + (b.y - a.y) * t).rounded())
                for y in (cy - 1)...(cy + 1) where y >= 0 && y < frame.height {
                    for x in (cx - 1)...(cx + 1) where x >= 0 && x < frame.width {
                        let p = y * frame.stride + 3 * x
                        pixels[p] = colour.0
                        pixels[p + 1] = colour.1
                        pixels[p + 2] = colour.2
                    }
                }
            }
        }
        if let zone, zone.points.count >= 2 {
            for (i, point) in zone.points.enumerated() { segment(point, zone.points[(i + 1) % zone.points.count], amber) }
        }
        if let line { segment(line.from, line.to, amber) }
        for (a, b) in zip(path, path.dropFirst()) { segment(a, b, cyan) }
        return Frame(width: frame.width, height: frame.height, stride: frame.stride, pixels: pixels, time: frame.time, index: frame.index)
    }
}
