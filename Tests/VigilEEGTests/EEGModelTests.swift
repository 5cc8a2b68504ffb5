import Foundation
import VigilTestSupport
import Testing

/// The EEG classifier end to end through `vigil eeg features | train | score`, on a real
/// labelled task built from the shared recordings: resting epochs (eegmat Subject00, 19
/// scalp channels, 500 Hz) against eyes-open baseline epochs (eegmmidb S001R01, 64
/// channels, 160 Hz). Two recordings of two people on two systems: a perfect score here
/// says the features separate these recordings, not that the model recognises rest in
/// general. The permutation check shows the cross-validation does not leak.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct EEGModelTests {
    @Test func trainCrossValidateSaveAndScore() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("x.sqlite")
        let rest = try Fixtures.shared("eeg/physionet_eegmat_Subject00_1_rest.edf")
        let open = try Fixtures.shared("eeg/physionet_eegmmidb_S001R01_eyes_open.edf")
        let a = try Run.vigil(["eeg", "features", rest, "--label", "rest", "--header"], database: database)
        let b = try Run.vigil(["eeg", "features", open, "--label", "eyes_open"], database: database)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let csv = directory.appendingPathComponent("epochs.csv")
        try (a.stdout + b.stdout).write(to: csv, atomically: true, encoding: .utf8)
        let models = directory.appendingPathComponent("models").path

        let trained = try Run.vigil(["eeg", "train", csv.path, "--out", "openrest", "--model-dir", models], database: database)
        #expect(trained.status == 0, "\(trained.stderr)")
        print(trained.stdout)
        #expect(trained.stdout.contains("on 60 epochs (rest, eyes_open), 5-fold CV accuracy"))
        let card = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: models + "/openrest/v1/model.json"))) as? [String: Any])
        let validation = try #require(card["validation"] as? [String: Any])
        let accuracy = try #require(validation["accuracy"] as? Double)
        let confusion = try #require(validation["confusion"] as? [[Int]])
        #expect(accuracy >= 0.95 && confusion.joined().reduce(0, +) == 60 && confusion.map { $0.reduce(0, +) } == [45, 15])
        #expect(FileManager.default.fileExists(atPath: models + "/openrest/v1/forest.yml") && (card["training_sha256"] as? String)?.count == 64)
        // A second training is a new version; the first stays.
        #expect(try Run.vigil(["eeg", "train", csv.path, "--out", "openrest", "--model-dir", models], database: database).status == 0)
        #expect(FileManager.default.fileExists(atPath: models + "/openrest/v2/model.json"))

        let scored = try Run.vigil(["eeg", "score", open, "--model", "openrest", "--version", "1", "--model-dir", models], database: database)
        #expect(scored.status == 0, "\(scored.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.split(separator: "\n").last!.utf8)) as? [String: Any])
        let mean = try #require(summary["mean_probabilities"] as? [String: Double])
        #expect(mean["eyes_open"]! > 0.9 && summary["validation"] != nil && (summary["note"] as? String)?.contains("Decision support") == true)

        // Permutation check: labels that do not follow the recordings are not learnt beyond chance.
        let rows = (a.stdout + b.stdout).split(separator: "\n").map(String.init)
        var shuffled = [rows[0]]
        for (i, row) in rows.dropFirst().enumerated() {
            shuffled.append(row.split(separator: ",").dropLast().joined(separator: ",") + "," + (i % 4 == 0 ? "x" : "y"))
        }
        let noise = directory.appendingPathComponent("noise.csv")
        try (shuffled.joined(separator: "\n") + "\n").write(to: noise, atomically: true, encoding: .utf8)
        let chance = try Run.vigil(["eeg", "train", noise.path, "--out", "noise", "--model-dir", models], database: database)
        let chanceAccuracy = try #require(chance.stdout.firstMatch(of: /CV accuracy ([0-9.]+)/).flatMap { Double($0.1) })
        print("eeg classifier: rest vs eyes open CV accuracy \(accuracy); permuted labels \(chanceAccuracy) (majority class 0.75)")
        #expect(chanceAccuracy < 0.85)
    }

    @Test func badTrainingDataAndUnknownModelsAreRefused() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("x.sqlite")
        let header = "file,epoch_start,delta_rel,theta_rel,alpha_rel,beta_rel,gamma_rel,log_alpha_beta,peak_alpha,spectral_entropy,label\n"
        let row = { (label: String, alpha: String) in "f.edf,0,0.2,0.1,\(alpha),0.1,0.01,0.5,10,0.7,\(label)\n" }
        let cases: [(String, String)] = [
            (header + row("a", "0.3") + row("b", "high"), "bad.csv:3: alpha_rel: expected a number, found 'high'"),
            (header + row("a", "0.3") + row("a", "0.4"), "training needs at least two labels"),
            ("delta_rel,label\n0.1,a\n", "bad.csv:1: missing feature column 'theta_rel'"),
            (header + row("a", "0.3") + row("b", "0.4"), "--folds: 5 folds need at least 5 epochs of every class"),
        ]
        for (text, expected) in cases {
            let path = directory.appendingPathComponent("bad.csv")
            try text.write(to: path, atomically: true, encoding: .utf8)
            let run = try Run.vigil(["eeg", "train", path.path, "--out", "m", "--model-dir", directory.path], database: database)
            #expect(run.status != 0 && run.stderr.contains(expected), "\(run.stderr)")
        }
        let missing = try Run.vigil(["eeg", "score", try Fixtures.shared("eeg/pyedflib_test_generator.edf"), "--model", "none",
                                     "--model-dir", directory.path], database: database)
        #expect(missing.status != 0 && missing.stderr.contains("no model 'none'"))
    }
}
