import Foundation
import VigilCore
import VigilPlates

/// Camera settings that `vigil.yaml`'s `defaults:` may set for every camera,
/// and that each camera file may override. Both are read by the same code.
struct CameraDefaults: Sendable, Equatable {
    static let keys = ["enabled", "loop", "analyse_fps", "detect_fps", "sweep_interval", "motion", "detect", "face", "plates",
                       "watchlists", "cooldown", "reconnect"]
    static let motionKeys = ["regions", "zones", "threshold", "dilate", "min_area", "max_fraction"]
    static let cameraKeys = ["id", "name", "url", "roi", "behaviour"] + keys
    static let faceKeys = ["strategy", "cascade", "scale_factor", "min_neighbors", "min_size", "max_side"]
    static let plateKeys = ["region", "work_width", "close_width", "close_height", "coarse_pass", "min_aspect", "max_aspect",
                            "min_area", "max_area", "max_angle", "threshold_offset", "min_chars", "max_chars", "max_reads",
                            "min_confidence", "votes"]
    static let reconnectKeys = ["initial", "max", "stall_timeout", "open_timeout"]

    var enabled = true
    var loop = false
    var analyseFPS = 5.0
    var analysis = AnalysisSettings()
    /// detect_fps was written (here or in `defaults:`); unset, it follows analyse_fps down.
    var detectFPSSet = false
    var detect: [DetectionKind] = [.faces]
    var face = DetectorSettings()
    var plates = PlateSettings()
    var cascade: String?
    var watchlists: [String] = []
    var cooldown = 60.0
    var reconnect = ReconnectPolicy()

    /// Applies whatever `section` sets over the current values.
    mutating func read(_ section: inout YAMLMapping) throws {
        if let value = try section.bool("enabled") { enabled = value }
        if let value = try section.bool("loop") { loop = value }
        if let value = try section.double("analyse_fps", in: 0.1...60) { analyseFPS = value }
        if let value = try section.double("detect_fps", in: 0.1...60) {
            analysis.detectFPS = value
            detectFPSSet = true
        }
        if let value = try section.double("sweep_interval", in: 1...600) { analysis.sweepInterval = value }
        if var motion = try section.mapping("motion") {
            if let value = try motion.bool("regions") { analysis.motionRegions = value }
            if let value = try motion.bool("zones") { analysis.learnZones = value }
            if let value = try motion.int("threshold", in: 1...255) { analysis.motion.threshold = value }
            if let value = try motion.int("dilate", in: 0...8) { analysis.motion.dilate = value }
            if let value = try motion.int("min_area", in: 1...1000) { analysis.motion.minArea = value }
            if let value = try motion.double("max_fraction", in: 0.05...1) { analysis.motion.maxFraction = value }
            try motion.finish(known: Self.motionKeys)
        }
        // Checked where either is set, so the error points at the line that made the pair wrong.
        if detectFPSSet, analysis.detectFPS > analyseFPS, section.has("detect_fps") || section.has("analyse_fps") {
            let key = section.has("detect_fps") ? "detect_fps" : "analyse_fps"
            throw section.error(key, "detect_fps \(format(analysis.detectFPS)) is above analyse_fps \(format(analyseFPS)): "
                                + "detection runs on analysed frames, so it cannot run more often than they come")
        }
        if let values = try section.strings("detect") {
            detect = try values.map { value in
                guard let kind = DetectionKind(rawValue: value) else {
                    throw section.error("detect", "unknown detection '\(value)' (expected faces or plates)")
                }
                return kind
            }
        }
        if var faceSection = try section.mapping("face") {
            if let value = try faceSection.string("strategy") {
                guard let strategy = DetectionStrategy(rawValue: value) else {
                    throw faceSection.error("strategy", "expected haar, hog or haar-verified")
                }
                face.strategy = strategy
            }
            if let value = try faceSection.string("cascade") { cascade = value }
            if let value = try faceSection.double("scale_factor", in: 1.01...2) { face.scaleFactor = value }
            if let value = try faceSection.int("min_neighbors", in: 0...50) { face.minNeighbors = value }
            if let value = try faceSection.int("min_size", in: 8...2000) { face.minFaceSize = value }
            if let value = try faceSection.int("max_side", in: 64...8192) { face.maxDetectionSide = value }
            try faceSection.finish(known: Self.faceKeys)
        }
        if var plateSection = try section.mapping("plates") { try readPlates(&plateSection) }
        if let values = try section.strings("watchlists") { watchlists = values }
        if let value = try section.double("cooldown", in: 0...86_400) { cooldown = value }
        if var policy = try section.mapping("reconnect") {
            if let value = try policy.double("initial", in: 0.05...600) { reconnect.initialDelay = value }
            if let value = try policy.double("max", in: 0.05...3600) { reconnect.maxDelay = value }
            if let value = try policy.double("stall_timeout", in: 0.5...600) { reconnect.stallTimeout = value }
            if let value = try policy.double("open_timeout", in: 0.5...600) { reconnect.openTimeout = value }
            if reconnect.maxDelay < reconnect.initialDelay {
                throw policy.error("max", "must not be less than initial (\(reconnect.initialDelay))")
            }
            try policy.finish(known: Self.reconnectKeys)
        }
    }

