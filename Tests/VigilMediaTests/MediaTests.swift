import Foundation
import VigilTestSupport
import Testing
import VigilCore
import VigilMedia

@Suite struct FrameSamplerTests {
    @Test func picksFiveFramesPerSecondOfThirtyFpsVideo() {
        var sampler = FrameSampler(fps: 5)
        let picked = (0..<300).map { Double($0) / 29.97 }.filter { sampler.shouldAnalyse(time: $0) }
        #expect(picked.count == 50)
        #expect(zip(picked, picked.dropFirst()).allSatisfy { $1 - $0 > 0.19 && $1 - $0 < 0.21 })
    }

    /// Cameras started together are sampled at staggered moments, so the workers get their frames
    /// spread over the interval, not all in one instant.
    @Test func aPhasedSamplerPicksTheSameRateShiftedWithinTheInterval() {
        var plain = FrameSampler(fps: 5), phased = FrameSampler(fps: 5, phase: 0.5)
        let times = (0..<250).map { Double($0) / 25 }
        let a = times.filter { plain.shouldAnalyse(time: $0) }, b = times.filter { phased.shouldAnalyse(time: $0) }
        #expect(a.count == 50 && (b.count == 50 || b.count == 51))
        // After its first frame (taken at once), the phased sampler picks half an interval later, within one source frame.
        for time in b.dropFirst() {
            let offset = time.truncatingRemainder(dividingBy: 0.2)
            #expect(offset >= 0.1 - 1e-9 && offset < 0.1 + 0.04 + 1e-9, "picked \(time)")
        }
        #expect(zip(b.dropFirst(), b.dropFirst(2)).allSatisfy { $1 - $0 > 0.19 && $1 - $0 < 0.21 })
    }

    @Test func staggeredPhasesSpreadAnyNumberOfCameras() {
        for count in [2, 3, 8, 12, 16] {
            let phases = (0..<count).map(FrameSampler.staggeredPhase(index:)).sorted()
            let gaps = zip(phases, phases.dropFirst()).map { $1 - $0 } + [1 - phases.last! + phases.first!]
            // Golden-ratio spacing: no two cameras closer than half, and no gap wider than twice, an even share.
            #expect(gaps.min()! > 0.5 / Double(count) - 1e-9 && gaps.max()! < 2.0 / Double(count) + 1e-9, "\(count): \(gaps)")
        }
    }

    @Test func zeroRateAnalysesEveryFrame() {
        var sampler = FrameSampler(fps: 0)
        #expect((0..<10).allSatisfy { sampler.shouldAnalyse(time: Double($0) * 0.04) })
    }
}

/// Streams that real cameras send: no timestamps, hostile "images".
@Suite struct DecoderRobustnessTests {
    /// A raw H.264 elementary stream carries no timestamps. Each frame must still move forward in
    /// time, or the sampler would hold its slot forever and analyse the first frame only.
    @Test func framesWithoutTimestampsStillReachTheSampler() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("raw.h264").path
        try Run.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-t", "4", "-c:v", "libx264", "-f", "h264", path])
        let decoder = try MediaDecoder(source: path)
        var sampler = FrameSampler(fps: 5)
        var times: [Double] = [], analysed = 0
        while let frame = try decoder.nextFrame() {
            times.append(frame.time)
            if sampler.shouldAnalyse(time: frame.time) { analysed += 1 }
        }
        #expect(times.count == 100)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 > $0 }, "times must increase")
        #expect(analysed >= 15, "analysed \(analysed) of 100 frames at 5 fps over 4 s")
    }

    /// An "image" that is really a playlist would make FFmpeg open URLs or other files.
    @Test func stillImagesAreRecognisedByTheirBytesOnly() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let playlist = folder.appendingPathComponent("face.jpg").path
        try "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n".write(toFile: playlist, atomically: true, encoding: .utf8)
        #expect(throws: MediaError.cannotOpen(source: playlist, reason: "not a JPEG, PNG, BMP or WebP image")) {
            try MediaDecoder.stillImage(at: playlist)
        }
        let png = folder.appendingPathComponent("ok.png").path
        try Run.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1", png])
        #expect(try MediaDecoder.stillImage(at: png).width == 64)
    }
}

