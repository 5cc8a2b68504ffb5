import Foundation
import VigilTestSupport
import Testing
import VigilEEG
import VigilMedia

/// EEG reading and band analysis on the shared recordings, checked against
/// known content (synthetic sines) and against pyedflib + scipy (PyPI, in
/// .build-tools/venv) on the real recordings.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct EEGTests {
    static let python = Fixtures.packageRoot.appendingPathComponent(".build-tools/venv/bin/python").path

    private func file(_ name: String) throws -> EDFFile { try EDFFile(path: try Fixtures.shared("eeg/\(name)")) }

    private func analyse(_ edf: EDFFile, _ configure: (inout EEGAnalysis.Settings) -> Void = { _ in }) throws -> [EEGAnalysis.ChannelResult] {
        var settings = EEGAnalysis.Settings()
        configure(&settings)
        return try EEGAnalysis(settings: settings).run(edf)
    }

    /// Each `sine X Hz` channel: peak within 0.1 Hz of X, >= 95% of its 1-45 Hz power in X's band.
    @Test func generatorSinesPutTheirPowerInTheirBand() throws {
        let edf = try file("pyedflib_test_generator.edf")
        #expect(edf.format == .edfPlus && edf.recordCount == 600 && edf.signals.count == 12)
        #expect(edf.annotations.map(\.text) == ["Recording starts", "Recording ends"])
        let bands = try Band.parse("delta:1-4,theta:4-8,alpha:8-13,beta:13-30,gamma:30-45")
        let sines: [(String, Double, String)] = [("sine 1 Hz", 1, "delta"), ("sine 8 Hz", 8, "alpha"), ("sine 8.1777 Hz", 8.1777, "alpha"),
                                                 ("sine 8.5 Hz", 8.5, "alpha"), ("sine 15 Hz", 15, "beta"), ("sine 17 Hz", 17, "beta")]
        // 10 s boxcar segments: tones on a bin do not leak, and 8.1777 Hz leaks little at 0.1 Hz resolution.
        let results = try analyse(edf) {
            $0.bands = bands
            $0.channels = sines.map(\.0)
            $0.welch = Welch(segmentSeconds: 10, window: .boxcar)
        }
        for (channel, frequency, band) in sines {
            let r = try #require(results.first { $0.channel == channel })
            #expect(abs(r.powers.peak - frequency) <= 0.1, "\(channel): peak \(r.powers.peak)")
            #expect(r.powers.relative[band]! >= 0.95, "\(channel): \(r.powers.relative)")
        }
        // The default (2 s Hann) meets both for every tone but 8 Hz, which lies on the alpha/theta edge:
        // Hann leaks a quarter of the amplitude into each neighbouring bin, so a sixth of its power lands at 7.5 Hz.
        let defaults = try analyse(edf) { $0.bands = bands; $0.channels = sines.map(\.0) }
        for (channel, frequency, band) in sines {
            let r = try #require(defaults.first { $0.channel == channel })
            #expect(abs(r.powers.peak - frequency) <= 0.1, "\(channel): peak \(r.powers.peak)")
            if frequency == 8 {
                #expect(abs(r.powers.relative["alpha"]! - 5.0 / 6) < 0.01 && r.powers.relative["alpha"]! + r.powers.relative["theta"]! > 0.999)
            } else {
                #expect(r.powers.relative[band]! >= 0.95, "\(channel): \(r.powers.relative)")
            }
        }
    }

    /// BDF+ (24-bit) with five different sample rates reads the same way.
    @Test func bdfGeneratorWithMixedRates() throws {
        let bdf = try file("pyedflib_test_generator.bdf")
        #expect(bdf.format == .bdfPlus && bdf.duration == 30)
        #expect(bdf.eegSignals.map(\.sampleRate) == [1000, 800, 500, 975, 999])
        let results = try analyse(bdf) { $0.welch = Welch(segmentSeconds: 10, window: .boxcar) }
        let sine = try #require(results.first { $0.channel == "sine 5Hz" })
        #expect(abs(sine.powers.peak - 5) <= 0.1 && sine.powers.relative["theta"]! >= 0.95)
        let square = try #require(results.first { $0.channel == "square 13Hz" })
        #expect(abs(square.powers.peak - 13) <= 0.1)
        let ramp = try #require(results.first { $0.channel == "ramp 7Hz" })
        #expect(abs(ramp.powers.peak - 7) <= 0.1)
        // 1000 uV sine: RMS 707 uV, power 500,000 uV^2 (the amplitude survives 24-bit scaling).
        #expect(abs(sine.powers.total - 500_000) / 500_000 < 0.01, "\(sine.powers.total)")
    }

    /// Real recordings: relative band powers within 1% (relative) of pyedflib + scipy.signal.welch,
    /// alpha dominant at rest (peak about 10.5 Hz), not with eyes open.
    @Test func realRecordingsAgreeWithScipyAndShowRestingAlpha() throws {
        for (name, channels) in [("physionet_eegmat_Subject00_1_rest.edf", 20), ("physionet_eegmmidb_S001R01_eyes_open.edf", 64)] {
            let path = try Fixtures.shared("eeg/\(name)")
            let ours = try analyse(try EDFFile(path: path))
            #expect(ours.count == channels)
            let run = try Run.program(Self.python, [Fixtures.packageRoot.appendingPathComponent("scripts/eeg_reference.py").path, path])
            try #require(run.status == 0, "reference failed: \(run.stderr)")
            var compared = 0, worst = 0.0
            for line in run.stdout.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                guard let channel = object["channel"] as? String, let relative = object["relative"] as? [String: Double] else { continue }
                let mine = try #require(ours.first { $0.channel == channel }, "\(channel) missing")
                for (band, value) in relative {
                    let difference = abs(mine.powers.relative[band]! - value) / max(value, 1e-12)
                    worst = max(worst, difference)
                    #expect(difference <= 0.01, "\(name) \(channel) \(band): \(mine.powers.relative[band]!) vs scipy \(value)")
                    compared += 1
                }
            }
            #expect(compared == channels * 5)
            print("eeg \(name): \(compared) band powers vs scipy, worst relative difference \(String(format: "%.2e", worst))")
        }
        let rest = try analyse(try file("physionet_eegmat_Subject00_1_rest.edf"))
        let open = try analyse(try file("physionet_eegmmidb_S001R01_eyes_open.edf"))
        func mean(_ results: [EEGAnalysis.ChannelResult], _ band: String) -> Double {
            results.map { $0.powers.relative[band]! }.reduce(0, +) / Double(results.count)
        }
        let scalp = rest.filter { $0.channel != "EEG A2-A1" }
        let restAlpha = mean(scalp, "alpha")
        #expect(Band.standard.map(\.name).allSatisfy { $0 == "alpha" || mean(scalp, $0) < restAlpha }, "alpha is not dominant at rest")
        let occipital = rest.filter { ["EEG O1", "EEG O2"].contains($0.channel) }.map { $0.powers.peakAlpha! }
        #expect(occipital.allSatisfy { abs($0 - 10.5) < 0.3 }, "\(occipital)")
        #expect(mean(open, "alpha") < mean(open, "delta") && mean(open, "alpha") < 0.15)
        print(String(format: "eeg rest: mean alpha %.3f, O1/O2 peak alpha %@ Hz; eyes open: mean alpha %.3f, delta %.3f",
                     restAlpha, occipital.map { String(format: "%.2f", $0) }.joined(separator: "/"), mean(open, "alpha"), mean(open, "delta")))
    }

    /// The optional preprocessing: a 50 Hz notch removes the mains tone; a 1-40 Hz band-pass keeps alpha.
    @Test func notchAndBandPassDoWhatTheySay() throws {
        let edf = try file("pyedflib_test_generator.edf")
        let bands = [Band("alpha", 8, 13), Band("mains", 45, 55)]
        func power(_ channel: String, _ pre: Preprocessing) throws -> BandPowers {
            try analyse(edf) { $0.channels = [channel]; $0.bands = bands; $0.preprocessing = pre }[0].powers
        }
        let raw = try power("sine 50 Hz", Preprocessing())
        let notched = try power("sine 50 Hz", Preprocessing(notch: 50))
        let passed = try power("sine 50 Hz", Preprocessing(bandPass: [1, 40]))
        #expect(notched.absolute["mains"]! < raw.absolute["mains"]! / 1000, "notch: \(raw.absolute["mains"]!) -> \(notched.absolute["mains"]!)")
        #expect(passed.absolute["mains"]! < raw.absolute["mains"]! / 5, "band-pass: \(passed.absolute["mains"]!)")
        let alpha = try power("sine 8.5 Hz", Preprocessing(notch: 50, bandPass: [1, 40]))
        let untouched = try power("sine 8.5 Hz", Preprocessing())
        #expect(abs(alpha.absolute["alpha"]! / untouched.absolute["alpha"]! - 1) < 0.02)
        #expect(throws: EEGError.self) { try power("sine 8.5 Hz", Preprocessing(notch: 150)) }
    }

    @Test func edgeCaseFilesReadCorrectly() throws {
        let duplicate = try file("mne_duplicate_channel_labels.edf")
        #expect(duplicate.signals.filter { $0.kind != .annotations }.map(\.label) == ["EEG F1-Ref", "EEG F2-Ref", "EEG F1-Ref"])
        let uneven = try file("mne_test_uneven_samp.edf")
        #expect(uneven.format == .edf && uneven.duration == 110 && uneven.signals.map(\.sampleRate) == [100, 12.8])
        let volts = try analyse(uneven) { $0.channels = [uneven.signals[0].label]; $0.bands = [Band("slow", 0.5, 10)] }
        // A 3 Hz, +/-5 V sine in V, reported in uV^2: power 12.5 V^2 = 1.25e13 uV^2.
        #expect(abs(volts[0].powers.peak - 3) < 0.1 && volts[0].unit == "uV" && abs(volts[0].powers.total / 1.25e13 - 1) < 0.02)

        // Inverted physical range, checked sample by sample against pyedflib.
        let inverted = try file("pyedflib_test_subsecond_Fp1.edf")
        let fp1 = try #require(inverted.signals.first { $0.label == "Fp1" })
        #expect(fp1.physicalMin == 8711 && fp1.physicalMax == -8711 && fp1.sampleRate == 128)
        let run = try Run.program(Self.python, [Fixtures.packageRoot.appendingPathComponent("scripts/eeg_reference.py").path,
                                                try Fixtures.shared("eeg/pyedflib_test_subsecond_Fp1.edf"), "--channels", "Fp1", "--samples", "256"])
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.split(separator: "\n")[0].utf8)) as? [String: Any])
        let samples = try #require(reference["samples"] as? [Double])
        #expect(zip(samples, fp1.samples).allSatisfy { abs($0 - $1) < 1e-9 } && samples.count == 256)
        #expect(inverted.annotations.contains { $0.text == "XLSpike" } || inverted.annotations.count > 2)

        // UTF-8 in the header: read, and the same signal as the plain file.
        let utf8 = try file("pyedflib_test_utf8.edf")
        let same = try #require(utf8.signals.first { $0.kind == .eeg })
        #expect(same.samples.prefix(1000) == fp1.samples.prefix(1000))

        // BioSemi 24-bit, 73 channels: 64 scalp, 8 external (EXG1, R/L/I-EOG, EXG5, M2, M1, EXG8), Status (a trigger).
        let biosemi = try file("mne_test_biosemi.bdf")
        #expect(biosemi.format == .bdf && biosemi.signals.count == 73 && biosemi.signals.allSatisfy { $0.sampleRate == 2048 })
        #expect(biosemi.signals.last?.kind == .trigger && biosemi.eegSignals.count == 64)
        #expect(biosemi.signals[64..<72].map(\.kind) == [.other, .eog, .eog, .eog, .other, .other, .other, .other])
        // Raw BioSemi values carry a large DC offset; the mean detrend removes it before the spectrum.
        let offsets = try analyse(biosemi) { $0.welch = Welch(segmentSeconds: 0.5) }
        #expect(offsets.count == 64 && offsets.allSatisfy { $0.powers.total.isFinite && $0.powers.total > 0 })
        let stim = try file("mne_test_bdf_stim_channel.bdf")
        #expect(stim.signals.map(\.kind) == [.eeg, .eeg, .eeg, .trigger] && stim.eegSignals.allSatisfy { $0.sampleRate == 500 })
        // EDF+ annotations (TAL) and non-EEG channels of the real recordings.
        let mmidb = try file("physionet_eegmmidb_S001R01_eyes_open.edf")
        #expect(mmidb.annotations.first?.text == "T0" && mmidb.annotations.first?.onset == 0)
        let eegmat = try file("physionet_eegmat_Subject00_1_rest.edf")
        #expect(eegmat.signals.first { $0.label == "ECG ECG" }?.kind == .ecg && eegmat.eegSignals.count == 20)
    }

    /// Deliberately corrupted copies fail with the field named, never a crash or a silent result.
    @Test func corruptedFilesFailWithTheFieldNamed() throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.shared("eeg/mne_test_bdf_stim_channel.bdf")))
        func corrupt(_ change: (inout [UInt8]) -> Void) -> String {
            var bytes = [UInt8](original)
            change(&bytes)
            do {
                _ = try EDFFile(data: Data(bytes), path: "copy.bdf")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        func field(_ bytes: inout [UInt8], _ offset: Int, _ width: Int, _ text: String) {
            let padded = Array(text.utf8) + Array(repeating: UInt8(ascii: " "), count: width - text.utf8.count)
            bytes.replaceSubrange(offset..<offset + width, with: padded)
        }
        let signals = 4
        let cases: [(String, (inout [UInt8]) -> Void, String)] = [
            ("truncated", { $0.removeLast(1000) }, "number of data records: says 10 records"),
            ("more records than data", { field(&$0, 236, 8, "11") }, "truncated"),
            ("fewer records than data", { field(&$0, 236, 8, "9") }, "but the file holds"),
            ("non-numeric signal count", { field(&$0, 252, 4, "4a") }, "number of signals: expected an integer, found '4a'"),
            ("non-numeric duration", { field(&$0, 244, 8, "one") }, "duration of a data record: expected a number, found 'one'"),
            ("zero-length records", { b in for i in 0..<signals { field(&b, 256 + 216 * signals + i * 8, 8, "0") } }, "a 0 Hz channel"),
            ("0 Hz channel", { field(&$0, 256 + 216 * signals + 8, 8, "0") }, "signal 2 (C4) number of samples in each data record: is 0: a 0 Hz channel"),
            ("header size", { field(&$0, 184, 8, "512") }, "number of header bytes: is 512, but 4 signals need 1280"),
            ("digital range", { b in field(&b, 256 + 128 * signals, 8, "-8388608") }, "digital maximum: equals the digital minimum"),
            ("short file", { $0.removeLast($0.count - 100) }, "shorter than the 256-byte EDF header"),
            ("not EDF", { field(&$0, 0, 8, "PK") }, "version"),
            ("discontinuous", { field(&$0, 192, 44, "BDF+D") }, "discontinuous recording"),
            ("huge header numbers", { b in
                field(&b, 236, 8, "99999999"); field(&b, 244, 8, "99999999")
                for i in 0..<signals { field(&b, 256 + 216 * signals + i * 8, 8, "99999999") }
            }, "number of data records: says 99999999 records of 1199999988 bytes"),
            ("tiny record duration", { field(&$0, 244, 8, "1e-300") }, "sample rate: 500 samples per 1e-300 s record is over 1 MHz"),
        ]
        for (name, change, expected) in cases {
            let outcome = corrupt(change)
            #expect(outcome.contains(expected) && outcome.hasPrefix("copy.bdf: "), "\(name): \(outcome)")
        }
    }

    @Test func commandLineReportsBandsAndRefusesBadFiles() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generator = try Fixtures.shared("eeg/pyedflib_test_generator.edf")
        let bands = try Run.vigil(["eeg", "bands", generator, "--channels", "sine 15 Hz", "--epoch", "60", "--json"], database: directory.appendingPathComponent("x.sqlite"))
        #expect(bands.status == 0 && bands.stdout.split(separator: "\n").count == 10, "\(bands.stderr)")
        #expect(bands.stdout.contains("\"channel\":\"sine 15 Hz\"") && bands.stdout.contains("\"peak\":15"))
        let csv = try Run.vigil(["eeg", "bands", generator, "--csv", "--channels", "sine 8.5 Hz"], database: directory.appendingPathComponent("x.sqlite"))
        #expect(csv.stdout.hasPrefix("channel,epoch_start,epoch_seconds,total,delta_abs,delta_rel"))
        let truncated = directory.appendingPathComponent("truncated.edf")
        try Data(try Data(contentsOf: URL(fileURLWithPath: generator)).prefix(100_000)).write(to: truncated)
        let refused = try Run.vigil(["eeg", "info", truncated.path], database: directory.appendingPathComponent("x.sqlite"))
        #expect(refused.status != 0 && refused.stderr.contains("\(truncated.path): number of data records:") && refused.stderr.contains("truncated"))
        let unknown = try Run.vigil(["eeg", "bands", generator, "--channels", "Cz"], database: directory.appendingPathComponent("x.sqlite"))
        #expect(unknown.status != 0 && unknown.stderr.contains("no channel 'Cz'"))
    }

    /// `vigil eeg plot`: a 1600x900 PNG with one curve per scalp region.
    @Test func plotDrawsOneCurvePerRegion() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let png = directory.appendingPathComponent("psd.png").path
        let run = try Run.vigil(["eeg", "plot", try Fixtures.shared("eeg/physionet_eegmmidb_S001R01_eyes_open.edf"), "--out", png],
                                database: directory.appendingPathComponent("x.sqlite"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("5 curve(s)") && run.stdout.contains("occipital (9 ch)") && run.stdout.contains("frontal (17 ch)"))
        let frame = try MediaDecoder.firstFrame(of: png)
        #expect(frame.width == 1600 && frame.height == 900)
        // Drawn, not blank: the curves' colours cover a visible share of the plot.
        var coloured = 0
        frame.pixels.withUnsafeBufferPointer { p in
            for i in stride(from: 0, to: frame.height * frame.stride, by: 3) {
                let b = Int(p[i]), g = Int(p[i + 1]), r = Int(p[i + 2])
                if max(b, g, r) - min(b, g, r) > 80 { coloured += 1 }
            }
        }
        #expect(coloured > 5_000, "\(coloured) coloured pixels")
        let refused = try Run.vigil(["eeg", "plot", try Fixtures.shared("eeg/pyedflib_test_generator.edf"), "--out", directory.appendingPathComponent("x.jpg").path],
                                    database: directory.appendingPathComponent("x.sqlite"))
        #expect(refused.status != 0 && refused.stderr.contains("--out must name a .png file"))
    }
}