    private mutating func readPlates(_ s: inout YAMLMapping) throws {
        if let value = try s.string("region") {
            guard PlateRegion.builtIn[value] != nil else {
                throw s.error("region", "unknown plate region '\(value)' (expected \(PlateRegion.builtIn.keys.sorted().joined(separator: ", ")))")
            }
            plates.region = value
        }
        if let value = try s.int("work_width", in: 320...4096) { plates.workWidth = value }
        if let value = try s.int("close_width", in: 3...99) { plates.closeWidth = value }
        if let value = try s.int("close_height", in: 1...49) { plates.closeHeight = value }
        if let value = try s.bool("coarse_pass") { plates.coarsePass = value }
        if let value = try s.double("min_aspect", in: 0.5...20) { plates.minAspect = value }
        if let value = try s.double("max_aspect", in: 0.5...20) { plates.maxAspect = value }
        if let value = try s.double("min_area", in: 0.000001...0.5) { plates.minArea = value }
        if let value = try s.double("max_area", in: 0.000001...1) { plates.maxArea = value }
        if let value = try s.double("max_angle", in: 0...45) { plates.maxAngle = value }
        if let value = try s.double("threshold_offset", in: 0...100) { plates.thresholdOffset = value }
        if let value = try s.int("min_chars", in: 1...12) { plates.minChars = value }
        if let value = try s.int("max_chars", in: 1...12) { plates.maxChars = value }
        if let value = try s.int("max_reads", in: 1...32) { plates.maxReads = value }
        if let value = try s.double("min_confidence", in: 0...1) { plates.minConfidence = value }
        if let value = try s.int("votes", in: 1...50) { plates.votes = value }
        if plates.maxAspect < plates.minAspect { throw s.error("max_aspect", "must not be less than min_aspect (\(plates.minAspect))") }
        if plates.maxArea < plates.minArea { throw s.error("max_area", "must not be less than min_area (\(plates.minArea))") }
        if plates.maxChars < plates.minChars { throw s.error("max_chars", "must not be less than min_chars (\(plates.minChars))") }
        try s.finish(known: Self.plateKeys)
    }

    static func camera(text: String, file: String, defaults: CameraDefaults) throws -> CameraConfig {
        var section = try YAMLMapping.load(text: text, file: file)
        let id = try section.requiredString("id")
        guard id.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"#, options: .regularExpression) != nil else {
            throw section.error("id", "use 1-64 letters, digits, '_', '-' or '.'")
        }
        let name = try section.string("name") ?? id
        let url = try section.requiredString("url")
        var settings = defaults
        try settings.read(&section)
        let roi = section.has("roi") ? try BehaviourConfig.polygon(&section, "roi").map { CameraConfig.Point(x: $0.x, y: $0.y) } : nil
        var behaviour: BehaviourSettings?
        if var behaviourSection = try section.mapping("behaviour") {
            behaviour = try BehaviourConfig.read(&behaviourSection, analyseFPS: settings.analyseFPS)
        }
        try section.finish(known: cameraKeys)
        let base = (file as NSString).deletingLastPathComponent
        let isURL = url.contains("://")
        if isURL {
            let scheme = url.prefix { $0 != ":" }.lowercased()
            guard ["rtsp", "rtsps", "http", "https"].contains(scheme) else {
                throw section.error("url", "unsupported scheme '\(scheme)' (expected rtsp, rtsps, http, https or a file path)")
            }
        } else if !FileManager.default.fileExists(atPath: DaemonConfig.resolve(url, base)) {
            throw section.error("url", "file \(DaemonConfig.resolve(url, base)) does not exist")
        }
        if settings.loop && isURL {
            throw section.error("loop", "applies to files only, not to \(url.prefix { $0 != ":" }) streams")
        }
        return CameraConfig(
            id: id, name: name, url: isURL ? url : DaemonConfig.resolve(url, base), enabled: settings.enabled,
            loop: settings.loop, analyseFPS: settings.analyseFPS, analysis: settings.analysis, detect: settings.detect, face: settings.face, plates: settings.plates,
            cascade: settings.cascade, watchlists: settings.watchlists, roi: roi, behaviour: behaviour, cooldown: settings.cooldown,
            reconnect: settings.reconnect, file: file)
    }
}

private func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
