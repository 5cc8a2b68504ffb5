import Foundation

/// Errors of the hooks module that are not delivery outcomes (those are `AttemptReport`s).
public enum HookError: Error, CustomStringConvertible, Sendable {
    case spawn(String, Int32)

    public var description: String {
        switch self {
        case .spawn(let program, let code):
            return "cannot start \(program): \(String(cString: strerror(code)))"
        }
    }
}
