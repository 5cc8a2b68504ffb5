import Foundation

/// Runs a command hook: the event JSON on stdin, `VIGIL_ID`, `VIGIL_EVENT` and
/// `VIGIL_ATTEMPT` in the environment, exit status 0 for success.
///
/// The program blocks its caller while it runs, so each command hook runs on its
/// own serial DispatchQueue (which also keeps that hook's deliveries in order),
/// never on the cooperative pool.
final class CommandRunner: Sendable {
    private let queue: DispatchQueue

    init(hook: String) {
        queue = DispatchQueue(label: "vigil.hook.\(hook)")
    }

    func run(program: String, arguments: [String], input: String, environment: [String: String], timeout: Double) async -> AttemptReport {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Self.runBlocking(program: program, arguments: arguments, input: input,
                                                                environment: environment, timeout: timeout))
            }
        }
    }

    /// What a command hook inherits: a fixed PATH, the locale and the home folder, nothing else.
    /// The daemon's own environment holds secrets (`secret_env` keys, database passwords) that a
    /// script must not see unless the operator passes them deliberately.
    static var minimalEnvironment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        for name in ["HOME", "LANG", "LC_ALL", "TZ"] { if let value = inherited[name] { environment[name] = value } }
        return environment
    }

    private static func runBlocking(program: String, arguments: [String], input: String, environment: [String: String],
                                    timeout: Double) -> AttemptReport {
        let start = DispatchTime.now()
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(program: program, arguments: arguments,
                                           environment: Self.minimalEnvironment.merging(environment) { $1 },
                                           input: Data(input.utf8), timeout: timeout)
        } catch {
            return AttemptReport(status: nil, error: "\(error)", response: nil, succeeded: false, seconds: seconds())
        }
        let text = String(decoding: outcome.output, as: UTF8.self)
        let response = text.isEmpty ? nil : text
        if outcome.timedOut {
            return AttemptReport(status: nil, error: "\(program) did not finish within \(timeout) s (killed)", response: response,
                                 succeeded: false, seconds: seconds())
        }
        if let signal = outcome.signal {
            return AttemptReport(status: nil, error: "\(program) was killed by signal \(signal)", response: response,
                                 succeeded: false, seconds: seconds())
        }
        let status = Int(outcome.status ?? -1)
        return AttemptReport(status: status, error: status == 0 ? nil : "\(program) exited with status \(status)",
                             response: response, succeeded: status == 0, seconds: seconds())
    }
}