@Suite(.enabled(if: Fixtures.sharedDataUsable))
struct MediaDecoderTests {
    func decodeAll(_ path: String) throws -> (frames: [Frame], info: MediaInfo) {
        let decoder = try MediaDecoder(source: path)
        var frames: [Frame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return (frames, decoder.info)
    }

    @Test func decodesEveryFrameWithTimestamps() throws {
        let (frames, info) = try decodeAll(try Fixtures.shared("video/hamilton_short_clip.mp4"))
        #expect(info.codec == "h264" && info.width == 640 && info.height == 360 && !info.isStillImage)
        let reference = try ffprobeFrameCount(try Fixtures.shared("video/hamilton_short_clip.mp4"))
        #expect(frames.count == 275 && frames.count == reference)
        #expect(frames.map(\.index) == Array(0..<275))
        #expect(frames.map(\.time) == frames.map(\.time).sorted())
        // Video starts 0.84 s after the container (audio first) and runs 9.18 s.
        #expect(abs(frames[0].time - 0.844) < 0.02, "\(frames[0].time)")
        #expect(abs(frames.last!.time - 9.99) < 0.05, "\(frames.last!.time)")
        #expect(frames.allSatisfy { $0.width == 640 && $0.height == 360 && $0.stride >= 1920 })
    }

    /// Containers and codecs made at test time from the shared clip (never committed).
    @Test(arguments: [
        ("mkv", ["-c:v", "libx264"]), ("avi", ["-c:v", "mpeg4", "-q:v", "4"]), ("mp4", ["-c:v", "libx265", "-x265-params", "log-level=error"]),
    ])
    func decodesOtherContainersAndCodecs(container: String, codec: [String]) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("clip.\(container)").path
        try Run.ffmpeg(["-i", try Fixtures.shared("video/hamilton_short_clip.mp4"), "-t", "2", "-an"] + codec + [output])
        let (frames, info) = try decodeAll(output)
        let reference = try ffprobeFrameCount(output)
        #expect(frames.count == reference, "\(container) \(info.codec): \(frames.count) frames, ffprobe counts \(reference)")
        #expect(info.width == 640 && info.height == 360)
        #expect(frames.map(\.time) == frames.map(\.time).sorted())
    }

    @Test func readsRGBAPNGAsBGR() throws {
        let (frames, info) = try decodeAll(try Fixtures.shared("faces/edge_cases/obama_32bit_rgba.png"))
        #expect(info.isStillImage && frames.count == 1 && frames[0].time == 0)
    }

    @Test func missingFileIsNamed() {
        #expect(throws: MediaError.notFound(source: "/nonexistent/clip.mp4")) {
            try MediaDecoder(source: "/nonexistent/clip.mp4")
        }
    }

    @Test func nonMediaFileIsRefusedWithItsName() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("notes.mp4").path
        try Data("this is not a video\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try MediaDecoder(source: path)
            Issue.record("a text file was accepted as media")
        } catch let error as MediaError {
            #expect(error.source == path)
            #expect(error.description.hasPrefix(path))
        }
    }

    /// A cut file with its index at the end cannot even be opened; one with the
    /// index first (faststart) yields its good frames, then an error.
    @Test func truncatedVideosFailWithTheirNames() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Fixtures.shared("video/hamilton_short_clip.mp4")
        let faststart = directory.appendingPathComponent("faststart.mp4").path
        try Run.ffmpeg(["-i", original, "-c", "copy", "-movflags", "+faststart", faststart])
        for source in [original, faststart] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
            let path = directory.appendingPathComponent("cut-" + (source as NSString).lastPathComponent).path
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
            var frames = 0
            do {
                let decoder = try MediaDecoder(source: path)
                while try decoder.nextFrame() != nil { frames += 1 }
                Issue.record("\(path): truncation was not reported")
            } catch let error as MediaError {
                #expect(error.source == path)
                print("\(error) after \(frames) frames")
            }
            if source == faststart {
                #expect(frames > 50 && frames < 275)
            }
        }
    }

    /// Memory stays flat across repeated full decodes of the 1080p clip: frames
    /// own their buffers and every FFmpeg allocation is released. Measured in
    /// its own process so other tests' allocations do not blur the figure.
    @Test func noGrowthAcrossRepeatedDecodes() throws {
        let run = try Run.program(Fixtures.vigilBinary, ["bench", "decode", "--repeat", "8",
                                                         try Fixtures.shared("video/pedestrians_faces_1080p.mp4")])
        #expect(run.status == 0, "\(run.stderr)")
        let rss = run.stdout.split(separator: "\n").compactMap { line in line.split(separator: " ").last.flatMap { Int($0) } }
        print("RSS per pass (MB): \(rss)")
        #expect(rss.count == 8)
        if let second = rss.dropFirst().first, let last = rss.last { #expect(last - second < 10) }
    }
}

/// FFmpeg's own count of decodable frames, the reference decoder counts are checked against.
func ffprobeFrameCount(_ path: String) throws -> Int {
    let run = try Run.program("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_frames",
                                                   "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
    guard let count = Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw FixtureError.tool("ffprobe gave no frame count for \(path): \(run.stderr)")
    }
    return count
}
