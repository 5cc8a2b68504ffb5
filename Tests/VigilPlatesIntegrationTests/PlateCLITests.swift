import Foundation
import VigilTestSupport
import Testing

/// Plate watchlists and `vigil scan --detect plates` end to end, through the real
/// executable and a real SQLite file.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct PlateCLITests {
    let directory: URL
    let database: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        database = directory.appendingPathComponent("plates.sqlite")
    }

    func vigil(_ arguments: String...) throws -> Run {
        try Run.vigil(arguments, database: database)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func plates(_ list: String) throws -> [String] {
        let run = try vigil("watchlist", "list", list, "--json")
        guard let data = run.stdout.data(using: .utf8), let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = object["plate_list"] as? [[String: Any]] else { return [] }
        return entries.compactMap { $0["plate"] as? String }
    }

    @Test func badPlateInputIsRefusedWithItsNameAndNothingIsHalfImported() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try vigil("watchlist", "create", "stolen", "--kind", "plate", "--region", "br").status == 0)
        #expect(try vigil("watchlist", "add-plate", "stolen", "jrd-2238", "--label", "reported 3 May").status == 0)

        let empty = try vigil("watchlist", "add-plate", "stolen", " ")
        #expect(empty.status != 0 && empty.stderr.contains("plate is empty"))
        let alphabet = try vigil("watchlist", "add-plate", "stolen", "JRD#238")
        #expect(alphabet.status != 0 && alphabet.stderr.contains("outside the br alphabet") && alphabet.stderr.contains("#"))
        let format = try vigil("watchlist", "add-plate", "stolen", "JR12238")
        #expect(format.status != 0 && format.stderr.contains("fits no br format"))

        // A malformed row: the error names file and line; the valid rows before it are not stored.
        let broken = try write("broken.csv", "plate,label\nOKV8004,first\nPJI7589,second\nPJI75899,too long\n")
        let refused = try vigil("watchlist", "import-plates", "stolen", broken)
        #expect(refused.status != 0 && refused.stderr.contains("\(broken):4:") && refused.stderr.contains("nothing was imported"))
        let unclosed = try write("unclosed.csv", "OKV8004,first\n\"PJI7589,second\n")
        let parse = try vigil("watchlist", "import-plates", "stolen", unclosed)
        #expect(parse.status != 0 && parse.stderr.contains("\(unclosed):2:"))
        let duplicate = try write("duplicate.csv", "OKV8004\nokv-8004\n")
        #expect(try vigil("watchlist", "import-plates", "stolen", duplicate).stderr.contains("already on line 1"))
        #expect(try plates("stolen") == ["JRD2238"])

        let good = try write("good.csv", "plate,label\nOKV8004,first\nPJI7589,second\nJRD2238,reported 3 May\n")
        let imported = try vigil("watchlist", "import-plates", "stolen", good)
        #expect(imported.status == 0 && imported.stdout.contains("2 added, 0 updated, 1 unchanged"), "\(imported.stderr)")
        #expect(try vigil("watchlist", "remove", "stolen", "--plate", "PJI7589").status == 0)
        #expect(try plates("stolen") == ["JRD2238", "OKV8004"])
        #expect(try vigil("watchlist", "remove", "stolen", "--plate", "PJI7589").stderr.contains("is not on watchlist"))

        // Kinds do not mix, and every change is in the audit log with who made it.
        #expect(try vigil("watchlist", "create", "faces").status == 0)
        #expect(try vigil("watchlist", "add-plate", "faces", "JRD2238").stderr.contains("is a face watchlist"))
        let audit = try vigil("watchlist", "audit", "stolen", "--json").stdout
        for action in ["watchlist.create", "plate.add", "plate.remove"] { #expect(audit.contains("\"action\":\"\(action)\"")) }
        #expect(audit.contains("\"actor\":\"test:runner\"") && audit.contains("good.csv"))
    }

    /// Enrols every other plate of the Brazilian set from truth.csv, scans every image,
    /// and checks matches arrive for enrolled plates and never for the others.
    @Test func scanningMatchesEnrolledPlatesAndNoOthers() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let set = try Fixtures.shared("plates/br")
        let truth = try String(contentsOfFile: set + "/truth.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        let enrolled = Dictionary(uniqueKeysWithValues: truth.enumerated().filter { $0.offset % 2 == 0 }.map { ($0.element[0], $0.element[1]) })
        let csv = try write("stolen.csv", "plate,label\n" + enrolled.values.sorted().map { "\($0),truth" }.joined(separator: "\n") + "\n")
        #expect(try vigil("watchlist", "create", "stolen", "--kind", "plate", "--region", "br").status == 0)
        #expect(try vigil("watchlist", "import-plates", "stolen", csv).status == 0)
        // An allow-list entry for one enrolled plate silences it.
        let allowed = enrolled.sorted { $0.key < $1.key }.first!
        #expect(try vigil("watchlist", "create", "staff", "--kind", "plate", "--mode", "allow").status == 0)
        #expect(try vigil("watchlist", "add-plate", "staff", allowed.value).status == 0)

        let images = truth.map { set + "/" + $0[0] }
        let args = ["scan", "--detect", "plates", "--region", "br", "--json"] + images
        let run = try Run.vigil(args, database: database)
        #expect(run.status == 0, "\(run.stderr)")
        var alerted: Set<String> = [], reads = 0
        for line in run.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["file", "t", "box", "text", "confidence", "region", "match", "distance"] { #expect(object.keys.contains(key)) }
            reads += 1
            let file = ((object["file"] as? String ?? "") as NSString).lastPathComponent
            guard let match = object["match"] as? [String: Any], object["alert"] as? Bool == true else { continue }
            // Every alerting match is the image's own, enrolled plate.
            #expect(enrolled[file] == match["plate"] as? String, "\(file): \(line)")
            alerted.insert(file)
        }
        let reachable = enrolled.count - 1
        print("plate scan: \(reads) reads over \(images.count) images; \(alerted.count) of \(reachable) enrolled (deny) plates matched; none of \(truth.count - enrolled.count) others")
        #expect(!alerted.contains(allowed.key))
        #expect(alerted.count >= 20, "matched only \(alerted.count) of \(reachable)")
    }
}
