import VigilCore
import VigilMatching
import VigilVision

/// What one analysed frame yielded for faces.
public struct FaceStageResult: Sendable {
    /// A face confirmed in this frame, with what its track is known to be.
    public struct Face: Sendable {
        public var trackID: Int
        public var box: BoundingBox
        /// The track's best match so far (nil: not named yet or no match).
        public var match: MatchResult?
    }

    /// An encoding made in this frame, with its match and the decision the track's vote reached.
    public struct Encoded: Sendable {
        public var trackID: Int
        public var face: EncodedFace
        public var match: MatchResult
        public var decision: FaceTracker.Decision?
    }

    public var faces: [Face] = []
    public var encoded: [Encoded] = []
    /// A region search ran in this frame.
    public var detected = false
    /// Nothing was searched: no motion, no live track, no detection or sweep due.
    public var still = false

    public init() {}
}

/// One camera's face analysis, frame by frame: motion regions, a detection
/// cadence with local track searches in between, a rolling sweep, and
/// bounded encodings per track. The daemon's workers and `vigil scan --track`
/// both run it, so the recall the tests measure is the daemon's.
///
/// Not thread-safe: a camera is analysed by one worker at a time, which passes
/// in its own native detector and encoder.
public final class FaceStage {
    public let settings: AnalysisSettings
    public let analyseFPS: Double
    public private(set) var tracker: FaceTracker
    private var motion: MotionRegions
    /// Where this camera has shown faces (used once warmed up and a whole sweep has run).
    public private(set) var zones = FaceZones()
    private var sweep: SweepPlanner?
    private var nextDetection = -Double.infinity
    private var nextSweep = -Double.infinity
    /// Pixels (searched for faces down to the camera's `min_size`) one camera's region search may cover
    /// per second. Haar costs about 0.45 µs per such pixel here (a 720p frame is 0.92 Mpx), so this is
    /// about half of one core: a camera keeps up with its own frames, and the rest of each frame
    /// interval is left for HOG checks, track searches and encodings. A budget in pixels, not in
    /// measured time, makes the search order the same on every machine and in every run, so what
    /// the tests measure is what the daemon does.
    public static let pixelsPerSecond = 1_150_000.0
    /// Seconds a Haar proposal HOG refused is not checked again at the same place.
    static let rejectionMemory = 1.0
    /// What is left of the current detection cycle.
    private var plan: [Search] = []
    /// Pixels the region search has covered so far, weighted by cost (see `Search.cost`): what the
    /// detection cadence, motion regions and face zones save shows here, the same on every machine.
    public private(set) var pixelsSearched = 0.0
    /// Pixels banked towards the next slice while the node is over capacity (see `analyse`).
    private var credit = 0.0
    private var firstCycle: Double?
    /// Detection cycles begun (the first is searched whole).
    private var cyclesStarted = 0
    /// Haar proposals HOG refused, so the same false face is not re-verified at every detection.
    private var rejected: [(box: BoundingBox, until: Double)] = []

    /// Where in its detection interval this camera's cycles start (a fraction of the interval).
    public let phase: Double

    /// `phase` (0..<1) offsets this camera's detection cycles, and its slice credit under load, by
    /// that fraction of an interval. Cameras started together would otherwise all begin their
    /// region searches, the dearest work there is, in the same frame: the node's workers would be
    /// swamped for a moment twice a second and idle in between, dropping frames with a fifth to a
    /// quarter of its CPU idle (measured at 8 cameras: 150-160% of 200%). The daemon staggers its cameras (`FrameSampler.staggeredPhase`); a scan uses 0.
    public init(settings: AnalysisSettings, analyseFPS: Double, phase: Double = 0,
                tracker: FaceTracker.Settings = FaceTracker.Settings()) {
        self.settings = settings
        self.analyseFPS = analyseFPS
        self.phase = phase - phase.rounded(.down)
        var trackerSettings = tracker
        if !settings.tracking {
            trackerSettings.maxEncodings = .max
            trackerSettings.encodeInterval = 0
        }
        self.tracker = FaceTracker(settings: trackerSettings)
        motion = MotionRegions(settings: settings.motion)
    }

    /// Analyses `frame` captured at `time` (monotonic seconds). `load` (>= 1) stretches the
    /// detection interval when the node is over capacity, so every camera degrades evenly.
    /// The gallery changed (a watchlist edit): live tracks are matched again (`FaceTracker.forgetIdentities`).
    public func watchlistsChanged() {
        tracker.forgetIdentities()
    }

