/// A plate format as a pattern: `@` a letter, `#` a digit, `?` either,
/// `[ABC]` one of the listed characters, any other letter or digit itself.
/// `@@@#@##` is a Brazilian Mercosul plate, `@@@####` the older one.
public struct PlateFormat: Sendable, Equatable, CustomStringConvertible {
    public enum Slot: Sendable, Equatable {
        case letter, digit, any
        case oneOf(Set<Character>)

        func accepts(_ c: Character) -> Bool {
            switch self {
            case .letter: return c.isASCII && c.isLetter
            case .digit: return c.isASCII && c.isNumber
            case .any: return PlateText.alphabet.contains(c)
            case .oneOf(let set): return set.contains(c)
            }
        }
    }

    public let pattern: String
    public let slots: [Slot]

    public var description: String { pattern }

    public init(_ pattern: String) throws {
        var slots: [Slot] = []
        var chars = Array(pattern.uppercased())[...]
        while let c = chars.popFirst() {
            switch c {
            case "@": slots.append(.letter)
            case "#": slots.append(.digit)
            case "?": slots.append(.any)
            case "[":
                guard let close = chars.firstIndex(of: "]") else {
                    throw PlateError.invalidFormat(pattern: pattern, reason: "'[' without ']'")
                }
                let set = Set(chars[chars.startIndex..<close])
                guard !set.isEmpty, set.allSatisfy(PlateText.alphabet.contains) else {
                    throw PlateError.invalidFormat(pattern: pattern, reason: "a class must list letters or digits")
                }
                slots.append(.oneOf(set))
                chars = chars[chars.index(after: close)...]
            default:
                guard PlateText.alphabet.contains(c) else {
                    throw PlateError.invalidFormat(pattern: pattern, reason: "'\(c)' is not @, #, ?, [..], a letter or a digit")
                }
                slots.append(.oneOf([c]))
            }
        }
        guard (1...PlateText.maxLength).contains(slots.count) else {
            throw PlateError.invalidFormat(pattern: pattern, reason: "must describe 1-\(PlateText.maxLength) characters")
        }
        self.pattern = pattern
        self.slots = slots
    }

    public func fits(_ text: String) -> Bool {
        text.count == slots.count && zip(slots, text).allSatisfy { $0.accepts($1) }
    }

    /// The read made to fit this format by swapping characters OCR confuses
    /// (O/0, I/1, B/8...), with the number of swaps; nil when it cannot fit.
    public func repair(_ text: String, confusions: ConfusionMap) -> (text: String, repairs: Int)? {
        guard text.count == slots.count else { return nil }
        var repaired: [Character] = []
        var repairs = 0
        for (slot, c) in zip(slots, text) {
            if slot.accepts(c) {
                repaired.append(c)
            } else if let swap = confusions.alternatives(for: c).first(where: slot.accepts) {
                repaired.append(swap)
                repairs += 1
            } else {
                return nil
            }
        }
        return (String(repaired), repairs)
    }
}
