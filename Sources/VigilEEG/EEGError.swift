/// Errors of the EEG module, each naming the file and the header field or setting concerned.
public enum EEGError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(String)
    case field(String, String, String)
    case unsupported(String, String)
    case setting(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the file"
        case .field(let path, let field, let reason): return "\(path): \(field): \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported \(reason)"
        case .setting(let name, let reason): return "\(name): \(reason)"
        }
    }
}
