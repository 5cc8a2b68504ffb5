import Foundation

/// Camera and hook URLs often carry credentials (`rtsp://admin:pass@cam/…`, `?token=…`).
/// Everything Vigil shows or logs passes through here first: user info becomes `***`, and so
/// does the value of every query parameter whose name suggests a secret. Parsing is by hand
/// rather than `URLComponents`, which gives up on the URLs cameras really use (an `@` or `#`
/// in a password) and would then let the original through.
public enum Redaction {
    /// Query parameter names (any part, case-insensitive) whose values are hidden.
    static let secretNames = ["pass", "pwd", "secret", "token", "key", "auth", "sig", "credential", "user", "login", "session", "code"]

    /// `url` with its credentials hidden; text that is not a URL comes back unchanged.
    public static func url(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterScheme = url[schemeEnd.upperBound...]
        // The authority ends at the first '/', '?' or '#' that follows the last '@' (passwords may hold any of them).
        let lastAt = afterScheme.lastIndex(of: "@").flatMap { at -> String.Index? in
            afterScheme[afterScheme.startIndex..<at].contains(where: { $0 == " " }) ? nil : at
        }
        var result = String(url[..<schemeEnd.upperBound])
        var rest = afterScheme
        if let at = lastAt, !afterScheme[afterScheme.index(after: at)...].isEmpty {
            let userInfo = afterScheme[..<at]
            result += userInfo.contains(":") ? "***:***@" : "***@"
            rest = afterScheme[afterScheme.index(after: at)...]
        }
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        var query = rest[rest.index(after: question)...]
        var fragment = ""
        if let hash = query.firstIndex(of: "#") {
            fragment = String(query[hash...])
            query = query[..<hash]
        }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<equals].lowercased()
            return secretNames.contains(where: { name.contains($0) }) ? "\(pair[..<equals])=***" : String(pair)
        }
        return result + pairs.joined(separator: "&") + fragment
    }

    /// `text` (an error message, a log line) with every URL in it redacted.
    public static func text(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var output = ""
        var rest = Substring(text)
        while let match = rest.firstMatch(of: urlPattern) {
            output += rest[..<match.range.lowerBound]
            output += url(String(rest[match.range]))
            rest = rest[match.range.upperBound...]
        }
        return output + rest
    }

    nonisolated(unsafe) private static let urlPattern = #/[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>()\[\]]+/#
}
