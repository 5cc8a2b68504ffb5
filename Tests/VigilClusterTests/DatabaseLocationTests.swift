import Testing
import VigilCluster

@Suite struct DatabaseLocationTests {
    @Test func parsesAFullAddressAndNeverShowsThePassword() throws {
        let location = try DatabaseLocation(parsing: "postgres://vigil:s3cret%40x@db.example:6432/control")
        #expect(location.host == "db.example")
        #expect(location.port == 6432)
        #expect(location.user == "vigil")
        #expect(location.password == "s3cret@x")
        #expect(location.database == "control")
        #expect(location.description == "postgres://vigil:***@db.example:6432/control")
        #expect(!location.description.contains("s3cret"))
    }

    @Test func defaultsThePortAndAcceptsIPv6() throws {
        let location = try DatabaseLocation(parsing: "postgresql://vigil@[::1]/vigil", environment: [:])
        #expect(location.host == "::1")
        #expect(location.port == 5432)
        #expect(location.description == "postgres://vigil@[::1]:5432/vigil")
    }

    /// A password kept out of vigil.yaml (a systemd EnvironmentFile, a Kubernetes Secret).
    @Test func takesThePasswordFromPGPASSWORDWhenTheAddressHasNone() throws {
        let location = try DatabaseLocation(parsing: "postgres://vigil@db.example/vigil", environment: ["PGPASSWORD": "fromsecret"])
        #expect(location.password == "fromsecret")
        #expect(location.description == "postgres://vigil:***@db.example:5432/vigil")
        let written = try DatabaseLocation(parsing: "postgres://vigil:inline@db.example/vigil", environment: ["PGPASSWORD": "fromsecret"])
        #expect(written.password == "inline")
        #expect(try DatabaseLocation(parsing: "postgres://vigil@db.example/vigil", environment: ["PGPASSWORD": ""]).password == nil)
    }

    @Test(arguments: [
        ("vigil.sqlite", "expected postgres://"),
        ("postgres://db.example/vigil", "no user"),
        ("postgres://vigil@db.example", "no database name"),
        ("postgres://vigil:pw@db.example:70000/vigil", "port"),
        ("postgres://vigil@db.example/vigil?sslmode=require", "options after '?'"),
        ("postgres://vigil@db.example/vigil?password=s3cret", "options after '?'"),
    ])
    func refusesBadAddressesSayingWhy(address: String, reason: String) {
        #expect {
            try DatabaseLocation(parsing: address)
        } throws: { error in
            let text = "\(error)"
            return text.contains(reason) && !text.contains(":pw@") && !text.contains("s3cret")
        }
    }
}
