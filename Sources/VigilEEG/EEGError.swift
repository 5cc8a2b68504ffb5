/// Errors of the EEG module, each naming the file and the header field or setting concerned.
public enum EEGError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(String)
    case field(String, String, String)
    case unsupported(String, String)
    case setting(String, String)
    /// A model file that could not be loaded: its path and why.
    case model(String, String)
    /// OpenCV (through CAnalytics) failed: the operation and its message.
    case native(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the file"
        case .field(let path, let field, let reason): return "\(path): \(field): \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported \(reason)"
        case .setting(let name, let reason): return "\(name): \(reason)"
        case .model(let path, let reason): return "\(path): cannot load the model: \(reason)"
        case .native(let operation, let message): return "\(operation) failed: \(message)"
        }
    }
}
