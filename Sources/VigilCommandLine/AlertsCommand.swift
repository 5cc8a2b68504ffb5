import ArgumentParser
import Foundation
import VigilStore

public struct AlertsCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "List and inspect alerts with their evidence.", subcommands: [List.self, Show.self])

    public struct List: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Alerts, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only alerts seen since: an ISO 8601 time or a duration ago (30s, 10m, 2h, 7d).") var since: String?
        @Option(help: "Only this camera.") var camera: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "JSON output, one alert per line.") var json = false

        public func run() async throws {
            let start = try since.map(Self.parseSince)
            let store = try await openStore(common)
            let alerts = try wrap { try store.alerts(since: start, camera: camera, limit: limit) }
            if json {
                alerts.forEach { print(Output.jsonLine(AlertsCommand.fields($0))) }
            } else if alerts.isEmpty {
                print("no alerts")
            } else {
                let formatter = ISO8601DateFormatter()
                print(Output.table(["ID", "LAST SEEN", "CAMERA", "SUBJECT", "WATCHLIST", "DISTANCE", "THRESHOLD", "COUNT"], alerts.map {
                    ["\($0.id ?? 0)", formatter.string(from: $0.lastSeen), $0.cameraID, "\($0.subjectID) (\($0.subjectName))",
                     $0.watchlist, Output.number($0.distance), Output.number($0.threshold, digits: 2), "\($0.count)"]
                }))
            }
        }

        public static func parseSince(_ text: String) throws -> Date {
            if let date = ISO8601DateFormatter().date(from: text) { return date }
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 {
                return Date().addingTimeInterval(-amount * unit)
            }
            throw ValidationError("--since '\(text)': expected an ISO 8601 time (2026-11-22T10:00:00Z) or a duration (30s, 10m, 2h, 7d)")
        }
    }

    public struct Show: AsyncParsableCommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "One alert with all its evidence.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Alert id.") var id: Int64
        @Flag(help: "JSON output.") var json = false

        public func run() async throws {
            let store = try await openStore(common)
            guard let alert = try wrap({ try store.alert(id: id) }) else { throw Failure("alert \(id) does not exist") }
            if json {
                print(Output.jsonLine(AlertsCommand.fields(alert)))
                return
            }
            let formatter = ISO8601DateFormatter()
            print("""
                alert \(id): \(alert.subjectName) (\(alert.subjectID)) on camera \(alert.cameraID)
                  watchlist     \(alert.watchlist)
                  distance      \(Output.number(alert.distance)) (threshold \(Output.number(alert.threshold, digits: 2)); lower is closer)
                  matched       enrolment \(alert.enrolmentID): \(alert.enrolmentImage)
                  first seen    \(formatter.string(from: alert.firstSeen))
                  last seen     \(formatter.string(from: alert.lastSeen)) (\(alert.count) sighting(s), track \(alert.trackID))
                  face box      \(alert.box)
                  snapshot      \(alert.snapshotPath ?? "-")
                  face crop     \(alert.cropPath ?? "-")
                """)
        }
    }

    public static func fields(_ a: Alert) -> [(String, Any?)] {
        [("id", a.id), ("kind", a.kind), ("camera", a.cameraID), ("watchlist", a.watchlist), ("subject", a.subjectID),
         ("name", a.subjectName), ("distance", a.distance), ("threshold", a.threshold),
         ("enrolment", [("id", a.enrolmentID), ("image", a.enrolmentImage)] as [(String, Any?)]), ("track", a.trackID),
         ("box", a.box.split(separator: ",").compactMap { Int($0) }), ("first_seen", a.firstSeen), ("last_seen", a.lastSeen),
         ("count", a.count), ("snapshot", a.snapshotPath), ("crop", a.cropPath)]
    }
}
