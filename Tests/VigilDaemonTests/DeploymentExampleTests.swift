import Foundation
import Testing
import VigilTestSupport
import Yams

/// The scale-out examples an administrator copies (packaging/systemd/node.conf and
/// packaging/kubernetes/vigil.yaml): they must be what systemd, Kubernetes and Vigil accept, not
/// prose that drifted from the code.
@Suite struct DeploymentExampleTests {
    static let kubernetes = Fixtures.packageRoot.appendingPathComponent("packaging/kubernetes/vigil.yaml")

    /// The node drop-in over the packaged unit, as systemd reads them (binary paths pointed at this build).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func theSystemdDropInVerifiesWithTheUnit() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let units = Fixtures.packageRoot.appendingPathComponent("packaging/systemd")
        let pointed = { (text: String) in text.replacingOccurrences(of: "/usr/bin/vigil", with: Fixtures.vigilBinary) }
        try pointed(String(contentsOf: units.appendingPathComponent("vigil.service"), encoding: .utf8))
            .write(to: folder.appendingPathComponent("vigil.service"), atomically: true, encoding: .utf8)
        let dropIn = try String(contentsOf: units.appendingPathComponent("node.conf"), encoding: .utf8)
        #expect(dropIn.contains("ExecStart=\n") && dropIn.contains("--node %H") && dropIn.contains("EnvironmentFile=/etc/vigil/node.env"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("vigil.service.d"), withIntermediateDirectories: true)
        try pointed(dropIn).write(to: folder.appendingPathComponent("vigil.service.d/node.conf"), atomically: true, encoding: .utf8)
        let verify = try Run.program("/usr/bin/systemd-analyze", ["verify", "--man=no", folder.appendingPathComponent("vigil.service").path])
        #expect(verify.status == 0 && verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify.stdout)\(verify.stderr)")
    }

    /// The ConfigMap's vigil.yaml and cameras pass `vigil config check`, the Deployment's arguments
    /// are `vigil run` options, and every secret it needs comes from a Secret, not from the files.
    @Test func theKubernetesExampleConfigurationIsOneVigilAccepts() throws {
        let documents = try Yams.load_all(yaml: String(contentsOf: Self.kubernetes, encoding: .utf8)).compactMap { $0 as? [String: Any] }
        let kinds = documents.compactMap { $0["kind"] as? String }
        #expect(kinds.filter { $0 == "Deployment" }.count == 1 && kinds.contains("StatefulSet") && kinds.filter { $0 == "Service" }.count == 2)
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" }?["data"] as? [String: String])
        let deployment = try #require(documents.first { $0["kind"] as? String == "Deployment" })
        let pod = try #require(((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let args = try #require(container["args"] as? [String])
        let environment = (container["env"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Array(args.prefix(3)) == ["run", "--config", "/etc/vigil/vigil.yaml"])
        for variable in args.flatMap({ $0.matches(of: /\$\(([A-Z_]+)\)/).map { String($0.1) } }) {
            #expect(environment.contains(variable), "args use $(\(variable)), which env does not set")
        }
        #expect(environment.contains("PGPASSWORD") && environment.contains("VIGIL_HOOK_SECRET"))
        let vigilYAML = try #require(configMap["vigil.yaml"])
        #expect(vigilYAML.contains("database: postgres://vigil@vigil-db:5432/vigil"), "the address carries no password")
        let options = try Run.program(Fixtures.vigilBinary, ["run", "--help"]).stdout
        for option in args where option.hasPrefix("--") { #expect(options.contains(option), "vigil run has no \(option)") }

        // The files as the pods see them, checked as an administrator would before applying.
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cameras = folder.appendingPathComponent("cameras")
        try FileManager.default.createDirectory(at: cameras, withIntermediateDirectories: true)
        try vigilYAML.write(to: folder.appendingPathComponent("vigil.yaml"), atomically: true, encoding: .utf8)
        let volumes = pod["volumes"] as? [[String: Any]] ?? []
        let items = try #require((volumes.first { $0["name"] as? String == "cameras" }?["configMap"] as? [String: Any])?["items"] as? [[String: String]])
        for item in items {
            try #require(configMap[item["key"] ?? ""]).write(to: cameras.appendingPathComponent(item["path"] ?? ""), atomically: true, encoding: .utf8)
        }
        let check = try Run.program(Fixtures.vigilBinary, ["config", "check", "--config", folder.appendingPathComponent("vigil.yaml").path,
                                                           "--cameras", cameras.path, "--offline"],
                                    environment: ["VIGIL_HOOK_SECRET": String(repeating: "k", count: 32)])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("gate") && check.stdout.contains("lobby"), "\(check.stdout)")
    }
}
