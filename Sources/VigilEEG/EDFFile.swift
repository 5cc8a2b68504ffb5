import Foundation

/// An EDF, EDF+, BDF or BDF+ recording, read completely and checked against
/// the specifications (edfplus.info; BioSemi's BDF): every header field is
/// parsed strictly, the file size must agree with the record count, and each
/// signal's digital values are scaled to physical units with its own
/// min/max (inverted ranges included). Signals may have different rates.
public struct EDFFile: Sendable {
    public enum Format: String, Sendable, Codable { case edf = "EDF", edfPlus = "EDF+", bdf = "BDF", bdfPlus = "BDF+" }

    public struct Signal: Sendable {
        public var label: String
        public var transducer: String
        public var unit: String
        public var physicalMin: Double
        public var physicalMax: Double
        public var digitalMin: Int
        public var digitalMax: Int
        public var prefilter: String
        public var samplesPerRecord: Int
        /// Samples per second: samples per record / record duration.
        public var sampleRate: Double
        public var kind: ChannelKind
        /// Physical values (in `unit`), every record concatenated. Empty for annotation signals.
        public var samples: [Double]

        /// Multiplier from `unit` to microvolts, when the unit is a voltage.
        public var microvoltsPerUnit: Double? {
            switch unit.lowercased() {
            case "uv", "µv", "μv": return 1
            case "mv": return 1_000
            case "v": return 1_000_000
            case "nv": return 0.001
            default: return nil
            }
        }
    }

    public struct Annotation: Sendable, Equatable, Codable {
        public var onset: Double
        public var duration: Double?
        public var text: String
    }

    public var path: String
    public var format: Format
    public var patient: String
    public var recording: String
    /// `dd.mm.yy hh.mm.ss` as written in the header.
    public var start: String
    public var recordCount: Int
    public var recordDuration: Double
    public var signals: [Signal]
    public var annotations: [Annotation]

    public var duration: Double { Double(recordCount) * recordDuration }

