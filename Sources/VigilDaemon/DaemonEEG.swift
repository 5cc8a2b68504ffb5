import Dispatch
import Foundation
import VigilAPI
import VigilEEG
import VigilVision

/// `services: [eeg]`: analyses uploads and scores them with the models `vigil eeg train`
/// saved, on its own serial queue (FFTW, OpenCV), never on the cooperative pool.
public struct DaemonEEG: EEGService {
    let store: EEGModelStore
    private let queue = DispatchQueue(label: "vigil.eeg")

    public init(models: String) {
        store = EEGModelStore(directory: models)
    }

    public func analyze(fileAt path: String, settings: EEGAnalysis.Settings) async throws -> EEGAnalysisView {
        try await onQueue {
            let file = try EDFFile(path: path)
            let bands = settings.bands
            return EEGAnalysisView(format: file.format.rawValue, duration: file.duration, channels: try EEGAnalysis(settings: settings).run(file),
                                   method: "Welch, \(settings.welch.segmentSeconds) s \(settings.welch.window.rawValue) segments, \(Int(settings.welch.overlap * 100))% overlap, \(settings.welch.detrend.rawValue) detrend; relative = share of \(bands.map(\.low).min() ?? 0)-\(bands.map(\.high).max() ?? 0) Hz power")
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public func score(fileAt path: String, model: String, version: Int?, epochSeconds: Double) async throws -> EEGScoreView {
        let store = self.store
        return try await onQueue {
            let (card, forestPath) = try store.load(model, version: version)
            let forest = try Forest(path: forestPath)
            let epochs = try EpochFeatures.epochs(try EDFFile(path: path), seconds: epochSeconds)
            var mean = [Double](repeating: 0, count: card.classes.count)
            let scored = try epochs.map { e -> EEGScoreView.EpochScore in
                let p = try forest.probabilities(e.values, classCount: card.classes.count)
                for k in p.indices { mean[k] += p[k] / Double(max(1, epochs.count)) }
                return EEGScoreView.EpochScore(epochStart: e.start, probabilities: Dictionary(uniqueKeysWithValues: zip(card.classes, p)))
            }
            return EEGScoreView(model: card.name, version: card.version, epochs: scored,
                                meanProbabilities: Dictionary(uniqueKeysWithValues: zip(card.classes, mean)),
                                validation: card.validation, note: card.note)
        }
    }
}
