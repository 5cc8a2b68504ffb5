import Foundation
import Hummingbird
import VigilEEG

/// Band analysis and scoring of uploaded recordings. The daemon supplies one that runs on
/// its own serial queue (FFTW and the OpenCV forest are native code, kept off the
/// cooperative pool); without it the `/v1/eeg/*` routes answer 404.
public protocol EEGService: Sendable {
    /// Throws `EEGError` for a bad file or setting.
    func analyze(fileAt path: String, settings: EEGAnalysis.Settings) async throws -> EEGAnalysisView
    /// Throws `EEGError` for a bad file or an unknown model.
    func score(fileAt path: String, model: String, version: Int?, epochSeconds: Double) async throws -> EEGScoreView
}

public struct EEGScoreView: Codable, Sendable {
    public struct EpochScore: Codable, Sendable {
        public var epochStart: Double
        public var probabilities: [String: Double]

        public init(epochStart: Double, probabilities: [String: Double]) {
            self.epochStart = epochStart
            self.probabilities = probabilities
        }
    }

    public var model: String
    public var version: Int
    public var epochs: [EpochScore]
    public var meanProbabilities: [String: Double]
    public var validation: CrossValidation
    public var note: String

    public init(model: String, version: Int, epochs: [EpochScore], meanProbabilities: [String: Double], validation: CrossValidation, note: String) {
        self.model = model
        self.version = version
        self.epochs = epochs
        self.meanProbabilities = meanProbabilities
        self.validation = validation
        self.note = note
    }
}

public struct EEGAnalysisView: Codable, Sendable {
    public var format: String
    public var duration: Double
    public var channels: [EEGAnalysis.ChannelResult]
    public var method: String

    public init(format: String, duration: Double, channels: [EEGAnalysis.ChannelResult], method: String) {
        self.format = format
        self.duration = duration
        self.channels = channels
        self.method = method
    }
}

extension EEGScoreView: ResponseGenerator, ResponseEncodable {}
extension EEGAnalysisView: ResponseGenerator, ResponseEncodable {}

extension Routes {
    /// `services: [eeg]`: band analysis and scoring of an uploaded EDF/BDF (multipart `file`).
    /// The upload is read, analysed and deleted: recordings are not kept by the API.
    func addEEG(_ group: RouterGroup<APIContext>) {
        group.post("eeg/analyze") { request, context -> EEGAnalysisView in
            try context.require(.viewer)
            guard let service = environment.eeg else { throw Self.eegDisabled }
            let form = try await Multipart.parse(request, limit: context.maxUploadSize)
            var settings = EEGAnalysis.Settings()
            settings.epoch = try Self.number(form.text(named: "epoch"), "epoch", 2...86_400)
            settings.channels = form.text(named: "channels").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return try await Self.withUpload(form) { path in try await service.analyze(fileAt: path, settings: settings) }
        }
        group.post("eeg/score") { request, context -> EEGScoreView in
            try context.require(.viewer)
            guard let scorer = environment.eeg else { throw Self.eegDisabled }
            let form = try await Multipart.parse(request, limit: context.maxUploadSize)
            guard let model = form.text(named: "model"), !model.isEmpty else {
                throw HTTPError(.badRequest, message: "model: a model name is required (see `vigil eeg train`)")
            }
            let version = try Self.number(form.text(named: "version"), "version", 1...1_000_000).map { Int($0) }
            let epoch = try Self.number(form.text(named: "epoch"), "epoch", 2...86_400) ?? 4
            return try await Self.withUpload(form) { path in try await scorer.score(fileAt: path, model: model, version: version, epochSeconds: epoch) }
        }
    }

    static let eegDisabled = HTTPError(.notFound, message: "the EEG service is not enabled (add `services: [eeg]` to vigil.yaml)")

    static func number(_ text: String?, _ field: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), range.contains(value) else {
            throw HTTPError(.badRequest, message: "\(field): expected a number in \(range.lowerBound)...\(range.upperBound), found '\(text)'")
        }
        return value
    }

    /// Writes the `file` part to a private temporary file, runs `body`, and deletes it.
    static func withUpload<T>(_ form: Multipart, _ body: (String) async throws -> T) async throws -> T {
        guard let upload = form.files(named: "file").first else {
            throw HTTPError(.badRequest, message: "no 'file' part in the form (multipart/form-data with an EDF or BDF file)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-eeg-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: upload.data, attributes: [.posixPermissions: 0o600]) else {
            throw HTTPError(.internalServerError, message: "cannot store the upload for analysis")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return try await body(path)
        } catch let error as EEGError {
            let name = upload.filename ?? "upload"
            let message = error.description.replacingOccurrences(of: path, with: name)
            if case .setting(let field, _) = error, field == "--model" { throw HTTPError(.notFound, message: message) }
            throw UploadError(.unprocessableContent, message)
        }
    }
}
