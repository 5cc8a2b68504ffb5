import ArgumentParser
import Foundation
import VigilCommandLine

/// `vigil`: the command line. It links no camera code (no dlib, Tesseract, FFmpeg, or OpenCV's
/// imgcodecs and objdetect), so the commands an operator or analyst types all day (watchlists,
/// alerts, tokens, hooks, config, status, crime, eeg) start in milliseconds instead of paying
/// ~0.2 s of dynamic linking for about 250 libraries. Commands that need vision are handed,
/// arguments and all, to `vigil-full` beside this binary, which has every command.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Real-time video surveillance: face and plate watchlists, scanning, alerts.",
        subcommands: [Handed<Run>.self, StatusCommand.self, Watchlist.self, Handed<Scan>.self, Handed<Plates>.self, EEGCommand.self,
                      CrimeCommand.self, CasesCommand.self, AlertsCommand.self, HooksCommand.self, TokensCommand.self, ConfigCommand.self, ClusterCommand.self, DbCommand.self, Handed<Bench>.self])

    static func main() async {
        FullBinary.handOverIfNeeded(CommandLine.arguments)
        await main(nil)
    }
}

/// `vigil watchlist`: the subcommands that need no vision run here; enrolling faces is handed over.
struct Watchlist: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist", abstract: CommandAbstracts.watchlist,
        subcommands: [WatchlistSubcommands.Create.self, Handed<Enroll>.self, WatchlistSubcommands.AddPlate.self,
                      WatchlistSubcommands.ImportPlates.self, WatchlistSubcommands.List.self, WatchlistSubcommands.Remove.self,
                      Handed<ImportFolder>.self, WatchlistSubcommands.Audit.self])
}

/// Where the commands that need vision run.
enum FullBinary {
    static func needed(_ arguments: [String]) -> Bool {
        var words = Array(arguments.dropFirst())
        if words.first == "help" { words.removeFirst() }
        guard let command = words.first else { return false }
        if CommandRouting.fullCommands.contains(command) { return true }
        if command == "watchlist", words.count > 1, CommandRouting.fullWatchlistCommands.contains(words[1]) { return true }
        // The generated man page and completions describe every command: only the full binary knows them all.
        return words.contains("--generate-completion-script") || words.contains("--experimental-dump-help")
    }

    /// Replaces this process with vigil-full when the command needs it (same arguments, same pid).
    static func handOverIfNeeded(_ arguments: [String]) {
        guard needed(arguments) else { return }
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("vigil-full").path
        if arguments.count > 1, CommandRouting.readingPlates.contains(arguments[1]),
           ProcessInfo.processInfo.environment["OMP_THREAD_LIMIT"] == nil {
            setenv("OMP_THREAD_LIMIT", "1", 1)
        }
        execv(path, CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("vigil: cannot start \(path) for `\(arguments.dropFirst().prefix(2).joined(separator: " "))`: \(reason)\n".utf8))
        exit(1)
    }
}

/// A command vigil-full runs, as `vigil --help` lists it: `main` hands it over before parsing,
/// so a stand-in only names and describes it.
protocol HandedCommand {
    static var name: String { get }
    static var abstract: String { get }
}

struct Handed<Command: HandedCommand>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Command.name, abstract: Command.abstract)
    }
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}

enum Run: HandedCommand { static let name = "run", abstract = CommandAbstracts.run }
enum Scan: HandedCommand { static let name = "scan", abstract = CommandAbstracts.scan }
enum Plates: HandedCommand { static let name = "plates", abstract = CommandAbstracts.plates }
enum Bench: HandedCommand { static let name = "bench", abstract = CommandAbstracts.bench }
enum Enroll: HandedCommand { static let name = "enroll", abstract = CommandAbstracts.enroll }
enum ImportFolder: HandedCommand { static let name = "import", abstract = CommandAbstracts.importFolder }
