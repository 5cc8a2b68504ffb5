/// Accuracy, precision, recall and F1 per class, macro and weighted, and the confusion
/// matrix. Shared by every classifier Vigil validates (crime severity, EEG epochs).
public struct ClassificationMetrics: Sendable, Codable, Equatable {
    public struct ClassFigures: Sendable, Codable, Equatable {
        public var label: String
        public var support: Int
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public var samples: Int
    public var accuracy: Double
    public var macroF1: Double
    public var weightedF1: Double
    public var macroPrecision: Double
    public var macroRecall: Double
    public var classes: [ClassFigures]
    /// Rows: true class; columns: predicted class, in `classes` order.
    public var confusion: [[Int]]

    /// A binary task (class 0 negative, 1 positive), predicting the positive class at p >= 0.5.
    public init(truth: [Int], probabilities: [Double], classNames: [String]) {
        self.init(truth: truth, predicted: probabilities.map { $0 >= 0.5 ? 1 : 0 }, classNames: classNames)
    }

    public init(truth: [Int], predicted: [Int], classNames: [String]) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classNames.count), count: classNames.count)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
        self.init(confusion: confusion, classNames: classNames)
    }

    public init(confusion: [[Int]], classNames: [String]) {
        let total = confusion.joined().reduce(0, +)
        classes = classNames.indices.map { c in
            let tp = Double(confusion[c][c])
            let predicted = Double(classNames.indices.map { confusion[$0][c] }.reduce(0, +))
            let actual = Double(confusion[c].reduce(0, +))
            let precision = predicted > 0 ? tp / predicted : 0, recall = actual > 0 ? tp / actual : 0
            return ClassFigures(label: classNames[c], support: Int(actual), precision: precision, recall: recall,
                                f1: precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0)
        }
        self.confusion = confusion
        samples = total
        accuracy = total > 0 ? Double(classNames.indices.map { confusion[$0][$0] }.reduce(0, +)) / Double(total) : 0
        let n = Double(classNames.count)
        macroF1 = classes.map(\.f1).reduce(0, +) / n
        macroPrecision = classes.map(\.precision).reduce(0, +) / n
        macroRecall = classes.map(\.recall).reduce(0, +) / n
        weightedF1 = total > 0 ? classes.map { $0.f1 * Double($0.support) }.reduce(0, +) / Double(total) : 0
    }
}