    /// The signals band analysis uses by default: EEG, not triggers, ECG or annotations.
    public var eegSignals: [Signal] { signals.filter { $0.kind == .eeg } }

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw EEGError.unreadable(path) }
        try self.init(data: data, path: path)
    }

    /// Samples per second, refused when implausible (a tiny record duration would make it overflow later).
    private static func rate(_ samples: Int, _ duration: Double, name: String, path: String) throws -> Double {
        guard duration > 0 else { return 0 }
        let rate = Double(samples) / duration
        guard rate.isFinite, rate <= 1_000_000 else {
            throw EEGError.field(path, "\(name) sample rate", "\(samples) samples per \(duration) s record is over 1 MHz")
        }
        return rate
    }

    public init(data: Data, path: String) throws {
        let bytes = [UInt8](data)
        let header = HeaderReader(bytes: bytes, path: path)
        guard bytes.count >= 256 else {
            throw EEGError.field(path, "header", "the file is \(bytes.count) bytes, shorter than the 256-byte EDF header")
        }
        let isBDF = bytes[0] == 0xFF
        let version = try header.text(0, 8, "version")
        if isBDF {
            guard String(decoding: bytes[1..<8], as: UTF8.self) == "BIOSEMI" else {
                throw EEGError.field(path, "version", "a BDF file must start with 0xFF then 'BIOSEMI'")
            }
        } else if version != "0" {
            throw EEGError.field(path, "version", "expected '0' for EDF (or 0xFF BIOSEMI for BDF), found '\(version)'")
        }
        patient = try header.text(8, 80, "patient")
        recording = try header.text(88, 80, "recording")
        let date = try header.text(168, 8, "startdate"), time = try header.text(176, 8, "starttime")
        start = date + " " + time
        let headerBytes = try header.integer(184, 8, "number of header bytes")
        let reserved = try header.text(192, 44, "reserved")
        var records = try header.integer(236, 8, "number of data records")
        recordDuration = try header.number(244, 8, "duration of a data record")
        let count = try header.integer(252, 4, "number of signals")
        guard count > 0 else { throw EEGError.field(path, "number of signals", "must be at least 1, found \(count)") }
        guard headerBytes == 256 * (count + 1) else {
            throw EEGError.field(path, "number of header bytes", "is \(headerBytes), but \(count) signals need \(256 * (count + 1))")
        }
        guard bytes.count >= headerBytes else {
            throw EEGError.field(path, "header", "truncated: \(count) signals need \(headerBytes) header bytes, the file has \(bytes.count)")
        }
        if reserved.hasPrefix("EDF+D") || reserved.hasPrefix("BDF+D") {
            throw EEGError.unsupported(path, "discontinuous recording (\(reserved.prefix(5))): only continuous EDF+C/BDF+C and plain EDF/BDF are read")
        }
        let plus = reserved.hasPrefix("EDF+C") || reserved.hasPrefix("BDF+C")
        format = isBDF ? (plus ? .bdfPlus : .bdf) : (plus ? .edfPlus : .edf)
        guard recordDuration >= 0, recordDuration.isFinite else {
            throw EEGError.field(path, "duration of a data record", "must not be negative, found \(recordDuration)")
        }

        // Per-signal fields are stored field by field: all labels, then all transducers, ...
        func column(_ offset: Int, _ width: Int) -> (Int) -> Int { { 256 + offset * count + $0 * width } }
        var signals: [Signal] = []
        for i in 0..<count {
            let name = "signal \(i + 1)"
            let label = try header.text(column(0, 16)(i), 16, "\(name) label")
            let digitalMin = try header.integer(column(120, 8)(i), 8, "\(name) (\(label)) digital minimum")
            let digitalMax = try header.integer(column(128, 8)(i), 8, "\(name) (\(label)) digital maximum")
            let samples = try header.integer(column(216, 8)(i), 8, "\(name) (\(label)) number of samples in each data record")
            guard samples > 0 else {
                throw EEGError.field(path, "\(name) (\(label)) number of samples in each data record", "is \(samples): a 0 Hz channel")
            }
            guard digitalMax != digitalMin else {
                throw EEGError.field(path, "\(name) (\(label)) digital maximum", "equals the digital minimum (\(digitalMin)): no scaling is possible")
            }
            let physicalMin = try header.number(column(104, 8)(i), 8, "\(name) (\(label)) physical minimum")
            let physicalMax = try header.number(column(112, 8)(i), 8, "\(name) (\(label)) physical maximum")
            guard physicalMax != physicalMin else {
                throw EEGError.field(path, "\(name) (\(label)) physical maximum", "equals the physical minimum (\(physicalMin))")
            }
            let unit = try header.text(column(96, 8)(i), 8, "\(name) physical dimension")
            signals.append(Signal(
                label: label, transducer: try header.text(column(16, 80)(i), 80, "\(name) transducer type"), unit: unit,
                physicalMin: physicalMin, physicalMax: physicalMax, digitalMin: digitalMin, digitalMax: digitalMax,
                prefilter: try header.text(column(136, 80)(i), 80, "\(name) prefiltering"), samplesPerRecord: samples,
                sampleRate: try Self.rate(samples, recordDuration, name: "\(name) (\(label))", path: path),
                kind: ChannelKind(label: label, unit: unit), samples: []))
        }
        let sampleBytes = isBDF ? 3 : 2
        // Header numbers are untrusted: products that overflow are refused, never trapped on.
        let (recordSamples, tooMany) = signals.reduce((0, false)) { acc, s in
            let (sum, overflow) = acc.0.addingReportingOverflow(s.samplesPerRecord)
            return (sum, acc.1 || overflow)
        }
        let (recordBytes, tooLarge) = recordSamples.multipliedReportingOverflow(by: sampleBytes)
        guard !tooMany, !tooLarge else {
            throw EEGError.field(path, "number of samples in each data record", "the record size overflows")
        }
        let available = bytes.count - headerBytes
        if records == -1 {
            // Allowed while recording; the size decides.
            records = available / recordBytes
        }
        guard records >= 0 else { throw EEGError.field(path, "number of data records", "must be -1 or more, found \(records)") }
        let (dataBytes, overflow) = records.multipliedReportingOverflow(by: recordBytes)
        guard !overflow, dataBytes <= available else {
            throw EEGError.field(path, "number of data records", "says \(records) records of \(recordBytes) bytes, but the file holds \(available) bytes of data (\(available / recordBytes) whole records): truncated")
        }
        if dataBytes != available {
            throw EEGError.field(path, "number of data records", "says \(records) records of \(recordBytes) bytes (\(dataBytes)), but the file holds \(available) bytes of data")
        }
        guard recordDuration > 0 || signals.allSatisfy({ $0.kind == .annotations }) else {
            throw EEGError.field(path, "duration of a data record", "is 0 for a file with signals")
        }
        recordCount = records

        // Samples: record by record, signal by signal, little-endian two's complement (16 or 24 bit).
        var offsets: [Int] = [], running = 0
        for signal in signals { offsets.append(running); running += signal.samplesPerRecord * sampleBytes }
        var annotationTexts: [[UInt8]] = []
        for (i, signal) in signals.enumerated() {
            if signal.kind == .annotations {
                for r in 0..<records {
                    let base = headerBytes + r * recordBytes + offsets[i]
                    annotationTexts.append(Array(bytes[base..<base + signal.samplesPerRecord * sampleBytes]))
                }
                continue
            }
            let gain = (signal.physicalMax - signal.physicalMin) / Double(signal.digitalMax - signal.digitalMin)
            var values = [Double](repeating: 0, count: records * signal.samplesPerRecord)
            bytes.withUnsafeBufferPointer { raw in
                var k = 0
                for r in 0..<records {
                    var p = headerBytes + r * recordBytes + offsets[i]
                    for _ in 0..<signal.samplesPerRecord {
                        let digital: Int
                        if isBDF {
                            let v = Int32(raw[p]) | Int32(raw[p + 1]) << 8 | Int32(raw[p + 2]) << 16
                            digital = Int((v << 8) >> 8)
                        } else {
                            digital = Int(Int16(bitPattern: UInt16(raw[p]) | UInt16(raw[p + 1]) << 8))
                        }
                        values[k] = (Double(digital - signal.digitalMin)) * gain + signal.physicalMin
                        k += 1
                        p += sampleBytes
                    }
                }
            }
            signals[i].samples = values
        }
        self.signals = signals
        self.path = path
        annotations = try annotationTexts.flatMap { try TAL.parse($0, path: path) }
    }
}

