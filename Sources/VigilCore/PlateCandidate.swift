/// One plate candidate as the reader saw it: where, and what OCR made of its
/// characters. Ranking, repair and matching happen on these in VigilPlates.
public struct PlateCandidate: Sendable, Equatable {
    /// The plate, estimated from its character row, in source pixels.
    public var box: BoundingBox
    /// The character row inside it.
    public var row: BoundingBox
    /// Deskew angle, degrees.
    public var angle: Double
    /// Characters the segmentation found (the OCR may read a different number).
    public var segmentedCharacters: Int
    /// OCR text, A-Z and 0-9 only.
    public var text: String
    /// One OCR confidence (0-1) per character of `text`.
    public var confidences: [Double]
    /// Segmentation's own ranking: regular rows of 5-8 characters that span the plate score higher.
    public var plausibility: Double

    public init(box: BoundingBox, row: BoundingBox, angle: Double = 0, segmentedCharacters: Int, text: String,
                confidences: [Double], plausibility: Double) {
        self.box = box
        self.row = row
        self.angle = angle
        self.segmentedCharacters = segmentedCharacters
        self.text = text
        self.confidences = confidences
        self.plausibility = plausibility
    }

    public var meanConfidence: Double {
        confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
    }
}
