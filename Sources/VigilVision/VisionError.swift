/// Errors of the vision module, each naming the file or operation concerned.
public enum VisionError: Error, Equatable, CustomStringConvertible, Sendable {
    case modelMissing(path: String, hint: String)
    case modelUnreadable(path: String, reason: String)
    case native(operation: String, message: String)
    case badEnvironment(variable: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .modelMissing(let path, let hint):
            return "\(path): model file missing (\(hint))"
        case .modelUnreadable(let path, let reason):
            return "\(path): model file unreadable (\(reason))"
        case .native(let operation, let message):
            return "\(operation) failed: \(message)"
        case .badEnvironment(let variable, let value, let expected):
            return "\(variable)=\(value): expected \(expected)"
        }
    }
}