    public func analyse(_ frame: Frame, time: Double, detector: FaceDetector, encoder: FaceEncoder, gallery: FaceGallery,
                        roi: BoundingBox? = nil, inRegion: (BoundingBox) -> Bool = { _ in true }, load: Double = 1,
                        costs: inout StageCosts) throws -> FaceStageResult {
        var result = FaceStageResult()
        let whole = BoundingBox(x: 0, y: 0, width: frame.width, height: frame.height)
        let area = roi.map { $0.clamped(width: frame.width, height: frame.height) } ?? whole
        let moved = try costs.measure(.motion) { () throws -> MotionResult in
            let grid = MotionRegions.gridSize(width: frame.width, height: frame.height)
            let cells = try detector.prepare(frame, grid: settings.motionRegions ? grid : (0, 0))
            guard settings.motionRegions && settings.tracking else {
                return MotionResult(regions: [whole], changedFraction: 1, coveredFraction: 1)
            }
            return motion.update(grid: cells, gridWidth: grid.width, gridHeight: grid.height,
                                 frameWidth: frame.width, frameHeight: frame.height,
                                 margin: Int(1.5 * Double(detector.settings.minFaceSize)))
        }
        tracker.begin(time: time)
        if !settings.tracking {
            return try fullSearch(frame, time: time, detector: detector, encoder: encoder, gallery: gallery, area: area,
                                  inRegion: inRegion, costs: &costs)
        }
        // A new detection cycle starts at most `detect_fps` times a second, and only once the last one is done.
        // Tolerate half an analysed frame of jitter, so 2 cycles per second stay 2, not 1.67.
        let slack = 0.5 / max(analyseFPS, 0.1)
        let interval = max(1, load) / max(0.01, min(settings.detectFPS, analyseFPS))
        if plan.isEmpty && (time >= nextDetection - slack || time < nextDetection - 2 * interval) {
            nextDetection = max(nextDetection + interval, time + interval - slack)
            if cyclesStarted == 0 {
                // The first cycle runs at once (a camera's first look); the phase shifts the ones after it.
                nextDetection += phase * interval
                credit = phase * Self.pixelsPerSecond / max(analyseFPS, 0.1)
            }
            plan = cycle(moved, time: time, area: area, whole: whole, minFace: detector.settings.minFaceSize,
                         sliced: cyclesStarted > 0, load: load)
            cyclesStarted += 1
            if firstCycle == nil || time < firstCycle! { firstCycle = time }
        }
        if !plan.isEmpty {
            // This frame's share of the cycle: slices until the budget is spent (at least one). Under load
            // the share is banked, so a slice dearer than one frame's share runs every few frames, not in
            // every frame: the region search slows by the load factor itself, not only its cycle starts
            // (a 720p cycle is eight slices, longer than any interval, so stretching starts alone saved nothing).
            let unloaded = Self.pixelsPerSecond / max(analyseFPS, 0.1)
            let budget = unloaded / max(1, load)
            credit = load > 1 ? min(credit + budget, 1.25 * unloaded) : 0
            var spent = 0.0
            let proposals = try costs.measure(.detect) { () throws -> [FaceDetection] in
                var found: [FaceDetection] = []
                while let search = plan.first {
                    let cost = search.cost(minFace: detector.settings.minFaceSize)
                    if load > 1 {
                        // Banked credit pays; a search dearer than the cap runs once the cap is reached.
                        guard credit >= min(cost, 1.25 * unloaded) else { break }
                        credit = max(0, credit - cost)
                    } else {
                        // A quarter over budget is allowed when it finishes a small camera's cycle in one frame.
                        guard spent == 0 || spent + cost <= 1.25 * budget else { break }
                    }
                    plan.removeFirst()
                    let hits = detector.settings.strategy == .hog
                        ? try detector.hog(frame, in: search.region)
                        : try detector.search(region: search.region, minSize: search.min, maxSize: search.max)
                    spent += cost
                    pixelsSearched += cost
                    found.append(contentsOf: hits)
                }
                return Self.distinct(found).filter { inRegion($0.box) }
            }
            if spent > 0 {
                result.detected = true
                try adopt(proposals, frame: frame, time: time, detector: detector, costs: &costs)
            }
        }
        try followTracks(frame, time: time, detector: detector, area: area, costs: &costs)
        tracker.mergeDuplicates()
        if !result.detected && tracker.tracks.isEmpty && moved.regions.isEmpty { result.still = true }
        try encodeDue(&result, frame: frame, time: time, detector: detector, encoder: encoder, gallery: gallery, costs: &costs)
        for track in tracker.tracks where track.verifiedNow {
            zones.learn(track.box, frameWidth: frame.width, frameHeight: frame.height)
        }
        // A track missed by its local search in one frame is still reported there, at its last box
        // (a face turning for a moment has not left); after one analysed frame it is not.
        let coast = 1 / max(analyseFPS, 0.1) + 0.01
        result.faces = tracker.tracks.filter { $0.confirmedNow || time - $0.lastSeen <= coast }
            .map { FaceStageResult.Face(trackID: $0.id, box: $0.box, match: $0.best) }
        return result
    }

