import Foundation
import VigilTestSupport
import Testing
import VigilConfig
import VigilCore

/// vigil.yaml and cameras/*.yaml: good files load with defaults merged; every
/// bad one fails naming file, line and key.
@Suite struct ConfigTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cameras"), withIntermediateDirectories: true)
        try Data().write(to: directory.appendingPathComponent("clip.mp4"))
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load() throws -> DaemonConfig {
        try DaemonConfig.load(path: directory.appendingPathComponent("vigil.yaml").path)
    }

    func expectError(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try load()
            Issue.record("no error, expected \(expected)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".hasSuffix(expected), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func defaultsMergeIntoCameras() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try write("vigil.yaml", """
            database: data/vigil.sqlite
            workers: 3
            defaults:
              analyse_fps: 2
              cooldown: 30
              face:
                min_size: 40
              watchlists: [staff]
            """)
        _ = try write("cameras/a.yaml", "id: gate\nurl: rtsp://127.0.0.1:8554/gate\n")
        _ = try write("cameras/b.yaml", "id: yard\nurl: ../clip.mp4\nloop: true\nanalyse_fps: 4\nface:\n  strategy: hog\n")
        let config = try load()
        #expect(config.workers == 3 && config.database == directory.appendingPathComponent("data/vigil.sqlite").path)
        #expect(config.cameras.map(\.id) == ["gate", "yard"])
        let gate = config.cameras[0], yard = config.cameras[1]
        #expect(gate.analyseFPS == 2 && gate.cooldown == 30 && gate.face.minFaceSize == 40 && gate.watchlists == ["staff"])
        #expect(gate.face.strategy == .haarVerified && gate.reconnect.initialDelay == 1 && gate.reconnect.maxDelay == 30)
        #expect(yard.analyseFPS == 4 && yard.face.strategy == .hog && yard.face.minFaceSize == 40 && yard.loop)
        #expect(yard.url == directory.appendingPathComponent("clip.mp4").path)
    }

    @Test func analysisSettingsAreReadAndCheckedAgainstEachOther() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try write("vigil.yaml", "defaults:\n  detect_fps: 1\n  motion:\n    threshold: 20\n")
        _ = try write("cameras/a.yaml", "id: a\nurl: ../clip.mp4\nanalyse_fps: 4\nsweep_interval: 12\nmotion:\n  dilate: 3\n  max_fraction: 0.5\n")
        _ = try write("cameras/b.yaml", "id: b\nurl: ../clip.mp4\nanalyse_fps: 2\ndetect_fps: 2\nmotion:\n  regions: false\n")
        let config = try load()
        let a = config.cameras[0].analysis, b = config.cameras[1].analysis
        #expect(a.detectFPS == 1 && a.sweepInterval == 12 && a.motion.threshold == 20 && a.motion.dilate == 3 && a.motion.maxFraction == 0.5)
        #expect(a.motionRegions && !b.motionRegions && b.detectFPS == 2 && b.motion.threshold == 20)
        // Unset, detect_fps simply follows a lower analyse_fps.
        _ = try write("vigil.yaml", "defaults:\n  analyse_fps: 1\n")
        _ = try write("cameras/b.yaml", "id: b\nurl: ../clip.mp4\n")
        let followed = try load().cameras.first { $0.id == "b" }
        #expect(followed?.analyseFPS == 1 && followed?.analysis.detectFPS == 2)
    }

    @Test func badAnalysisSettingsNameFileLineAndKey() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try write("vigil.yaml", "cameras: cameras\n")
        let camera = directory.appendingPathComponent("cameras/c.yaml").path
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nanalyse_fps: 2\ndetect_fps: 5\n")
        expectError("\(camera):4: detect_fps: detect_fps 5 is above analyse_fps 2: detection runs on analysed frames, so it cannot run more often than they come")
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nsweep_interval: 0.5\n")
        expectError("\(camera):3: sweep_interval: 0.5 is out of range 1...600")
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nmotion:\n  threshold: 300\n")
        expectError("\(camera):4: motion.threshold: 300 is out of range 1...255")
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nmotion:\n  max_fraction: 0\n")
        expectError("\(camera):4: motion.max_fraction: 0 is out of range 0.05...1")
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nmotion:\n  cells: 4\n")
        expectError("\(camera):4: motion.cells: unknown key (known keys: regions, zones, threshold, dilate, min_area, max_fraction)")
        // detect_fps from the defaults, analyse_fps lowered in the camera: the camera's line is named.
        _ = try write("vigil.yaml", "defaults:\n  detect_fps: 3\n")
        _ = try write("cameras/c.yaml", "id: c\nurl: ../clip.mp4\nanalyse_fps: 2\n")
        expectError("\(camera):3: analyse_fps: detect_fps 3 is above analyse_fps 2: detection runs on analysed frames, so it cannot run more often than they come")
    }

    @Test func badCameraFilesNameFileLineAndKey() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try write("vigil.yaml", "workers: 1\n")
        let camera = directory.appendingPathComponent("cameras/c.yaml").path
        let cases: [(String, String)] = [
            ("id: c\nurl: rtsp://h/x\nanalyse_fsp: 5\n", "c.yaml:3: analyse_fsp: unknown key (known keys: id, name, url, roi, behaviour, enabled, loop, analyse_fps, detect_fps, sweep_interval, motion, detect, face, plates, watchlists, cooldown, reconnect)"),
            ("id: c\nurl: rtsp://h/x\nanalyse_fps: fast\n", "c.yaml:3: analyse_fps: expected a number, got 'fast'"),
            ("id: c\nurl: rtsp://h/x\nanalyse_fps: 0\n", "c.yaml:3: analyse_fps: 0 is out of range 0.1...60"),
            ("id: c\nurl: rtsp://h/x\nface:\n  min_neigbors: 3\n", "c.yaml:4: face.min_neigbors: unknown key (known keys: strategy, cascade, scale_factor, min_neighbors, min_size, max_side)"),
            ("id: c\nurl: rtsp://h/x\nface:\n  strategy: cnn\n", "c.yaml:4: face.strategy: expected haar, hog or haar-verified"),
            ("id: c\nurl: ftp://h/x\n", "c.yaml:2: url: unsupported scheme 'ftp' (expected rtsp, rtsps, http, https or a file path)"),
            ("id: c\nurl: missing.mp4\n", "c.yaml:2: url: file \(directory.appendingPathComponent("cameras/missing.mp4").path) does not exist"),
            ("id: c\n", "c.yaml:1: url: is required"),
            ("id: c\nurl: rtsp://h/x\ndetect: [faces, cars]\n", "c.yaml:3: detect: unknown detection 'cars' (expected faces or plates)"),
            ("id: c\nurl: rtsp://h/x\nplates:\n  region: mars\n", "c.yaml:4: plates.region: unknown plate region 'mars' (expected any, br, eu, us)"),
            ("id: c\nurl: rtsp://h/x\nplates:\n  votes: 0\n", "c.yaml:4: plates.votes: 0 is out of range 1...50"),
            ("id: c\nurl: rtsp://h/x\nplates:\n  min_chars: 6\n  max_chars: 5\n", "c.yaml:5: plates.max_chars: must not be less than min_chars (6)"),
            ("id: c\nurl: rtsp://h/x\nplates:\n  regoin: br\n", "c.yaml:4: plates.regoin: unknown key (known keys: region, work_width, close_width, close_height, coarse_pass, min_aspect, max_aspect, min_area, max_area, max_angle, threshold_offset, min_chars, max_chars, max_reads, min_confidence, votes)"),
            ("id: c\nurl: rtsp://h/x\nroi: [[0, 0], [10, 0]]\n", "c.yaml:3: roi: expected a polygon: a list of at least 3 [x, y] points"),
            ("id: c\nurl: rtsp://h/x\nreconnect:\n  initial: 10\n  max: 5\n", "c.yaml:5: reconnect.max: must not be less than initial (10.0)"),
            ("id: c\nurl: rtsp://h/x\nenabled: maybe\n", "c.yaml:3: enabled: expected true or false, got 'maybe'"),
            ("id: c\nurl: rtsp://h/x\nloop: true\n", "c.yaml:3: loop: applies to files only, not to rtsp streams"),
        ]
        for (text, expected) in cases {
            try text.write(toFile: camera, atomically: true, encoding: .utf8)
            expectError(expected)
        }
    }

    @Test func duplicateCameraIdsAndBadGlobalsAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try write("vigil.yaml", "workers: 1\n")
        _ = try write("cameras/a.yaml", "id: same\nurl: rtsp://h/a\n")
        _ = try write("cameras/b.yaml", "id: same\nurl: rtsp://h/b\n")
        expectError("b.yaml: id: 'same' is already used by \(directory.appendingPathComponent("cameras/a.yaml").path)")
        try FileManager.default.removeItem(at: directory.appendingPathComponent("cameras/b.yaml"))
        _ = try write("vigil.yaml", "workers: 0\n")
        expectError("vigil.yaml:1: workers: 0 is out of range 1...64")
        // A shared database is accepted as it is written (a URL is not a path to resolve); one
        // without a database name, or with what only SQLite holds, is refused without its password.
        _ = try write("vigil.yaml", "workers: 1\ndatabase: postgres://vigil:s3cret@db:5432/vigil\n")
        #expect(try load().database == "postgres://vigil:s3cret@db:5432/vigil")
        _ = try write("vigil.yaml", "workers: 1\ndatabase: postgres://vigil:s3cret@db:5432\n")
        expectError("vigil.yaml:2: database: postgres://***:***@db:5432: no database name after the host (postgres://user@host/database)")
        _ = try write("vigil.yaml", "database: postgres://vigil:s3cret@db/vigil\nservices: [crime]\n")
        #expect(try load().services == ["crime"])
        // Where other nodes reach this API: a plain http(s)://host:port; a wrong one is not echoed.
        _ = try write("vigil.yaml", "api:\n  host: 0.0.0.0\n  advertise: http://10.0.0.7:8080/\n")
        let advertised = try load().api
        #expect(advertised.advertise == "http://10.0.0.7:8080" && advertised.advertised(port: 1, hostName: "n1") == "http://10.0.0.7:8080")
        #expect(APIConfig().advertised(port: 8081, hostName: "n1") == "http://127.0.0.1:8081")
        _ = try write("vigil.yaml", "api:\n  host: '::'\n")
        #expect(try load().api.advertised(port: 8080, hostName: "node-7") == "http://node-7:8080")
        _ = try write("vigil.yaml", "api:\n  advertise: http://admin:pw@10.0.0.7:8080/x\n")
        expectError("vigil.yaml:2: api.advertise: expected http://host:port (or https://), without a path, query or credentials")
        _ = try write("vigil.yaml", "databse: x.sqlite\n")
        expectError("vigil.yaml:1: databse: unknown key (known keys: database, snapshots, workers, log_level, models, cameras, snapshot_retention_days, history_retention_days, defaults, hooks, delivery, api, services, eeg_models, crime)")
        _ = try write("vigil.yaml", "services: [crime]\ncrime:\n  retrain_interval: 3600\n  drift_threshold: 0.25\n  tasks: [severity, arrest]\n")
        let crime = try load()
        #expect(crime.services == ["crime"] && crime.crime.retrainInterval == 3600 && crime.crime.driftThreshold == 0.25 && crime.crime.tasks == ["severity", "arrest"])
        _ = try write("vigil.yaml", "services: [crime]\ncrime:\n  tasks: [burglary]\n")
        expectError("vigil.yaml:3: crime.tasks: unknown task 'burglary' (expected severity or arrest)")
        _ = try write("vigil.yaml", "services: [crimes]\n")
        expectError("vigil.yaml:1: services: unknown service 'crimes' (expected eeg or crime)")
        _ = try write("vigil.yaml", "workers: [1\n")
        do { _ = try load(); Issue.record("malformed YAML accepted") } catch { #expect("\(error)".contains("vigil.yaml: not valid YAML")) }
    }

    /// The repository's own camera files are valid.
    @Test func shippedCameraFilesAreValid() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = Fixtures.packageRoot.appendingPathComponent(".demo/demo.mp4").path
        try #require(FileManager.default.fileExists(atPath: demo), "run scripts/setup.sh first")
        let config = try DaemonConfig.load(path: nil, camerasDirectory: Fixtures.packageRoot.appendingPathComponent("cameras").path)
        #expect(config.cameras.map(\.id) == ["demo", "gate", "lobby"])
        #expect(config.cameras[2].roi?.count == 4 && config.cameras[2].enabled == false)
        #expect(config.cameras[1].detect == [.plates] && config.cameras[1].plates.region == "eu" && config.cameras[1].plates.votes == 3)
    }
}
