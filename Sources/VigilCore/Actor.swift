import Foundation

/// Who made a change, for the audit log: `VIGIL_ACTOR` if set, else the login user.
public enum AuditActor {
    public static func current(origin: String = "cli") -> String {
        let environment = ProcessInfo.processInfo.environment
        if let actor = environment["VIGIL_ACTOR"], !actor.isEmpty { return actor }
        let user = environment["USER"] ?? environment["LOGNAME"]
            ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid\(getuid())"
        return "\(origin):\(user)"
    }
}