    /// One Haar search of a detection cycle.
    struct Search: Sendable, Equatable {
        var region: BoundingBox
        var min: Int
        var max: Int

        /// What it costs, in pixels searched down to `minFace`: the cascade's pyramid starts at `min`,
        /// so a search for larger faces costs less by the square of the size ratio.
        func cost(minFace: Int) -> Double {
            let ratio = Double(minFace) / Double(Swift.max(1, min))
            return Double(region.area) * ratio * ratio
        }
    }

    /// Everything one detection cycle searches (motion regions, within learnt zones, and a sweep step),
    /// cut into tiles each frame can afford: a 720p pass costs four frame intervals, and
    /// a camera that spends that long on one frame drops the next three.
    private func cycle(_ moved: MotionResult, time: Double, area: BoundingBox, whole: BoundingBox, minFace: Int,
                       sliced: Bool, load: Double) -> [Search] {
        var regions = moved.regions.compactMap { region -> BoundingBox? in
            let inside = region.intersection(area)
            return inside.area > 0 ? inside : nil
        }
        // Zones are used once the sweep has searched the whole frame once: a face in a place the first
        // frames did not show is learnt before motion there is left to the sweep.
        if settings.learnZones, settings.motionRegions {
            let within = { (allowed: [BoundingBox]) in
                MotionRegions.merged(regions.flatMap { region in allowed.map { $0.intersection(region) }.filter { $0.area > 0 } })
            }
            if time - (firstCycle ?? time) >= settings.sweepInterval,
               let learnt = zones.zones(frameWidth: whole.width, frameHeight: whole.height) {
                regions = within(learnt)
            } else {
                // Not enough faces for a map yet: motion in cells that never showed a face after many
                // searches waits for every `revisit`-th cycle (and the sweep).
                if !cyclesStarted.isMultiple(of: FaceZones.revisit),
                   let fertile = zones.fertile(frameWidth: whole.width, frameHeight: whole.height) {
                    regions = within(fertile)
                }
                zones.noteSearched(regions, frameWidth: whole.width, frameHeight: whole.height)
            }
        }
        var searches = regions.map { Search(region: $0, min: minFace, max: 0) }
        if settings.motionRegions && regions != [area] {
            for step in sweepSteps(time: time, area: area, minFace: minFace) {
                searches.append(Search(region: step.band, min: minFace, max: step.maxFaceSize))
                if let large = step.largeFaces { searches.append(Search(region: area, min: large, max: 0)) }
            }
        }
        // Slices of what one frame's budget pays for, overlapping by the largest face they look for;
        // larger faces get their own pass (cheaper per pixel by the square of the size ratio, since
        // the cascade's pyramid starts at that size), sliced the same way when it is still too dear.
        let overlap = max(64, 2 * minFace)
        // The first cycle (a camera's first look) is not cut: everything in view is searched at once.
        // Over capacity the tiles are cut to half a frame's budget (about 50 ms of Haar), so one camera's
        // tile holds a worker for less than a quarter of a frame interval and other cameras' frames
        // are not left waiting behind it.
        let budget = sliced ? Self.pixelsPerSecond / max(analyseFPS, 0.1) / min(2, max(1, load)) : .infinity
        var out: [Search] = []
        for search in searches {
            let hasLarge = search.max == 0 || search.max > overlap
            let cut = slices(Search(region: search.region, min: search.min, max: hasLarge ? overlap : search.max), overlap: overlap,
                             budget: budget, minFace: minFace)
            // A region one frame can afford is searched whole, for every size, exactly as a full search would.
            guard cut.count > 1 else {
                out.append(search)
                continue
            }
            out += cut
            if hasLarge {
                out += slices(Search(region: search.region, min: overlap, max: search.max), overlap: 2 * overlap,
                              budget: budget, minFace: minFace)
            }
        }
        return out
    }

