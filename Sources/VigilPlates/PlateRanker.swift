import VigilCore

/// A candidate after region repair, with the score that ranks it.
public struct PlateReading: Sendable, Equatable {
    public var candidate: PlateCandidate
    /// The text after repair (what is matched and reported).
    public var text: String
    public var region: String
    /// The format it fits, when the region has strict formats.
    public var format: String?
    /// Characters swapped to fit the format (each is in the evidence).
    public var repairs: Int
    /// OCR confidence per character of `text` (0-1), and their mean.
    public var confidences: [Double]
    public var confidence: Double
    public var score: Double

    public var box: BoundingBox { candidate.box }
}

/// Turns a frame's candidates into readings, best first: a read that fits the
/// region (after as few confusion repairs as possible), has a plausible length,
/// high OCR confidence and a regular character row ranks above one that does
/// not. The weights were set on the shared plate sets (`vigil plates eval`).
public struct PlateRanker: Sendable {
    public let region: PlateRegion
    public let confusions: ConfusionMap
    public let minConfidence: Double

    public init(region: PlateRegion, confusions: ConfusionMap = .standard, minConfidence: Double = 0.5) {
        self.region = region
        self.confusions = confusions
        self.minConfidence = minConfidence
    }

    /// Every candidate with a reading, best first, overlapping ones folded into the best.
    public func rank(_ candidates: [PlateCandidate]) -> [PlateReading] {
        let readings = candidates.compactMap(reading).sorted { $0.score > $1.score }
        var kept: [PlateReading] = []
        for r in readings where !kept.contains(where: { $0.box.iou(r.box) > 0.3 }) {
            kept.append(r)
        }
        return kept
    }

    /// The readings worth reporting: confident enough and of a length the region issues.
    public func accepted(_ candidates: [PlateCandidate]) -> [PlateReading] {
        rank(candidates).filter { $0.confidence >= minConfidence && region.lengths.contains($0.text.count) && ($0.format != nil || !region.strict) }
    }

    func reading(_ c: PlateCandidate) -> PlateReading? {
        guard !c.text.isEmpty else { return nil }
        var text = c.text, confidences = c.confidences
        var repairs = 0, format: String?
        if let (fixed, swaps, pattern, dropped) = bestRepair(text, confidences) {
            text = fixed
            repairs = swaps
            format = pattern
            if dropped.first { confidences.removeFirst() }
            if dropped.last { confidences.removeLast() }
        }
        let confidence = confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
        var score = 2 * confidence + 0.3 * c.plausibility - 0.5 * Double(repairs)
        if region.lengths.contains(text.count) { score += 1 } else { score -= 2 }
        if region.strict { score += format == nil ? -2 : 2 } else if format != nil { score += 1 }
        // OCR that read fewer characters than were segmented usually merged or dropped some.
        score -= 0.3 * Double(abs(c.segmentedCharacters - text.count))
        return PlateReading(candidate: c, text: text, region: region.name, format: format,
                            repairs: repairs, confidences: confidences, confidence: confidence, score: score)
    }

    /// The cheapest way to fit one of the region's formats: swaps, or dropping one edge
    /// character (a frame or bolt read as I or 1) plus swaps.
    private func bestRepair(_ text: String, _ confidences: [Double])
        -> (String, Int, String, dropped: (first: Bool, last: Bool))? {
        guard !region.formats.isEmpty else { return nil }
        var options: [(String, Int, (Bool, Bool))] = [(text, 0, (false, false))]
        if text.count > 1 {
            options.append((String(text.dropFirst()), 1, (true, false)))
            options.append((String(text.dropLast()), 1, (false, true)))
        }
        var best: (String, Int, String, (first: Bool, last: Bool))?
        for (candidate, cost, dropped) in options {
            for format in region.formats {
                guard let (fixed, swaps) = format.repair(candidate, confusions: confusions) else { continue }
                if !region.strict && swaps + cost > region.maxLooseRepairs { continue }
                if best == nil || swaps + cost < best!.1 {
                    best = (fixed, swaps + cost, format.pattern, dropped)
                }
            }
        }
        return best
    }
}
