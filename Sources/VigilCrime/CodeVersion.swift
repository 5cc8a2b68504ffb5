import Foundation

/// What the registry records as a model's code version: Vigil's release and, when the
/// source checkout the binary was built in is still present (development, CI), its HEAD
/// commit at training time.
enum CodeVersion {
    static let release = "vigil 0.9 (crime models v1)"

    static let current: String = {
        guard let commit = commit() else { return release }
        return "\(release) git \(commit.prefix(12))"
    }()

    /// HEAD of the checkout this source file was compiled in, if it is still there.
    private static func commit() -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let git = root.appendingPathComponent(".git")
        guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return head.count == 40 ? head : nil }
        let ref = String(head.dropFirst(5))
        if let loose = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
            return loose.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let packed = (try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8)) ?? ""
        return packed.split(separator: "\n").first { $0.hasSuffix(" " + ref) }.map { String($0.prefix(40)) }
    }
}