    /// `search` cut into tiles that each cost about `budget`, overlapping by `overlap` pixels (the
    /// largest face searched in them, so every such face lies whole in one tile). Tiles near square
    /// waste least on overlap: a 720p frame cut into 230 kpx tiles is searched 1.2 times over, in
    /// full-width bands of the same cost 1.5 times.
    private func slices(_ search: Search, overlap: Int, budget: Double, minFace: Int) -> [Search] {
        let ratio = Double(minFace) / Double(max(1, search.min))
        let sliceArea = max(Double(overlap * overlap * 4), budget / (ratio * ratio))
        let r = search.region
        guard Double(r.area) > 1.5 * sliceArea, max(r.width, r.height) > 3 * overlap else { return [search] }
        let side = Int(sliceArea.squareRoot())
        // A dimension that fits in one tile stays whole; the other takes what is left of the area.
        func count(_ length: Int, _ tile: Int) -> Int { length <= tile ? 1 : Int((Double(length - overlap) / Double(max(1, tile - overlap))).rounded(.up)) }
        var columns = count(r.width, side), rows = count(r.height, side)
        if columns == 1 { rows = count(r.height, max(2 * overlap, Int(sliceArea) / max(1, r.width))) }
        if rows == 1 { columns = count(r.width, max(2 * overlap, Int(sliceArea) / max(1, r.height))) }
        let stepX = Int((Double(r.width - overlap) / Double(columns)).rounded(.up))
        let stepY = Int((Double(r.height - overlap) / Double(rows)).rounded(.up))
        var out: [Search] = []
        for row in 0..<rows {
            let top = r.y + row * stepY, bottom = min(r.y + r.height, top + stepY + overlap)
            for column in 0..<columns {
                let left = r.x + column * stepX, right = min(r.x + r.width, left + stepX + overlap)
                out.append(Search(region: BoundingBox(x: left, y: top, width: right - left, height: bottom - top),
                                  min: search.min, max: search.max))
            }
        }
        return out
    }

    /// The sweep steps due at `time`: bands are spread evenly over `sweepInterval`.
    private func sweepSteps(time: Double, area: BoundingBox, minFace: Int) -> [SweepPlanner.Step] {
        let overlap = max(64, 2 * minFace)
        let bands = max(1, min(Int(settings.sweepInterval * min(settings.detectFPS, analyseFPS)), area.height / (2 * overlap)))
        if sweep?.bands != bands || sweep?.overlap != overlap { sweep = SweepPlanner(bands: bands, overlap: overlap) }
        guard time >= nextSweep || time < nextSweep - 2 * settings.sweepInterval, var planner = sweep else { return [] }
        let every = settings.sweepInterval / Double(bands)
        nextSweep = max(nextSweep + every, time + every / 2)
        var step = planner.step(width: area.width, height: area.height)
        sweep = planner
        step.band.x += area.x
        step.band.y += area.y
        return [step]
    }

    /// Proposals of a region search: those on a live track confirm it; new ones are verified (haar-verified) and start tracks.
    private func adopt(_ proposals: [FaceDetection], frame: Frame, time: Double, detector: FaceDetector,
                       costs: inout StageCosts) throws {
        rejected.removeAll { $0.until < time }
        var taken = Set<Int>()
        for proposal in proposals.sorted(by: { $0.box.area > $1.box.area }) {
            if let index = tracker.trackIndex(matching: proposal.box, at: time, excluding: taken) {
                taken.insert(tracker.tracks[index].id)
                tracker.confirm(index: index, searchBox: proposal.box, verified: nil, time: time)
                continue
            }
            guard detector.settings.strategy == .haarVerified else {
                let index = tracker.start(searchBox: proposal.box, verified: proposal.box, time: time)
                taken.insert(tracker.tracks[index].id)
                continue
            }
            if rejected.contains(where: { $0.box.iou(proposal.box) > 0.7 }) { continue }
            let verified = try costs.measure(.detect) { try detector.verified([proposal], in: frame) }
            guard let face = verified.first else {
                rejected.append((proposal.box, time + Self.rejectionMemory))
                continue
            }
            if let index = tracker.tracks.firstIndex(where: { !taken.contains($0.id) && $0.box.iou(face.box) > 0.4 }) {
                taken.insert(tracker.tracks[index].id)
                tracker.confirm(index: index, searchBox: proposal.box, verified: face.box, time: time)
            } else {
                let index = tracker.start(searchBox: proposal.box, verified: face.box, time: time)
                taken.insert(tracker.tracks[index].id)
            }
        }
    }

