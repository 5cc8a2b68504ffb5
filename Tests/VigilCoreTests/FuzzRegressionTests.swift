import Foundation
import VigilTestSupport
import Testing
import VigilFuzz

/// Replays what the fuzzer found (Tests/VigilCoreTests/FuzzRegressions/<harness>/*) and a few
/// hand-made hostile inputs through the same harnesses `scripts/fuzz.sh` fuzzes: each must be
/// answered (a result or an error naming the problem), never crash the process.
@Suite struct FuzzRegressionTests {
    static let folder = Fixtures.packageRoot.appendingPathComponent("Tests/VigilCoreTests/FuzzRegressions")

    @Test func everyRecordedFindingIsRefusedNotCrashedOn() throws {
        var replayed = 0
        for target in FuzzHarness.Target.allCases {
            let directory = Self.folder.appendingPathComponent(target.rawValue)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in files.sorted() {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                _ = FuzzHarness.run(target, data)
                replayed += 1
            }
        }
        print("fuzz regressions replayed: \(replayed)")
        #expect(replayed > 0, "no recorded findings were found under \(Self.folder.path)")
    }

    @Test func handMadeHostileInputsAreRefused() {
        let cases: [(FuzzHarness.Target, Data)] = [
            (.edf, Data("0       ".utf8) + Data(repeating: 0x20, count: 248)),
            (.edf, Data(repeating: 0xFF, count: 4096)),
            (.incidents, Data([1]) + Data("DR_NO,DATE OCC\n1,\"unterminated\n".utf8)),
            (.incidents, Data([0]) + Data("columns: [[[\n".utf8)),
            (.config, Data([0]) + Data("cameras: &a [*a]\n".utf8)),
            (.config, Data([1]) + Data("id: x\nurl: rtsp://u:p@h/\nroi: [1, 2]\n".utf8)),
            (.watchlists, Data([0]) + Data("plate,label\n\"AB\n".utf8)),
            (.watchlists, Data([1]) + Data("name: x\nsubjects: [1, 2\n".utf8)),
            (.multipart, Data("b\n--b\r\nContent-Disposition: form-data; name=\"".utf8)),
            (.image, Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(repeating: 0, count: 64)),
            (.video, Data("#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n".utf8)),
        ]
        for (target, data) in cases {
            let outcome = FuzzHarness.run(target, data)
            #expect(outcome.hasPrefix("refused: "), "\(target): \(outcome)")
        }
    }
}
