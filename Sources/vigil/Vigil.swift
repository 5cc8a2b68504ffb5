import ArgumentParser
import Foundation
import VigilCommandLine

/// `vigil`: the command line. It links no vision code (no OpenCV, dlib, Tesseract, FFmpeg or
/// XGBoost), so the commands an operator types all day (watchlists, alerts, tokens, hooks,
/// config, status) start in milliseconds instead of paying ~0.2 s of dynamic linking for about
/// 250 libraries. Commands that need vision or the analysis services are handed, arguments and
/// all, to `vigil-full` beside this binary, which has every command.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Real-time video surveillance: face and plate watchlists, scanning, alerts.",
        subcommands: [Handed.Run.self, StatusCommand.self, Watchlist.self, Handed.Scan.self, Handed.Plates.self, Handed.EEG.self,
                      Handed.Crime.self, AlertsCommand.self, HooksCommand.self, TokensCommand.self, ConfigCommand.self, Handed.Bench.self])

    static func main() async {
        FullBinary.handOverIfNeeded(CommandLine.arguments)
        await main(nil)
    }
}

/// `vigil watchlist`: the subcommands that need no vision run here; enrolling faces is handed over.
struct Watchlist: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist", abstract: CommandAbstracts.watchlist,
        subcommands: [WatchlistSubcommands.Create.self, Handed.Enroll.self, WatchlistSubcommands.AddPlate.self,
                      WatchlistSubcommands.ImportPlates.self, WatchlistSubcommands.List.self, WatchlistSubcommands.Remove.self,
                      Handed.ImportFolder.self, WatchlistSubcommands.Audit.self])
}

/// Where the commands that need vision run.
enum FullBinary {
    /// Top-level commands that need vision or the analysis services.
    static let commands: Set<String> = ["run", "scan", "plates", "eeg", "crime", "bench"]
    /// `vigil watchlist` subcommands that compute face encodings.
    static let watchlistCommands: Set<String> = ["enroll", "import"]
    /// Of those, the ones that can read plates with Tesseract, whose OpenMP threads must be limited
    /// before the library loads (see vigil-full's OpenMP.swift).
    static let readingPlates: Set<String> = ["run", "plates", "scan", "bench"]

    static func needed(_ arguments: [String]) -> Bool {
        var words = Array(arguments.dropFirst())
        if words.first == "help" { words.removeFirst() }
        guard let command = words.first else { return false }
        if commands.contains(command) { return true }
        if command == "watchlist", words.count > 1, watchlistCommands.contains(words[1]) { return true }
        // The generated man page and completions describe every command: only the full binary knows them all.
        return words.contains("--generate-completion-script") || words.contains("--experimental-dump-help")
    }

    /// Replaces this process with vigil-full when the command needs it (same arguments, same pid).
    static func handOverIfNeeded(_ arguments: [String]) {
        guard needed(arguments) else { return }
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("vigil-full").path
        if arguments.count > 1, readingPlates.contains(arguments[1]), ProcessInfo.processInfo.environment["OMP_THREAD_LIMIT"] == nil {
            setenv("OMP_THREAD_LIMIT", "1", 1)
        }
        execv(path, CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("vigil: cannot start \(path) for `\(arguments.dropFirst().prefix(2).joined(separator: " "))`: \(reason)\n".utf8))
        exit(1)
    }
}

/// Stand-ins listed in `vigil --help` for the commands vigil-full runs. `main` hands those
/// commands over before parsing, so these only describe them.
enum Handed {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: CommandAbstracts.run)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scan", abstract: CommandAbstracts.scan)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct Plates: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plates", abstract: CommandAbstracts.plates)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct EEG: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "eeg", abstract: CommandAbstracts.eeg)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct Crime: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "crime", abstract: CommandAbstracts.crime)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bench", abstract: CommandAbstracts.bench)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enroll", abstract: CommandAbstracts.enroll)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }

    struct ImportFolder: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: CommandAbstracts.importFolder)
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    }
}
