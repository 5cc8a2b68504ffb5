import Foundation

/// Band analysis of a recording: which channels, how the spectrum is taken,
/// and per channel (and per epoch) the band powers and features.
public struct EEGAnalysis: Sendable {
    public struct Settings: Sendable, Equatable {
        public var welch = Welch()
        public var bands = Band.standard
        public var preprocessing = Preprocessing()
        /// Epoch length in seconds; nil = the whole recording as one epoch.
        public var epoch: Double?
        /// Channel labels to analyse; nil = every EEG channel.
        public var channels: [String]?
        /// Convert voltage units to µV so powers are comparable across files.
        public var microvolts = true

        public init() {}
    }

    public struct ChannelResult: Sendable, Codable {
        public var channel: String
        public var sampleRate: Double
        public var unit: String
        /// Start of the epoch, seconds from the recording start.
        public var epochStart: Double
        public var epochSeconds: Double
        public var powers: BandPowers
    }

    public let settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    public func run(_ file: EDFFile) throws -> [ChannelResult] {
        if let epoch = settings.epoch, epoch < settings.welch.segmentSeconds {
            throw EEGError.setting("--epoch", "\(epoch) s is shorter than the \(settings.welch.segmentSeconds) s Welch segment")
        }
        var results: [ChannelResult] = []
        for signal in try chosenSignals(file) {
            let (x, unit) = try prepared(signal)
            // Computed in Double and clamped before converting: an epoch longer than the signal is the signal.
            let epochSamples = max(1, settings.epoch.map { Int(min(Double(x.count), ($0 * signal.sampleRate).rounded())) } ?? x.count)
            var start = 0
            while start + epochSamples <= x.count {
                let spectrum = try settings.welch.spectrum(Array(x[start..<start + epochSamples]), sampleRate: signal.sampleRate)
                results.append(ChannelResult(channel: signal.label, sampleRate: signal.sampleRate, unit: unit,
                                             epochStart: Double(start) / signal.sampleRate,
                                             epochSeconds: Double(epochSamples) / signal.sampleRate,
                                             powers: BandPowers(spectrum: spectrum, bands: settings.bands)))
                start += epochSamples
            }
        }
        return results
    }

    /// The channels named in the settings (each must exist and hold samples), or every EEG channel.
    private func chosenSignals(_ file: EDFFile) throws -> [EDFFile.Signal] {
        let chosen: [EDFFile.Signal]
        if let names = settings.channels {
            chosen = try names.map { name in
                guard let signal = file.signals.first(where: { $0.label == name }) else {
                    throw EEGError.setting("--channels", "no channel '\(name)' in \(file.path) (channels: \(file.signals.map(\.label).joined(separator: ", ")))")
                }
                guard signal.kind != .annotations else { throw EEGError.setting("--channels", "'\(name)' holds annotations, not samples") }
                return signal
            }
        } else {
            chosen = file.eegSignals
        }
        guard !chosen.isEmpty else { throw EEGError.setting("channels", "\(file.path) has no EEG channel; name some with --channels") }
        return chosen
    }

    /// A channel's samples in µV (when its unit is a voltage and `microvolts` is set), preprocessed.
    private func prepared(_ signal: EDFFile.Signal) throws -> (samples: [Double], unit: String) {
        let scale = settings.microvolts ? (signal.microvoltsPerUnit ?? 1) : 1
        let unit = settings.microvolts && signal.microvoltsPerUnit != nil ? "uV" : signal.unit
        let x = scale == 1 ? signal.samples : signal.samples.map { $0 * scale }
        return (try settings.preprocessing.apply(x, sampleRate: signal.sampleRate), unit)
    }

    /// Mean spectrum per scalp region (frontal, central, temporal, parietal, occipital; other
    /// labels each on their own, at most 8 curves), on the shared grid of 1/segment Hz.
    public func regionSpectra(_ file: EDFFile, maxFrequency: Double) throws -> (frequencies: [Double], regions: [(String, [Double])]) {
        let chosen = try chosenSignals(file)
        let resolution = 1 / settings.welch.segmentSeconds
        let bins = Int(maxFrequency / resolution) + 1
        var sums: [String: [Double]] = [:], counts: [String: Int] = [:], order: [String] = []
        for signal in chosen {
            let spectrum = try settings.welch.spectrum(try prepared(signal).samples, sampleRate: signal.sampleRate)
            let region = Self.region(signal.label)
            if sums[region] == nil {
                guard order.count < 8 else { continue }
                order.append(region)
                sums[region] = [Double](repeating: 0, count: bins)
            }
            for k in 0..<min(bins, spectrum.density.count) { sums[region]![k] += spectrum.density[k] }
            counts[region, default: 0] += 1
        }
        let frequencies = (0..<bins).map { Double($0) * resolution }
        return (frequencies, order.map { name in
            (counts[name]! > 1 ? "\(name) (\(counts[name]!) ch)" : name, sums[name]!.map { $0 / Double(counts[name]!) })
        })
    }

    /// 10-20 / 10-10 region from a label ("EEG Fp1", "O1..", "Cz").
    static func region(_ label: String) -> String {
        var name = label.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
        if name.uppercased().hasPrefix("EEG ") { name = String(name.dropFirst(4)) }
        let upper = name.uppercased()
        var letters = String(upper.prefix { $0.isLetter })
        if letters.count > 1, letters.hasSuffix("Z") { letters.removeLast() } // midline: Fz, FCz, Oz
        guard !letters.isEmpty, upper.count <= 6, upper.dropFirst(letters.count).allSatisfy({ $0.isNumber || $0 == "Z" || $0 == "-" || $0.isLetter }) else {
            return label
        }
        switch letters {
        case "FP", "AF", "F": return "frontal"
        case "FC", "C": return "central"
        case "T", "FT", "TP": return "temporal"
        case "CP", "P": return "parietal"
        case "PO", "O", "I": return "occipital"
        default: return label
        }
    }
}
