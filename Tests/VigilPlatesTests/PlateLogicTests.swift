import Foundation
import Testing
import VigilCore
import VigilPlates

/// Plate formats, confusion repair, ranking, voting and tolerant matching: pure logic, no pixels.
struct PlateLogicTests {
    private func candidate(_ text: String, confidence: Double = 0.9, box: BoundingBox = BoundingBox(x: 10, y: 10, width: 100, height: 30),
                           segmented: Int? = nil, plausibility: Double = 1) -> PlateCandidate {
        PlateCandidate(box: box, row: box, segmentedCharacters: segmented ?? text.count, text: text,
                       confidences: Array(repeating: confidence, count: text.count), plausibility: plausibility)
    }

    @Test func formatsParseAndFit() throws {
        let mercosul = try PlateFormat("@@@#@##")
        #expect(mercosul.fits("ABC1D23") && !mercosul.fits("ABC1234") && !mercosul.fits("ABC1D2"))
        let classed = try PlateFormat("[AB]#?")
        #expect(classed.fits("A1Z") && classed.fits("B27") && !classed.fits("C1Z"))
        #expect(throws: PlateError.self) { try PlateFormat("AB[") }
        #expect(throws: PlateError.self) { try PlateFormat("AB-1") }
        #expect(throws: PlateError.self) { try PlateFormat("") }
    }

    @Test func confusionRepairMakesAReadFitItsFormat() throws {
        let old = try PlateFormat("@@@####")
        // A letter O read where a digit must be, and a digit 8 where a letter must be.
        let repaired = try #require(old.repair("8RD22O8", confusions: .standard))
        #expect(repaired.text == "BRD2208" && repaired.repairs == 2)
        #expect(old.repair("JRD22#8", confusions: .standard) == nil)
        // Characters that already fit are never changed.
        #expect(old.repair("OKV8004", confusions: .standard)?.text == "OKV8004")
    }

    @Test func rankerPrefersReadsThatFitTheRegion() {
        let ranker = PlateRanker(region: .br)
        let fits = candidate("JRD2238", confidence: 0.8, box: BoundingBox(x: 0, y: 0, width: 100, height: 30))
        let junk = candidate("TOYOTA", confidence: 0.95, box: BoundingBox(x: 300, y: 0, width: 100, height: 30))
        let ranked = ranker.rank([junk, fits])
        #expect(ranked.first?.text == "JRD2238" && ranked.first?.format == "@@@####")
        // An edge character (a bolt read as 1) is dropped when that makes the read fit.
        let bolted = ranker.rank([candidate("1JRD2238")]).first
        #expect(bolted?.text == "JRD2238" && bolted?.repairs == 1)
        // Accepted reads must fit a strict region's format.
        #expect(ranker.accepted([junk]).isEmpty)
        // Loose regions repair towards a common format only with two swaps or fewer.
        let eu = PlateRanker(region: .eu)
        #expect(eu.rank([candidate("RK340A0")]).first?.text == "RK340AO")
        #expect(eu.rank([candidate("M5XSX")]).first?.text == "M5XSX")
    }

    @Test func entriesAreNormalisedAndCheckedAgainstTheRegion() throws {
        #expect(try PlateText.entry("abc-1234") == "ABC1234")
        #expect(try PlateText.entry("ab c.12 34", region: .br) == "ABC1234")
        #expect(throws: PlateError.empty) { try PlateText.entry("  - ") }
        #expect(throws: PlateError.self) { try PlateText.entry("ABÇ1234") }
        do {
            _ = try PlateText.entry("AB#1234")
            Issue.record("a character outside the alphabet was accepted")
        } catch let error as PlateError {
            #expect(error.description.contains("outside the any alphabet") && error.description.contains("#"))
        }
        #expect(throws: PlateError.self) { try PlateText.entry("AB12345", region: .br) }
        // Wildcard entries are checked for their alphabet only.
        #expect(try PlateText.entry("ABC12??", region: .br) == "ABC12??")
        #expect(throws: PlateError.self) { try PlateText.entry(String(repeating: "A", count: 13)) }
    }

