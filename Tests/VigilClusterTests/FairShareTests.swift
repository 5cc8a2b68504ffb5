import Testing
import VigilCluster

@Suite struct FairShareTests {
    private func nodes(_ capacities: [String: Int]) -> [FairShare.Node] {
        capacities.map { FairShare.Node(name: $0.key, capacity: $0.value) }
    }

    @Test func splitsEvenlyAndGivesTheRemainderInNameOrder() {
        #expect(FairShare.targets(total: 6, nodes: nodes(["a": 100, "b": 100, "c": 100])) == ["a": 2, "b": 2, "c": 2])
        #expect(FairShare.targets(total: 7, nodes: nodes(["c": 100, "a": 100, "b": 100])) == ["a": 3, "b": 2, "c": 2])
        #expect(FairShare.targets(total: 1, nodes: nodes(["a": 100, "b": 100])) == ["a": 1, "b": 0])
    }

    @Test func aSmallNodeHoldsItsCapacityAndTheOthersShareTheRest() {
        #expect(FairShare.targets(total: 9, nodes: nodes(["a": 1, "b": 10, "c": 10])) == ["a": 1, "b": 4, "c": 4])
        #expect(FairShare.targets(total: 9, nodes: nodes(["a": 0, "b": 2, "c": 10])) == ["a": 0, "b": 2, "c": 7])
    }

    @Test func moreThanAllCapacitiesLeavesTheRestUnheld() {
        let targets = FairShare.targets(total: 5, nodes: nodes(["a": 1, "b": 2]))
        #expect(targets == ["a": 1, "b": 2])
        #expect(FairShare.targets(total: 3, nodes: []) == [:])
    }

    @Test func everyLeasableIsTargetedWhenCapacityAllows() {
        for total in 0...40 {
            for count in 1...5 {
                let all = (0..<count).map { FairShare.Node(name: "n\($0)", capacity: $0 == 0 ? 3 : 1000) }
                let targets = FairShare.targets(total: total, nodes: all)
                let capacity = all.map(\.capacity).reduce(0, +)
                #expect(targets.values.reduce(0, +) == min(total, capacity))
                #expect(all.allSatisfy { targets[$0.name]! <= $0.capacity })
                let others = targets.filter { $0.key != "n0" }.values
                #expect((others.max() ?? 0) - (others.min() ?? 0) <= 1)
            }
        }
    }
}
