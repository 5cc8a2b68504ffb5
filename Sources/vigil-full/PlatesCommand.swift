import ArgumentParser
import VigilCommandLine
import Foundation
import VigilCore
import VigilPlates
import VigilScan
import VigilVision

struct PlatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plates",
        abstract: CommandAbstracts.plates,
        subcommands: [Eval.self])

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Detection recall, exact and within-one-edit read accuracy and ms per image on labelled plate sets.",
            discussion: """
                Each DIRECTORY holds images and a truth.csv (file,plate,x,y,w,h; no box means the image is \
                a tight crop of the plate). Reading is end to end: the reader never sees the true box.
                """)
        @Argument(help: "Labelled set folders, e.g. ../shared/data/plates/br.") var directories: [String]
        @Option(help: "Plate region (us, eu, br, any); default: the folder's name when it is one, else any.")
        var region: String?
        @Option(help: "Read only the first N images of each set.") var limit: Int?
        @Flag(help: "Print every image's outcome.") var verbose = false
        @Flag(help: "One JSON object per set.") var json = false

        func run() async throws {
            var rows: [[String]] = []
            for directory in directories {
                let name = (directory as NSString).lastPathComponent.lowercased()
                let regionName = region ?? (PlateRegion.builtIn[name] != nil ? name : (name.hasPrefix("us") ? "us" : "any"))
                let plateRegion = try wrap { try PlateRegion.named(regionName) }
                let analyzer = try wrap { try PlateAnalyzer(settings: PlateSettings(region: regionName)) }
                let evaluation = PlateEvaluation(analyzer: analyzer, ranker: PlateRanker(region: plateRegion))
                let report = try await wrapAsync { try await evaluation.run(directory: directory, limit: limit) }
                if verbose {
                    for o in report.outcomes {
                        Output.error("\(o.truth.file)  truth \(o.truth.plate)  read \(o.read ?? "-")  detected \(o.detected)  edits \(o.editDistance)")
                    }
                }
                if json {
                    print(Output.jsonLine([
                        ("set", directory), ("region", report.region), ("images", report.images),
                        ("detection_recall", report.detectionRecall), ("exact", report.exact),
                        ("within_one", report.withinOne), ("ms_per_image", report.millisecondsPerImage),
                    ]))
                } else {
                    rows.append([
                        (directory as NSString).lastPathComponent, report.region, String(report.images),
                        report.detectionRecall.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a",
                        String(format: "%.1f%%", report.exact * 100), String(format: "%.1f%%", report.withinOne * 100),
                        String(format: "%.1f", report.millisecondsPerImage),
                    ])
                }
            }
            if !json {
                print(Output.table(["SET", "REGION", "IMAGES", "DETECTED", "EXACT", "WITHIN 1", "MS/IMAGE"], rows))
            }
        }
    }
}
