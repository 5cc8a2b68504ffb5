/// One enrolled face, as the matcher sees it: enough to explain a match
/// (which subject, which enrolment image, which watchlist and its threshold).
public struct EnrolledFace: Sendable, Equatable {
    public var enrolmentID: Int64
    public var subjectID: String
    public var subjectName: String
    public var watchlist: String
    public var threshold: Double
    public var sourcePath: String
    public var encoding: FaceEncoding

    public init(enrolmentID: Int64, subjectID: String, subjectName: String, watchlist: String, threshold: Double,
                sourcePath: String, encoding: FaceEncoding) {
        self.enrolmentID = enrolmentID
        self.subjectID = subjectID
        self.subjectName = subjectName
        self.watchlist = watchlist
        self.threshold = threshold
        self.sourcePath = sourcePath
        self.encoding = encoding
    }
}
