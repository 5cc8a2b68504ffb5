/// Characters OCR mistakes for one another on plates, in order of likelihood.
/// Used only to make a read fit its region's format (a letter where a digit
/// must be, or the reverse), never to change a character that already fits.
public struct ConfusionMap: Sendable, Equatable {
    private let table: [Character: [Character]]

    public init(_ table: [Character: [Character]]) {
        self.table = table
    }

    public func alternatives(for c: Character) -> [Character] { table[c] ?? [] }

    /// Pairs seen on the shared plate sets plus the usual ALPR set.
    public static let standard = ConfusionMap([
        "0": ["O", "D", "Q"], "O": ["0"], "D": ["0"], "Q": ["0"], "U": ["0"],
        "1": ["I", "L", "T"], "I": ["1"], "L": ["1"], "T": ["1", "7"], "J": ["1"],
        "2": ["Z"], "Z": ["2", "7"],
        "3": ["B"],
        "4": ["A"], "A": ["4"],
        "5": ["S"], "S": ["5"],
        "6": ["G"], "G": ["6"],
        "7": ["T", "Z"],
        "8": ["B"], "B": ["8"],
        "9": ["G"],
    ])
}
