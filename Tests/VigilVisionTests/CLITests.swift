import Foundation
import VigilTestSupport
import Testing

/// The `vigil` executable end to end: exit codes, messages that name the bad
/// thing, and nothing half-stored.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct CLITests {
    let directory: URL
    let database: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        database = directory.appendingPathComponent("cli.sqlite")
    }

    func vigil(_ arguments: String...) throws -> Run {
        try Run.vigil(arguments, database: database)
    }

    /// `vigil` links none of the camera stack (that is what makes it start fast): crime and EEG run
    /// in it on OpenCV's ML alone; commands that need vision are handed to vigil-full in the same
    /// process, and `--help` still lists every command.
    @Test func theCommandLineLinksNoVisionAndHandsVisionCommandsOver() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let libraries = try Run.program("/usr/bin/ldd", [Fixtures.vigilBinary]).stdout
        for vision in ["libopencv_imgcodecs", "libopencv_objdetect", "libgdal", "libhdf5", "libdlib", "libtesseract", "libavcodec"] {
            #expect(!libraries.contains(vision), "vigil links \(vision)")
        }
        for analysis in ["libopencv_ml", "libxgboost", "libfftw3"] {
            #expect(libraries.contains(analysis), "vigil should run crime and EEG itself, but does not link \(analysis)")
        }
        let help = try vigil("--help")
        for command in ["run", "status", "watchlist", "scan", "plates", "eeg", "crime", "alerts", "hooks", "tokens", "config", "bench"] {
            #expect(help.stdout.contains("\n  \(command) "), "vigil --help lacks \(command)")
        }
        let run = try vigil("run", "--help")
        #expect(run.status == 0 && run.stdout.contains("USAGE: vigil run") && run.stdout.contains("--no-tracking"), "\(run.stdout)\(run.stderr)")
        let enroll = try vigil("watchlist", "enroll", "--help")
        #expect(enroll.status == 0 && enroll.stdout.contains("--subject"), "\(enroll.stdout)\(enroll.stderr)")
        #expect(try vigil("watchlist", "create", "staff").status == 0)
        let listed = try vigil("watchlist", "list")
        #expect(listed.status == 0 && listed.stdout.contains("staff"), "\(listed.stderr)")
    }

    @Test func enrolmentRefusesNoFaceAndManyFacesAndStoresNothing() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try vigil("watchlist", "create", "staff").status == 0)
        let good = try Fixtures.shared("faces/obama/1.jpg")
        let dogs = try Fixtures.shared("faces/edge_cases/dogs_no_human_faces.jpg")
        let couple = try Fixtures.shared("faces/group/two_people.jpg")

        let refused = try vigil("watchlist", "enroll", "staff", "--subject", "obama", good, dogs, couple)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("\(dogs): no face found"))
        #expect(refused.stderr.contains("\(couple): 2 faces found"))

        let list = try vigil("watchlist", "list", "staff", "--json")
        #expect(list.status == 0 && list.stdout.contains("\"subjects\":0"))

        let accepted = try vigil("watchlist", "enroll", "staff", "--subject", "obama", "--name", "Barack Obama", good)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(try vigil("watchlist", "list", "--json").stdout.contains("\"enrolments\":1"))
        let audit = try vigil("watchlist", "audit", "staff", "--json")
        #expect(audit.stdout.contains("\"actor\":\"test:runner\"") && audit.stdout.contains("enrolment.add"))
    }

    @Test func scanPrintsJSONWithEvidenceAndASummary() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try vigil("watchlist", "create", "vip")
        _ = try vigil("watchlist", "enroll", "vip", "--subject", "obama", try Fixtures.shared("faces/obama/1.jpg"))
        let probe = try Fixtures.shared("faces/obama/2.jpg"), other = try Fixtures.shared("faces/biden/1.jpg")
        let run = try vigil("scan", probe, other, "--watchlist", "vip", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let faces = lines.compactMap { $0 }.filter { $0["file"] != nil }
        let summaries = lines.compactMap { $0?["summary"] as? [String: Any] }
        let summary = try #require(summaries.first)
        let obama = try #require(faces.first { $0["file"] as? String == probe })
        #expect(obama["subject"] as? String == "obama")
        #expect((obama["distance"] as? Double ?? 1) < 0.6 && obama["threshold"] as? Double == 0.6)
        #expect((obama["box"] as? [Int])?.count == 4 && obama["t"] as? Double == 0)
        // The enrolment photo is a content-addressed copy kept beside the database, byte for byte the original.
        let kept = try #require((obama["nearest"] as? [String: Any])?["image"] as? String)
        #expect(kept.contains("/enrolments/") && kept.hasSuffix(".jpg"), "\(kept)")
        #expect(FileManager.default.contents(atPath: kept) == FileManager.default.contents(atPath: try Fixtures.shared("faces/obama/1.jpg")))
        let biden = try #require(faces.first { $0["file"] as? String == other })
        #expect(biden["subject"] is NSNull && (biden["distance"] as? Double ?? 0) > 0.6)
        #expect(summary["frames_analysed"] as? Int == 2 && summary["matches"] as? Int == 1)
        #expect(summary["ms_per_analysed_frame"] is [String: Any])
    }

    @Test func badInputsFailWithTheirNames() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("nowhere.mp4").path
        let scan = try vigil("scan", missing)
        #expect(scan.status != 0 && scan.stderr.contains("\(missing): no such file"))

        let text = directory.appendingPathComponent("readme.mp4")
        try Data("plain text".utf8).write(to: text)
        let notMedia = try vigil("scan", text.path)
        #expect(notMedia.status != 0 && notMedia.stderr.contains("\(text.path): not a readable image or video"))

        let noModels = try Run.program(Fixtures.vigilBinary, ["scan", try Fixtures.shared("faces/obama/2.jpg")],
                                       environment: ["VIGIL_DB": database.path, "VIGIL_MODELS": directory.path])
        #expect(noModels.status != 0)
        #expect(noModels.stderr.contains(directory.appendingPathComponent("shape_predictor_5_face_landmarks.dat").path))

        let badModel = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: badModel, withIntermediateDirectories: true)
        for name in ["shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat"] {
            try Data("garbage".utf8).write(to: badModel.appendingPathComponent(name))
        }
        let unreadable = try Run.program(Fixtures.vigilBinary, ["scan", try Fixtures.shared("faces/obama/2.jpg")],
                                         environment: ["VIGIL_DB": database.path, "VIGIL_MODELS": badModel.path])
        #expect(unreadable.status != 0 && unreadable.stderr.contains("model file unreadable"))
        #expect(!unreadable.stderr.contains("Backtrac"))

        let unknown = try vigil("watchlist", "enroll", "ghost", "--subject", "x", try Fixtures.shared("faces/obama/2.jpg"))
        #expect(unknown.status != 0 && unknown.stderr.contains("watchlist 'ghost' does not exist"))
    }

    @Test func truncatedVideoReportsResultsThenFails() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.shared("video/hamilton_short_clip.mp4")))
        let cut = directory.appendingPathComponent("cut.mp4")
        try source.prefix(source.count / 2).write(to: cut)
        let run = try vigil("scan", cut.path, "--json")
        #expect(run.status != 0)
        #expect(run.stderr.contains(cut.path))
        #expect(run.stdout.contains("\"summary\""))
    }

    @Test func importsAWatchlistFolder() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("hamilton")
        for (subject, image) in [("lin_manuel_miranda", "faces/lin_manuel_miranda/1.png"), ("alex_lacamoire", "faces/alex_lacamoire/2.png")] {
            let dir = folder.appendingPathComponent(subject)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("1.png").path,
                                                       withDestinationPath: try Fixtures.shared(image))
        }
        try "threshold: 0.55\nsubjects:\n  alex_lacamoire:\n    name: Alex Lacamoire\n".write(
            to: folder.appendingPathComponent("watchlist.yaml"), atomically: true, encoding: .utf8)
        let run = try vigil("watchlist", "import", folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        let list = try vigil("watchlist", "list", "hamilton", "--json").stdout
        #expect(list.contains("\"threshold\":0.55") && list.contains("Alex Lacamoire") && list.contains("Lin Manuel Miranda"))

        try "threshhold: 0.5\n".write(to: folder.appendingPathComponent("watchlist.yaml"), atomically: true, encoding: .utf8)
        let typo = try vigil("watchlist", "import", folder.path)
        #expect(typo.status != 0 && typo.stderr.contains("watchlist.yaml:1: unknown key 'threshhold'"))
    }
}