    @Test func matchingToleratesEditsAndWildcardsAndAllowWins() {
        let deny = PlateEntry(id: 1, watchlist: "stolen", mode: .deny, plate: "JRD2238", label: "stolen car", maxEdits: 1)
        let strict = PlateEntry(id: 2, watchlist: "exact", mode: .deny, plate: "OKV8004", label: nil, maxEdits: 0)
        let fleet = PlateEntry(id: 3, watchlist: "fleet", mode: .deny, plate: "PJI7*", label: nil, maxEdits: 0)
        let matcher = PlateMatcher([deny, strict, fleet])
        #expect(matcher.match("JRD2238")?.distance == 0)
        #expect(matcher.match("JRD2233")?.entry.id == 1)   // one substitution
        #expect(matcher.match("JRD223")?.entry.id == 1)    // one deletion
        #expect(matcher.match("JRD22")?.entry == nil)      // two edits: beyond 1
        #expect(matcher.match("OKV8005") == nil)           // max edits 0
        #expect(matcher.match("PJI7583")?.entry.id == 3)
        #expect(matcher.match("PJX7583") == nil)
        let staff = PlateEntry(id: 4, watchlist: "staff", mode: .allow, plate: "JRD2238", label: nil, maxEdits: 1)
        let both = PlateMatcher([deny, staff]).match("JRD2238")
        #expect(both?.entry.mode == .allow && both?.alerts == false)
        #expect(PlateMatcher.editDistance("KITTEN", "SITTING") == 3)
        #expect(PlateMatcher.patternDistance("AB?D", "ABXD") == 0 && PlateMatcher.patternDistance("AB*", "ABCDEF") == 0)
        #expect(PlateMatcher.patternDistance("AB?D", "ABD") == 1)
    }

    @Test func votesMergeReadsOfOneVehicle() {
        let ranker = PlateRanker(region: .br)
        let voter = PlateVoter<Int>(settings: .init(votes: 3, gap: 2))
        let box = BoundingBox(x: 100, y: 100, width: 120, height: 40)
        #expect(voter.add(ranker.accepted([candidate("JRD2238", box: box)]), time: 0, evidence: 0).isEmpty)
        #expect(voter.add(ranker.accepted([candidate("JRD2233", confidence: 0.5, box: box)]), time: 0.2, evidence: 1).isEmpty)
        let votes = voter.add(ranker.accepted([candidate("JRD2238", confidence: 0.95, box: box)]), time: 0.4, evidence: 2)
        #expect(votes.count == 1 && votes.first?.text == "JRD2238" && votes.first?.reads == 3)
        #expect(votes.first?.evidence == 2)
        // A vehicle seen fewer times than the vote needs is decided when it leaves.
        #expect(voter.add(ranker.accepted([candidate("OKV8004", box: BoundingBox(x: 600, y: 100, width: 120, height: 40))]),
                          time: 5, evidence: 3).isEmpty)
        let left = voter.flush()
        #expect(left.map(\.text) == ["OKV8004"] && left.first?.reads == 1)
    }

    /// A parked car is read at every analysed frame for hours: what the voter holds stays bounded.
    @Test func aParkedCarsReadsStayBounded() {
        let ranker = PlateRanker(region: .br)
        let voter = PlateVoter<Int>(settings: .init(votes: 3, gap: 2))
        let box = BoundingBox(x: 100, y: 100, width: 120, height: 40)
        var votes = 0
        for frame in 0..<20_000 {   // over an hour at 5 fps
            votes += voter.add(ranker.accepted([candidate("JRD2238", box: box)]), time: Double(frame) * 0.2, evidence: frame).count
        }
        #expect(votes == 1, "decided once while it stays")
        #expect(voter.heldReads <= 3, "held \(voter.heldReads) reads")
    }

    @Test func csvKeepsLineNumbersAndRejectsBrokenQuotes() throws {
        let table = try CSVTable(text: "plate,label\nABC1234,\"a, b\"\n\nXYZ9876,\"say \"\"hi\"\"\"\r\n")
        #expect(table.records.map(\.line) == [1, 2, 4])
        #expect(table.records[1].fields == ["ABC1234", "a, b"] && table.records[2].fields[1] == "say \"hi\"")
        #expect(throws: CSVTable.ParseError(line: 2, reason: "a quoted field is not closed")) {
            try CSVTable(text: "plate\n\"ABC1234\n")
        }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(text: "AB\"C\n") }
    }
}
