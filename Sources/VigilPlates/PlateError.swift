/// Errors of the plate module, each naming the plate, pattern or region concerned.
public enum PlateError: Error, Equatable, CustomStringConvertible, Sendable {
    case empty
    case outsideAlphabet(plate: String, characters: String, region: String)
    case tooLong(plate: String, limit: Int)
    case doesNotFitRegion(plate: String, region: String, formats: [String])
    case unknownRegion(String)
    case invalidFormat(pattern: String, reason: String)

    public var description: String {
        switch self {
        case .empty:
            return "plate is empty"
        case .outsideAlphabet(let plate, let characters, let region):
            return "plate '\(plate)' has characters outside the \(region) alphabet (A-Z, 0-9): \(characters)"
        case .tooLong(let plate, let limit):
            return "plate '\(plate)' is longer than \(limit) characters"
        case .doesNotFitRegion(let plate, let region, let formats):
            return "plate '\(plate)' fits no \(region) format (\(formats.joined(separator: ", ")))"
        case .unknownRegion(let name):
            return "unknown plate region '\(name)' (expected \(PlateRegion.builtIn.keys.sorted().joined(separator: ", ")))"
        case .invalidFormat(let pattern, let reason):
            return "invalid plate format '\(pattern)': \(reason)"
        }
    }
}
