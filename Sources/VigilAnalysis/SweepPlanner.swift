import VigilCore

/// The rolling full-frame sweep: motion regions miss a face that stands still,
/// so each detection also searches one horizontal band of the frame, and after
/// `bands` detections the whole frame has been searched once.
///
/// A sweep spread over many detections costs the same as one full search every
/// `sweep_interval` seconds but never stalls a camera for a whole-frame pass,
/// which at 720p takes longer than two frame intervals. Bands overlap by
/// `overlap` pixels, so a face up to that size is whole in some band; larger
/// faces are searched for over the whole frame at the first band, where the
/// cascade starts at that size and the pass is cheap.
public struct SweepPlanner: Sendable, Equatable {
    public let bands: Int
    public let overlap: Int
    public private(set) var next = 0

    /// One step of the sweep: a band with the largest face searched in it, and
    /// optionally the whole frame for faces of at least `largeFaces` pixels.
    public struct Step: Sendable, Equatable {
        public var band: BoundingBox
        public var maxFaceSize: Int
        public var largeFaces: Int?
    }

    public init(bands: Int, overlap: Int) {
        self.bands = max(1, bands)
        self.overlap = max(1, overlap)
    }

    public mutating func step(width: Int, height: Int) -> Step {
        let index = next
        next = (next + 1) % bands
        guard bands > 1 else {
            return Step(band: BoundingBox(x: 0, y: 0, width: width, height: height), maxFaceSize: 0, largeFaces: nil)
        }
        let size = (height + bands - 1) / bands
        let top = max(0, index * size - overlap / 2)
        let bottom = min(height, (index + 1) * size + overlap / 2)
        return Step(band: BoundingBox(x: 0, y: top, width: width, height: bottom - top), maxFaceSize: overlap,
                    largeFaces: index == 0 ? overlap : nil)
    }
}