/// What a channel carries, from its label (and unit): only `eeg` enters band analysis by default.
public enum ChannelKind: String, Sendable, Codable {
    case eeg, trigger, ecg, eog, emg, respiration, annotations, other

    init(label: String, unit: String) {
        let l = label.lowercased()
        if l == "edf annotations" || l == "bdf annotations" { self = .annotations; return }
        if l.hasPrefix("status") || l.contains("trigger") || l.hasPrefix("stim") || l.hasPrefix("sti ") || l == "sti 014" { self = .trigger; return }
        if l.contains("ecg") || l.contains("ekg") { self = .ecg; return }
        if l.contains("eog") { self = .eog; return }
        if l.contains("emg") { self = .emg; return }
        if l.contains("resp") { self = .respiration; return }
        // External electrodes and the mastoid/ear references are not scalp EEG.
        if l.hasPrefix("exg") || ["m1", "m2", "a1", "a2"].contains(l) { self = .other; return }
        // Scalp channels: an EEG prefix or a voltage unit (10-20/10-10 names, synthetic test signals).
        let volts = ["uv", "µv", "μv", "mv", "v", "nv"].contains(unit.lowercased())
        self = l.hasPrefix("eeg") || volts ? .eeg : .other
    }
}

/// Fixed-width ASCII header fields, each error naming the field.
struct HeaderReader {
    let bytes: [UInt8]
    let path: String

    func text(_ offset: Int, _ width: Int, _ field: String) throws -> String {
        guard offset + width <= bytes.count else { throw EEGError.field(path, field, "the header is truncated") }
        // The specification says ASCII; some writers put UTF-8 in free-text fields, which is kept.
        return String(decoding: bytes[offset..<offset + width], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    func integer(_ offset: Int, _ width: Int, _ field: String) throws -> Int {
        let value = try text(offset, width, field)
        guard let number = Int(value) else { throw EEGError.field(path, field, "expected an integer, found '\(value)'") }
        return number
    }

    func number(_ offset: Int, _ width: Int, _ field: String) throws -> Double {
        let value = try text(offset, width, field)
        guard let number = Double(value), number.isFinite else { throw EEGError.field(path, field, "expected a number, found '\(value)'") }
        return number
    }
}

/// EDF+ time-stamped annotation lists: `+onset[\x15duration]\x14text\x14...\x14\0`.
enum TAL {
    static func parse(_ record: [UInt8], path: String) throws -> [EDFFile.Annotation] {
        var result: [EDFFile.Annotation] = []
        for tal in record.split(separator: 0, omittingEmptySubsequences: true) {
            let parts = tal.split(separator: 0x14, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard let timing = parts.first, timing.first == "+" || timing.first == "-" else { continue }
            let pieces = timing.split(separator: "\u{15}").map(String.init)
            guard let onset = Double(pieces[0]) else {
                throw EEGError.field(path, "annotation onset", "expected a signed number, found '\(pieces[0])'")
            }
            let duration = pieces.count > 1 ? Double(pieces[1]) : nil
            // The first TAL of each record carries an empty text: the record's time stamp.
            for text in parts.dropFirst() where !text.isEmpty {
                result.append(EDFFile.Annotation(onset: onset, duration: duration, text: text))
            }
        }
        return result
    }
}
