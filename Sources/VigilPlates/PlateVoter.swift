import Foundation
import VigilCore

/// Merges reads of one vehicle across frames before anything is decided: one
/// frame's misread (a 0 for an O, a dropped character) is outvoted by the
/// others. Reads belong to the same vehicle when their boxes overlap a recent
/// read's or their texts are within two edits, within `gap` seconds.
///
/// `Evidence` (the daemon passes the frame) is kept only for each vehicle's
/// most confident read, so a vehicle holds at most one frame.
///
/// Not thread-safe: one per camera, used by the worker holding the camera.
public final class PlateVoter<Evidence> {
    public struct Settings: Sendable, Equatable {
        /// Reads needed before the vote is decided.
        public var votes: Int
        /// Seconds without a read after which a vehicle is gone.
        public var gap: Double

        public init(votes: Int = 3, gap: Double = 2) {
            self.votes = votes
            self.gap = gap
        }
    }

    /// A decided vehicle: the voted text and the reads it came from.
    public struct Vote {
        public var text: String
        /// Mean confidence of the reads that agree with the voted text's length.
        public var confidence: Double
        public var reads: Int
        /// The most confident read (its box and frame are the evidence).
        public var best: PlateReading
        public var evidence: Evidence
    }

    private struct Vehicle {
        var reads: [(reading: PlateReading, time: Double)]
        var lastTime: Double
        var decided: Bool
        var best: (reading: PlateReading, evidence: Evidence)
    }

    public let settings: Settings
    private var vehicles: [Vehicle] = []

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Adds one frame's accepted readings; returns the vehicles decided now:
    /// those that reached `votes` reads, and those that left (gap passed) undecided.
    public func add(_ readings: [PlateReading], time: Double, evidence: Evidence) -> [Vote] {
        var decided: [Vote] = []
        for reading in readings {
            if let index = vehicles.firstIndex(where: { belongs(reading, to: $0, time: time) }) {
                // Once decided, only the latest read matters (it decides what belongs): a parked car
                // read at every frame for hours must not grow the list.
                if vehicles[index].decided { vehicles[index].reads.removeAll(keepingCapacity: true) }
                vehicles[index].reads.append((reading, time))
                vehicles[index].lastTime = time
                if reading.confidence > vehicles[index].best.reading.confidence {
                    vehicles[index].best = (reading, evidence)
                }
            } else {
                vehicles.append(Vehicle(reads: [(reading, time)], lastTime: time, decided: false, best: (reading, evidence)))
            }
        }
        for index in vehicles.indices where !vehicles[index].decided && vehicles[index].reads.count >= settings.votes {
            vehicles[index].decided = true
            decided.append(vote(vehicles[index]))
        }
        decided += expire(before: time - settings.gap)
        return decided
    }

    /// Reads held in memory over all vehicles in view (bounded by `votes` per vehicle).
    public var heldReads: Int { vehicles.reduce(0) { $0 + $1.reads.count } }

    /// Decides every vehicle still waiting (end of a file or of a stream).
    public func flush() -> [Vote] { expire(before: .infinity) }

    private func expire(before limit: Double) -> [Vote] {
        var decided: [Vote] = []
        vehicles.removeAll { vehicle in
            guard vehicle.lastTime < limit else { return false }
            if !vehicle.decided { decided.append(vote(vehicle)) }
            return true
        }
        return decided
    }

    private func belongs(_ reading: PlateReading, to vehicle: Vehicle, time: Double) -> Bool {
        guard time - vehicle.lastTime <= settings.gap, let last = vehicle.reads.last?.reading else { return false }
        return last.box.iou(reading.box) > 0.2 || PlateMatcher.editDistance(last.text, reading.text, limit: 2) <= 2
    }

    /// Majority length first, then per position the character with the most confidence behind it.
    private func vote(_ vehicle: Vehicle) -> Vote {
        let lengths = Dictionary(grouping: vehicle.reads, by: { $0.reading.text.count })
        let majority = lengths.max { a, b in
            a.value.count != b.value.count ? a.value.count < b.value.count : a.key < b.key
        }!.value
        let length = majority[0].reading.text.count
        var text = ""
        for position in 0..<length {
            var weight: [Character: Double] = [:]
            for (reading, _) in majority {
                let chars = Array(reading.text)
                let confidences = reading.confidences
                let c = position < confidences.count ? confidences[position] : reading.confidence
                weight[chars[position], default: 0] += max(0.05, c)
            }
            text.append(weight.max { $0.value < $1.value }!.key)
        }
        let confidence = majority.map(\.reading.confidence).reduce(0, +) / Double(majority.count)
        return Vote(text: text, confidence: confidence, reads: vehicle.reads.count, best: vehicle.best.reading,
                    evidence: vehicle.best.evidence)
    }
}
