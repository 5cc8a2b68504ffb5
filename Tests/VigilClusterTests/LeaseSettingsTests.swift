import Testing
import VigilCluster

@Suite struct LeaseSettingsTests {
    @Test func leasesShorterThanTwoRenewalsAreRefusedBeforeConnecting() async {
        // Port 1: nothing listens there, so reaching the check after connecting would fail differently.
        await #expect {
            try await ClusterNode.join(DatabaseLocation(host: "127.0.0.1", port: 1, user: "vigil", database: "vigil"),
                                       name: "node-a", cameraCapacity: nil,
                                       settings: LeaseSettings(ttl: .seconds(5), renewEvery: .seconds(3)),
                                       logger: .init(label: "test"), onChange: { _ in })
        } throws: { error in
            "\(error)".contains("must be at least twice the renewal interval")
        }
    }

    @Test func badNodeNamesAreRefusedBeforeConnecting() async {
        for name in ["", "node a", String(repeating: "n", count: 64), "nöde"] {
            await #expect {
                try await Membership.join(DatabaseLocation(host: "127.0.0.1", port: 1, user: "vigil", database: "vigil"),
                                          name: name, cameraCapacity: nil, logger: .init(label: "test"))
            } throws: { error in
                "\(error)".hasPrefix("node name \"\(name)\":")
            }
        }
    }
}
