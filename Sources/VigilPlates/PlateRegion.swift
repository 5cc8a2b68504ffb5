/// The plate formats of a region. A strict region (Brazil) knows every format
/// in use: a read is repaired to fit one, and a watchlist entry that fits none
/// is refused. A loose region (Europe, US states) lists its common formats,
/// repairs a read towards one only when two swaps or fewer suffice, and
/// otherwise accepts any read of a length it issues.
public struct PlateRegion: Sendable, Equatable {
    public let name: String
    public let formats: [PlateFormat]
    public let lengths: ClosedRange<Int>
    public let strict: Bool

    public init(name: String, formats: [String], lengths: ClosedRange<Int>? = nil, strict: Bool) throws {
        self.name = name
        self.formats = try formats.map(PlateFormat.init)
        let counts = self.formats.map(\.slots.count)
        self.lengths = lengths ?? ((counts.min() ?? 1)...(counts.max() ?? PlateText.maxLength))
        self.strict = strict
    }

    /// Swaps a loose region allows to reach one of its formats.
    public var maxLooseRepairs: Int { 2 }

    public static let any = try! PlateRegion(name: "any", formats: [], lengths: 2...10, strict: false)
    /// US states issue 5-7 characters in state-specific layouts, vanity plates in any: no format is assumed.
    public static let us = try! PlateRegion(name: "us", formats: [], lengths: 5...7, strict: false)
    /// Common EU layouts once separators are dropped: FR/IT/SK `@@###@@`, CZ `#@#####`,
    /// UK `@@##@@@`, ES `####@@@`, and `@@@####`; other countries' plates are read as they come.
    public static let eu = try! PlateRegion(name: "eu", formats: ["@@###@@", "#@#####", "@@##@@@", "####@@@", "@@@####"],
                                            lengths: 5...8, strict: false)
    /// Brazil: the older `@@@####` and the Mercosul `@@@#@##`.
    public static let br = try! PlateRegion(name: "br", formats: ["@@@####", "@@@#@##"], strict: true)

    public static let builtIn: [String: PlateRegion] = ["any": .any, "us": .us, "eu": .eu, "br": .br]

    public static func named(_ name: String) throws -> PlateRegion {
        guard let region = builtIn[name.lowercased()] else { throw PlateError.unknownRegion(name) }
        return region
    }
}
