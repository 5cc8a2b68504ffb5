import ArgumentParser
import Foundation
import VigilEEG

public struct EEGCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "eeg",
        abstract: CommandAbstracts.eeg,
        discussion: "Band powers are decision support with their method stated, never a verdict.",
        subcommands: [Info.self, Bands.self, Plot.self, Features.self, Train.self, Score.self])

    struct Plot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PNG of the mean power spectrum per scalp region (Welch), bands shaded and named.")
        @Argument(help: "EDF or BDF file.") var file: String
        @Option(help: "Output PNG.") var out: String
        @Option(help: "Channels, comma-separated (default: every EEG channel).") var channels: String?
        @Option(help: "Highest frequency shown, Hz.") var maxFrequency: Double = 45
        @Option(help: "Welch segment length in seconds.") var segment: Double = 2

        func run() async throws {
            guard out.lowercased().hasSuffix(".png") else { throw ValidationError("--out must name a .png file") }
            guard maxFrequency > 0 else { throw ValidationError("--max-frequency must be greater than 0") }
            var settings = EEGAnalysis.Settings()
            settings.welch = Welch(segmentSeconds: segment)
            settings.channels = channels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let edf = try wrap { try EDFFile(path: file) }
            let (frequencies, regions) = try wrap { try EEGAnalysis(settings: settings).regionSpectra(edf, maxFrequency: maxFrequency) }
            let title = "\((file as NSString).lastPathComponent): Welch \(segment) s Hann, 50% overlap, \(edf.duration) s"
            try wrap {
                try SpectrumPlot.write(path: out, title: title, frequencies: frequencies,
                                       series: regions.map { SpectrumPlot.Series(label: $0.0, density: $0.1) },
                                       bands: settings.bands.map { ($0.name, $0.low, $0.high) }, maxFrequency: maxFrequency)
            }
            print("wrote \(out): \(regions.count) curve(s): \(regions.map(\.0).joined(separator: ", "))")
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Format, duration, channels (label, kind, unit, rate, range) and annotations.")
        @Argument(help: "EDF or BDF file.") var file: String
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let edf = try wrap { try EDFFile(path: file) }
            if json {
                print(Output.jsonLine([
                    ("file", file), ("format", edf.format.rawValue), ("start", edf.start), ("records", edf.recordCount),
                    ("record_seconds", edf.recordDuration), ("duration", edf.duration), ("patient", edf.patient), ("recording", edf.recording),
                    ("channels", edf.signals.map { s in
                        [("label", s.label), ("kind", s.kind.rawValue), ("unit", s.unit), ("sample_rate", s.sampleRate),
                         ("physical_min", s.physicalMin), ("physical_max", s.physicalMax), ("digital_min", s.digitalMin),
                         ("digital_max", s.digitalMax), ("prefilter", s.prefilter)] as [(String, Any?)]
                    }),
                    ("annotations", edf.annotations.map { a in [("onset", a.onset), ("duration", a.duration), ("text", a.text)] as [(String, Any?)] }),
                ]))
                return
            }
            print("\(file): \(edf.format.rawValue), \(edf.recordCount) records of \(edf.recordDuration) s = \(edf.duration) s, started \(edf.start)")
            print(Output.table(["CHANNEL", "KIND", "UNIT", "HZ", "PHYSICAL", "DIGITAL"], edf.signals.map { s in
                [s.label, s.kind.rawValue, s.unit, Output.number(s.sampleRate, digits: 2),
                 "\(Output.number(s.physicalMin, digits: 1))..\(Output.number(s.physicalMax, digits: 1))", "\(s.digitalMin)..\(s.digitalMax)"]
            }))
            if !edf.annotations.isEmpty {
                print("\n\(edf.annotations.count) annotation(s):")
                for a in edf.annotations.prefix(20) { print("  \(Output.number(a.onset, digits: 2)) s  \(a.text)") }
            }
        }
    }

    struct Bands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Welch band powers per channel (and per epoch): absolute, relative, alpha/beta, peak alpha, spectral entropy.")
        @Argument(help: "EDF or BDF file.") var file: String
        @Option(help: "Channels, comma-separated (default: every EEG channel).") var channels: String?
        @Option(help: "Epoch length in seconds (default: the whole recording).") var epoch: Double?
        @Option(help: "Bands as name:low-high,... (default delta 0.5-4, theta 4-8, alpha 8-13, beta 13-30, gamma 30-45).") var bands: String?
        @Option(help: "Welch segment length in seconds.") var segment: Double = 2
        @Option(help: "Welch segment overlap, 0..<1.") var overlap: Double = 0.5
        @Option(help: "Detrend each segment: none, mean or linear.") var detrend = "mean"
        @Option(help: "Segment window: hann, hamming or boxcar.") var window = "hann"
        @Option(help: "Mains notch in Hz (50 or 60).") var notch: Double?
        @Option(help: "Band-pass low,high in Hz.") var bandPass: String?
        @Flag(help: "One JSON object per channel and epoch.") var json = false
        @Flag(help: "CSV with a header row.") var csv = false
        @Flag(help: "Print the seconds spent reading and analysing on stderr (for benchmarks).") var timing = false

        func run() async throws {
            var settings = EEGAnalysis.Settings()
            guard let kind = Welch.Detrend(rawValue: detrend) else { throw ValidationError("--detrend must be none, mean or linear") }
            guard let taper = Welch.Window(rawValue: window) else { throw ValidationError("--window must be hann, hamming or boxcar") }
            settings.welch = Welch(segmentSeconds: segment, overlap: overlap, detrend: kind, window: taper)
            if let bands { settings.bands = try wrap { try Band.parse(bands) } }
            settings.epoch = epoch
            settings.channels = channels?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var pass: [Double]?
            if let bandPass {
                pass = bandPass.split(separator: ",").compactMap { Double($0) }
                guard pass?.count == 2 else { throw ValidationError("--band-pass expects low,high in Hz") }
            }
            settings.preprocessing = Preprocessing(notch: notch, bandPass: pass)
            let started = Date()
            let edf = try wrap { try EDFFile(path: file) }
            let results = try wrap { try EEGAnalysis(settings: settings).run(edf) }
            if timing { Output.error(String(format: "read+analysis %.4f s", Date().timeIntervalSince(started))) }
            let names = settings.bands.map(\.name)
            if json {
                for r in results { print(Output.jsonLine(Self.fields(r, names))) }
            } else if csv {
                print((["channel", "epoch_start", "epoch_seconds", "total"] + names.flatMap { ["\($0)_abs", "\($0)_rel"] }
                    + ["alpha_beta", "peak_alpha", "peak", "spectral_entropy"]).joined(separator: ","))
                for r in results {
                    let p = r.powers
                    let cells = [Self.csvCell(r.channel), "\(r.epochStart)", "\(r.epochSeconds)", "\(p.total)"]
                        + names.flatMap { ["\(p.absolute[$0] ?? 0)", "\(p.relative[$0] ?? 0)"] }
                        + [p.alphaBetaRatio.map { "\($0)" } ?? "", p.peakAlpha.map { "\($0)" } ?? "", "\(p.peak)", "\(p.spectralEntropy)"]
                    print(cells.joined(separator: ","))
                }
            } else {
                print(Output.table(["CHANNEL", "EPOCH(s)"] + names.map { $0.uppercased() + "%" } + ["A/B", "PEAK ALPHA", "PEAK", "ENTROPY"],
                                   results.map { r in
                    [r.channel, Output.number(r.epochStart, digits: 0)]
                        + names.map { Output.number((r.powers.relative[$0] ?? 0) * 100, digits: 1) }
                        + [Output.number(r.powers.alphaBetaRatio, digits: 2), Output.number(r.powers.peakAlpha, digits: 2),
                           Output.number(r.powers.peak, digits: 2), Output.number(r.powers.spectralEntropy, digits: 2)]
                }))
                print("\nWelch: \(segment) s \(window) segments, \(Int(overlap * 100))% overlap, \(detrend) detrend; relative = share of \(settings.bands.map(\.low).min()!)–\(settings.bands.map(\.high).max()!) Hz power; powers in \(results.first?.unit ?? "unit")².")
            }
        }

        static func fields(_ r: EEGAnalysis.ChannelResult, _ names: [String]) -> [(String, Any?)] {
            let p = r.powers
            return [("channel", r.channel), ("sample_rate", r.sampleRate), ("unit", r.unit + "^2"), ("epoch_start", r.epochStart),
                    ("epoch_seconds", r.epochSeconds), ("total", p.total),
                    ("absolute", names.map { ($0, p.absolute[$0]) as (String, Any?) }),
                    ("relative", names.map { ($0, p.relative[$0]) as (String, Any?) }),
                    ("alpha_beta", p.alphaBetaRatio), ("peak_alpha", p.peakAlpha), ("peak", p.peak), ("spectral_entropy", p.spectralEntropy)]
        }

        static func csvCell(_ text: String) -> String {
            text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
    }
}
