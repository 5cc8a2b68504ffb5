import VigilCore

/// The evidence for one face: the nearest enrolment, its distance, the
/// threshold it was judged against, and how close the best *other* subject came.
public struct MatchResult: Sendable, Equatable {
    /// The nearest enrolment overall (nil when the gallery is empty).
    public var nearest: EnrolledFace?
    public var distance: Double?
    /// The threshold of the nearest enrolment's watchlist.
    public var threshold: Double?
    /// Distance to the nearest enrolment of a different subject: a small gap
    /// between `distance` and this means the match is ambiguous.
    public var runnerUpDistance: Double?

    public init(nearest: EnrolledFace? = nil, distance: Double? = nil, threshold: Double? = nil, runnerUpDistance: Double? = nil) {
        self.nearest = nearest
        self.distance = distance
        self.threshold = threshold
        self.runnerUpDistance = runnerUpDistance
    }

    /// True when the nearest enrolment lies within its watchlist's threshold.
    public var isMatch: Bool {
        guard let distance, let threshold else { return false }
        return distance <= threshold
    }

    /// The matched enrolment, or nil.
    public var match: EnrolledFace? { isMatch ? nearest : nil }
}

/// Nearest-neighbour search over enrolled encodings (exact, linear).
///
/// Linear search costs ~0.1 µs per enrolment (128 floats), so 10,000
/// enrolments take ~1 ms per face: below the encoder's ~20 ms. An approximate
/// index pays off only well beyond that.
public struct FaceGallery: Sendable {
    public let entries: [EnrolledFace]

    public init(_ entries: [EnrolledFace]) {
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func match(_ encoding: FaceEncoding) -> MatchResult {
        var best: (entry: EnrolledFace, distance: Double)?
        var bestPerSubject: [String: Double] = [:]
        for entry in entries {
            let d = entry.encoding.distance(to: encoding)
            let key = entry.watchlist + "\u{1F}" + entry.subjectID
            if d < bestPerSubject[key] ?? .infinity { bestPerSubject[key] = d }
            if d < best?.distance ?? .infinity { best = (entry, d) }
        }
        guard let best else { return MatchResult() }
        let bestKey = best.entry.watchlist + "\u{1F}" + best.entry.subjectID
        let runnerUp = bestPerSubject.filter { $0.key != bestKey }.values.min()
        return MatchResult(nearest: best.entry, distance: best.distance, threshold: best.entry.threshold,
                           runnerUpDistance: runnerUp)
    }
}