    /// Looks for each live track not yet confirmed in a window around its predicted box, at its own scale.
    private func followTracks(_ frame: Frame, time: Double, detector: FaceDetector, area: BoundingBox, costs: inout StageCosts) throws {
        try costs.measure(.track) {
            for index in tracker.tracks.indices where !tracker.tracks[index].confirmedNow {
                let predicted = tracker.predicted(tracker.tracks[index], at: time)
                let window = predicted.expanded(by: 0.6).intersection(area)
                guard window.area > 0 else { continue }
                let found = detector.settings.strategy == .hog
                    ? try detector.hog(frame, in: window)
                    : try detector.search(region: window, minSize: max(8, predicted.width * 7 / 10),
                                          maxSize: predicted.width * 3 / 2, minNeighbors: max(2, detector.settings.minNeighbors - 2))
                guard let best = found.max(by: { $0.box.iou(predicted) < $1.box.iou(predicted) }),
                      best.box.iou(predicted) >= 0.2 else { continue }
                tracker.confirm(index: index, searchBox: best.box, verified: nil, time: time)
            }
        }
    }

    /// Encodes the tracks due an encoding (verified first, so the encoder gets HOG's framing), matches, votes.
    private func encodeDue(_ result: inout FaceStageResult, frame: Frame, time: Double, detector: FaceDetector,
                           encoder: FaceEncoder, gallery: FaceGallery, costs: inout StageCosts) throws {
        var due: [(id: Int, detection: FaceDetection)] = []
        for index in tracker.tracks.indices where tracker.tracks[index].confirmedNow {
            let track = tracker.tracks[index]
            guard track.encodingDue(settings: tracker.settings, time: time) else { continue }
            var box = track.box
            if detector.settings.strategy == .haarVerified && !track.verifiedNow {
                let proposal = FaceDetection(box: track.searchBox, score: 0)
                guard let face = try costs.measure(.detect, { try detector.verified([proposal], in: frame) }).first else { continue }
                tracker.confirm(index: index, searchBox: track.searchBox, verified: face.box, time: time)
                box = face.box
            }
            _ = tracker.takeEncoding(index: index, time: time)
            due.append((track.id, FaceDetection(box: box, score: 0)))
        }
        guard !due.isEmpty else { return }
        let faces = try costs.measure(.encode) { try encoder.encode(due.map(\.detection), in: frame) }
        for (entry, face) in zip(due, faces) {
            let match = gallery.match(face.encoding)
            let decision = tracker.record(trackID: entry.id, match: match, sharpness: face.sharpness)
            result.encoded.append(.init(trackID: entry.id, face: face, match: match, decision: decision))
        }
    }

    /// Tracking off: the whole area in every analysed frame, every face encoded (what Vigil did before tracking).
    private func fullSearch(_ frame: Frame, time: Double, detector: FaceDetector, encoder: FaceEncoder, gallery: FaceGallery,
                            area: BoundingBox, inRegion: (BoundingBox) -> Bool, costs: inout StageCosts) throws -> FaceStageResult {
        var result = FaceStageResult()
        result.detected = true
        let detections = try costs.measure(.detect) { () throws -> [FaceDetection] in
            let crop = area == BoundingBox(x: 0, y: 0, width: frame.width, height: frame.height) ? nil : frame.cropped(to: area)
            let found = try detector.detect(in: crop ?? frame).map { d -> FaceDetection in
                var moved = d
                if crop != nil { moved.box.x += area.x; moved.box.y += area.y }
                return moved
            }
            return found.filter { inRegion($0.box) }
        }
        let tracked = tracker.update(detections, time: time)
        let faces = try costs.measure(.encode) { try encoder.encode(tracked.map(\.detection), in: frame) }
        for (track, face) in zip(tracked, faces) {
            let match = gallery.match(face.encoding)
            let decision = tracker.record(trackID: track.trackID, match: match, sharpness: face.sharpness)
            result.encoded.append(.init(trackID: track.trackID, face: face, match: match, decision: decision))
            result.faces.append(.init(trackID: track.trackID, box: face.box, match: match.isMatch ? match : nil))
        }
        return result
    }

    /// Drops proposals that repeat one found in an overlapping search (the higher score stays).
    static func distinct(_ detections: [FaceDetection]) -> [FaceDetection] {
        var kept: [FaceDetection] = []
        for detection in detections.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { $0.box.iou(detection.box) > 0.5 }) {
            kept.append(detection)
        }
        return kept
    }
}

extension BoundingBox {
    /// The part of this box inside `other` (empty when they do not meet).
    public func intersection(_ other: BoundingBox) -> BoundingBox {
        let left = max(x, other.x), top = max(y, other.y)
        let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
        return BoundingBox(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }
}
