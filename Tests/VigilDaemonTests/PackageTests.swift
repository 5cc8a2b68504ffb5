import Foundation
import VigilTestSupport
import Testing

/// The Debian package as an administrator meets it: built by scripts/package.sh (from the tests'
/// debug build, uncompressed), installed with `apt-get install ./vigil_*.deb` on this machine (its
/// dependencies are present after set-up, so nothing is downloaded), and
/// started as the unit says: its ExecStart as the `vigil` user, without new privileges or
/// capabilities, with the file system read-only but for /var/lib/vigil and a private /tmp (what
/// ProtectSystem=strict, ReadWritePaths, PrivateTmp and NoNewPrivileges make of it; the machines this
/// runs on have no systemd as PID 1). It must tell systemd it is ready (sd_notify) and then serve
/// /readyz. It needs root, as CI's machine gives; it refuses to touch a machine where Vigil is
/// already installed.
@Suite(.serialized) struct PackageTests {
    static let usable = Fixtures.isCI || (geteuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/dpkg-deb"))

    @Test(.enabled(if: usable)) func theDebInstallsAndItsServiceServesReadyz() throws {
        #expect(geteuid() == 0, "installing a package needs root")
        let installed = try Run.program("/usr/bin/dpkg-query", ["-W", "-f", "${Status}", "vigil"])
        try #require(!installed.stdout.contains("install ok installed"), "vigil is installed on this machine already; not touching it")

        let built = try Run.program("/bin/bash", [Fixtures.packageRoot.appendingPathComponent("scripts/package.sh").path, "--debug", "--fast", "--no-build"])
        try #require(built.status == 0, "package.sh failed: \(built.stderr.suffix(3000))")
        let deb = Fixtures.packageRoot.appendingPathComponent(try #require(built.stdout.split(separator: "\n").last.map(String.init))).path

        // What it declares: runtime packages only, conffiles, and the layout.
        let depends = try Run.program("/usr/bin/dpkg-deb", ["-f", deb, "Depends"]).stdout
        #expect(depends.contains("libopencv-objdetect406") && depends.contains("libavcodec59") && depends.contains("libdlib19.1"), "Depends: \(depends)")
        #expect(!depends.contains("-dev"), "a -dev package in Depends: \(depends)")
        let contents = try Run.program("/usr/bin/dpkg-deb", ["-c", deb]).stdout
        for path in ["./usr/lib/vigil/vigil", "./usr/lib/vigil/vigil-full", "./usr/bin/vigil -> ../lib/vigil/vigil", "./usr/share/vigil/models/shape_predictor_5_face_landmarks.dat",
                     "./etc/vigil/vigil.yaml", "./lib/systemd/system/vigil.service", "./usr/share/man/man1/vigil.1.gz",
                     "./usr/share/bash-completion/completions/vigil", "./usr/share/doc/vigil/examples/systemd-node.conf",
                     "./usr/share/doc/vigil/examples/kubernetes.yaml", "./usr/lib/vigil/Vigil_VigilAPI.resources/", "./usr/lib/vigil/libswiftCore.so"] {
            #expect(contents.contains(path), "the package lacks \(path)")
        }
        let info = try Run.program("/usr/bin/dpkg-deb", ["-I", deb, "conffiles"]).stdout
        #expect(info.contains("/etc/vigil/vigil.yaml"))

        let install = try Run.program("/usr/bin/apt-get", ["install", "-y", "-q", deb], environment: ["DEBIAN_FRONTEND": "noninteractive"])
        try #require(install.status == 0, "apt-get install: \(install.stdout.suffix(2000))\(install.stderr.suffix(2000))")
        defer {
            _ = try? Run.program("/usr/bin/dpkg", ["--purge", "vigil"])
            try? FileManager.default.removeItem(atPath: "/var/lib/vigil")
        }
        let user = try Run.program("/usr/bin/id", ["-u", "vigil"])
        #expect(user.status == 0, "no vigil system user")
        let owner = try FileManager.default.attributesOfItem(atPath: "/var/lib/vigil")[.ownerAccountName] as? String
        #expect(owner == "vigil")

        // The database comes from /etc/vigil/vigil.yaml; made by root, it is still the service's.
        let listed = try Run.program("/bin/sh", ["-c", "cd / && exec /usr/bin/vigil watchlist list"], environment: ["VIGIL_DB": ""])
        #expect(listed.status == 0, "\(listed.stderr)")
        let databaseOwner = try? FileManager.default.attributesOfItem(atPath: "/var/lib/vigil/vigil.sqlite")[.ownerAccountName] as? String
        #expect(databaseOwner == "vigil", "root's `vigil watchlist list` made /var/lib/vigil/vigil.sqlite owned by \(databaseOwner ?? "nobody")")

        // Vision works outside the clone: models from /usr/share/vigil/models, database from the argument.
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let database = work.appendingPathComponent("v.sqlite").path
        let clean = ["PATH": "/usr/bin:/bin", "VIGIL_MODELS": "", "VIGIL_DB": database]
        _ = try Run.program("/usr/bin/vigil", ["watchlist", "create", "stage"], environment: clean)
        let enrol = try Run.program("/bin/sh", ["-c", "cd / && exec /usr/bin/vigil watchlist enroll stage --subject lin \(try Fixtures.shared("faces/lin_manuel_miranda/1.png"))"],
                                    environment: clean)
        #expect(enrol.status == 0, "enrol from / with the installed models: \(enrol.stderr)")
        let missing = try Run.program("/usr/bin/vigil", ["watchlist", "enroll", "stage", "--subject", "x", "--models", "/nonexistent",
                                                         try Fixtures.shared("faces/lin_manuel_miranda/1.png")], environment: clean)
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/shape_predictor_5_face_landmarks.dat: model file missing"), "\(missing.stderr)")

        // The unit's ExecStart under its settings, with a notify socket as systemd would pass.
        let unit = try String(contentsOfFile: "/lib/systemd/system/vigil.service", encoding: .utf8)
        func setting(_ key: String) -> String? {
            unit.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
        let execStart = try #require(setting("ExecStart")), execStartPre = try #require(setting("ExecStartPre"))
        #expect(setting("Type") == "notify" && setting("User") == "vigil" && setting("ProtectSystem") == "strict"
                && setting("ReadWritePaths") == "/var/lib/vigil" && setting("NoNewPrivileges") == "yes")
        let notify = try NotifySocket(path: "/run/vigil-test-notify-\(getpid()).sock")
        let script = """
            mount --bind /var/lib/vigil /var/lib/vigil && mount -o remount,bind,ro / && mount -t tmpfs tmpfs /tmp \
            && exec setpriv --reuid vigil --regid vigil --init-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
            env -i PATH=/usr/bin:/bin NOTIFY_SOCKET=\(notify.path) sh -c 'cd /var/lib/vigil && \(execStartPre) && exec \(execStart)'
            """
        let log = work.appendingPathComponent("service.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let service = Process()
        service.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        service.arguments = ["--mount", "/bin/sh", "-c", script]
        service.standardOutput = try FileHandle(forWritingTo: log)
        service.standardError = try FileHandle(forWritingTo: log)
        try service.run()
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL); service.waitUntilExit() } }
        let ready = notify.receive(timeout: 60)
        let output = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        #expect(ready?.contains("READY=1") == true, "no READY=1 from the service; its log:\n\(output().suffix(3000))")
        let readyz = try HTTP.get("http://127.0.0.1:8080/readyz")
        #expect(readyz.status == 200, "/readyz answered \(readyz.status): \(readyz.body)\n\(output().suffix(2000))")
        // The state it wrote is the vigil user's, where the unit lets it write.
        #expect(FileManager.default.fileExists(atPath: "/var/lib/vigil/vigil.sqlite"))
        kill(service.processIdentifier, SIGTERM)
        service.waitUntilExit()
        #expect(service.terminationStatus == 0, "the service did not stop cleanly:\n\(output().suffix(2000))")
        print("package: \(URL(fileURLWithPath: deb).lastPathComponent) installed; READY=1 then /readyz \(readyz.status) under the unit's settings")
    }
}

/// A datagram socket standing in for systemd's notify socket.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        unlink(path)
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw FixtureError.tool("cannot bind \(path): errno \(errno)") }
        chmod(path, 0o777)   // the service runs as the vigil user
    }

    /// The first datagram within `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}
