/// Licence-plate parameters, per camera (`plates:` in a camera file).
///
/// The localisation and segmentation values are the contour procedure's; their
/// defaults were tuned on the shared plate sets (`vigil plates eval`) and are
/// sizes at `workWidth`, so they mean the same at every camera resolution.
public struct PlateSettings: Sendable, Equatable, Codable {
    /// Plate formats to expect (`us`, `eu`, `br`, `any`): drives repair and ranking.
    public var region: String
    /// Frames are resized to this width before localisation.
    public var workWidth: Int
    public var blur: Int
    /// Closing kernel that joins a plate's vertical edges into one blob.
    public var closeWidth: Int
    public var closeHeight: Int
    /// A second pass with a kernel twice as large (large plates split at a dash).
    public var coarsePass: Bool
    public var minAspect: Double
    public var maxAspect: Double
    /// Candidate area as a fraction of the frame.
    public var minArea: Double
    public var maxArea: Double
    public var maxAngle: Double
    public var thresholdOffset: Double
    /// Character height as a fraction of the normalised crop.
    public var charMinHeight: Double
    public var charMaxHeight: Double
    public var minChars: Int
    public var maxChars: Int
    /// Candidates read by OCR per frame, most plausible first (bounds the cost per frame).
    public var maxReads: Int
    /// Reads below this mean OCR confidence (0-1) are not reported.
    public var minConfidence: Double
    /// Daemon: reads of one vehicle merged by vote before a match is decided.
    public var votes: Int

    public init(region: String = "any", workWidth: Int = 1280, blur: Int = 3, closeWidth: Int = 13, closeHeight: Int = 3,
                coarsePass: Bool = true, minAspect: Double = 1.2, maxAspect: Double = 7, minArea: Double = 0.0004,
                maxArea: Double = 0.15, maxAngle: Double = 20, thresholdOffset: Double = 10, charMinHeight: Double = 0.25,
                charMaxHeight: Double = 0.9, minChars: Int = 4, maxChars: Int = 8, maxReads: Int = 8,
                minConfidence: Double = 0.5, votes: Int = 3) {
        self.region = region
        self.workWidth = workWidth
        self.blur = blur
        self.closeWidth = closeWidth
        self.closeHeight = closeHeight
        self.coarsePass = coarsePass
        self.minAspect = minAspect
        self.maxAspect = maxAspect
        self.minArea = minArea
        self.maxArea = maxArea
        self.maxAngle = maxAngle
        self.thresholdOffset = thresholdOffset
        self.charMinHeight = charMinHeight
        self.charMaxHeight = charMaxHeight
        self.minChars = minChars
        self.maxChars = maxChars
        self.maxReads = maxReads
        self.minConfidence = minConfidence
        self.votes = votes
    }
}
