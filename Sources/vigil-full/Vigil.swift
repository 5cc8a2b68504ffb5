import ArgumentParser
import VigilCommandLine
import Foundation
import Logging
import VigilConfig

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Real-time video surveillance: face and plate watchlists, scanning, alerts.",
        subcommands: [RunCommand.self, StatusCommand.self, WatchlistCommand.self, ScanCommand.self, PlatesCommand.self, EEGCommand.self, CrimeCommand.self, CasesCommand.self, AlertsCommand.self, HooksCommand.self, TokensCommand.self, ConfigCommand.self, ClusterCommand.self, DbCommand.self, BenchCommand.self])

    static func main() async {
        OpenMP.limitThreads()
        await main(nil)
    }
}
