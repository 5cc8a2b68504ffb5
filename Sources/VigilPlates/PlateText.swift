/// Plate text as Vigil stores and compares it: upper-case A-Z and 0-9, no
/// spaces, dashes or dots ("abc-1234" and "ABC 1234" are the same plate).
public enum PlateText {
    public static let alphabet: Set<Character> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    public static let maxLength = 12
    /// Wildcards in watchlist entries: `?` one character, `*` any run.
    public static let wildcards: Set<Character> = ["?", "*"]

    /// Upper-cased with separators (spaces, dashes, dots) dropped: the form entries are stored and looked up in.
    public static func normalised(_ raw: String) -> String {
        String(raw.uppercased().filter { !" -.·\t".contains($0) })
    }

    /// `normalised`, then checked: the alphabet, and the region's formats for
    /// plain entries when the region has strict ones.
    public static func entry(_ raw: String, region: PlateRegion = .any) throws -> String {
        let text = normalised(raw)
        guard !text.isEmpty else { throw PlateError.empty }
        guard text.count <= maxLength else { throw PlateError.tooLong(plate: raw, limit: maxLength) }
        let wildcard = text.contains(where: wildcards.contains)
        let foreign = text.filter { !alphabet.contains($0) && !(wildcard && wildcards.contains($0)) }
        guard foreign.isEmpty else {
            throw PlateError.outsideAlphabet(plate: raw, characters: String(Set(foreign)).sorted().map(String.init).joined(separator: " "),
                                             region: region.name)
        }
        if !wildcard, region.strict, !region.formats.contains(where: { $0.fits(text) }) {
            throw PlateError.doesNotFitRegion(plate: raw, region: region.name, formats: region.formats.map(\.pattern))
        }
        return text
    }

    public static func isWildcard(_ entry: String) -> Bool { entry.contains(where: wildcards.contains) }
}
