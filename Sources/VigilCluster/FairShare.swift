/// How many of `total` leasables each live node should hold: as even as the nodes' capacities allow.
///
/// Every node computes the same answer from the same rows, so no coordinator is needed: capacities
/// are filled from the smallest up (a node that can hold 2 of an even share of 4 holds 2, and the
/// rest is shared by the others), and the remainder of an uneven split goes to the nodes first in
/// name order. Leasables beyond the sum of capacities stay unheld, and the shortfall is reported.
public enum FairShare {
    public struct Node: Sendable, Equatable {
        public var name: String
        public var capacity: Int
        public init(name: String, capacity: Int) {
            self.name = name
            self.capacity = capacity
        }
    }

    /// Each node's target, by name. Nodes with capacity 0 get 0.
    public static func targets(total: Int, nodes: [Node]) -> [String: Int] {
        var result: [String: Int] = [:]
        var open = nodes.sorted { $0.name < $1.name }
        var remaining = max(0, total)
        // Water-filling: settle every node whose capacity is below the even share, then share again.
        while !open.isEmpty {
            let share = remaining / open.count
            let extra = remaining % open.count
            let full = open.enumerated().filter { index, node in node.capacity < share + (index < extra ? 1 : 0) }
            if full.isEmpty {
                for (index, node) in open.enumerated() { result[node.name] = share + (index < extra ? 1 : 0) }
                return result
            }
            for (_, node) in full {
                result[node.name] = node.capacity
                remaining -= node.capacity
            }
            let settled = Set(full.map { $0.element.name })
            open.removeAll { settled.contains($0.name) }
        }
        return result
    }
}
