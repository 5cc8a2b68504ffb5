import Crypto
import Foundation

/// `Vigil-Signature: v1=<hex HMAC-SHA256 of "id.timestamp.body">`.
///
/// The id and timestamp are inside the signed text so a receiver can refuse a
/// replayed delivery (an old timestamp) and an id grafted onto another body.
/// The `v1=` prefix leaves room for a second scheme during a key or algorithm rotation.
public enum HookSignature {
    public static func sign(id: String, timestamp: Int, body: String, secret: String) -> String {
        let message = Data("\(id).\(timestamp).\(body)".utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time check of a received header (which may carry several comma-separated signatures).
    public static func verify(header: String, id: String, timestamp: Int, body: String, secret: String) -> Bool {
        let message = Data("\(id).\(timestamp).\(body)".utf8)
        let key = SymmetricKey(data: Data(secret.utf8))
        for part in header.split(separator: ",") {
            let value = part.trimmingCharacters(in: .whitespaces)
            guard value.hasPrefix("v1="), let code = Data(hex: String(value.dropFirst(3))) else { continue }
            if HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key) { return true }
        }
        return false
    }
}

/// Standard Webhooks (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
///
/// The same HMAC over the same text as `Vigil-Signature`, in the form receivers' libraries already
/// verify. Its key is the bytes of the secret: the base64 after `whsec_` for a Standard Webhooks
/// secret, else the secret's UTF-8 (whose Standard Webhooks form is `whsec_` + base64 of it:
/// `echo "whsec_$(printf %s "$SECRET" | base64 -w0)"`; Vigil never prints a secret).
public enum StandardWebhookSignature {
    public static func sign(id: String, timestamp: Int, body: String, secret: String) -> String {
        let message = Data("\(id).\(timestamp).\(body)".utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key(secret)))
        return "v1," + Data(code).base64EncodedString()
    }

    /// The HMAC key a secret stands for.
    public static func key(_ secret: String) -> Data {
        if secret.hasPrefix(prefix), let bytes = Data(base64Encoded: String(secret.dropFirst(prefix.count))) { return bytes }
        return Data(secret.utf8)
    }

    /// The secret as a Standard Webhooks library takes it (`whsec_` + base64 of the key).
    public static func receiverSecret(_ secret: String) -> String {
        secret.hasPrefix(prefix) ? secret : prefix + Data(secret.utf8).base64EncodedString()
    }

    public static let prefix = "whsec_"
}

extension Data {
    init?(hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
