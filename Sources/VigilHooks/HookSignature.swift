import Crypto
import Foundation
import VigilConfig

/// `Vigil-Signature: v1=<hex HMAC-SHA256 of "id.timestamp.body">`.
///
/// The id and timestamp are inside the signed text so a receiver can refuse a
/// replayed delivery (an old timestamp) and an id grafted onto another body.
/// The `v1=` prefix leaves room for a second scheme during a key or algorithm rotation.
public enum HookSignature {
    public static func sign(id: String, timestamp: Int, body: String, secret: String) -> String {
        "v1=" + code(id: id, timestamp: timestamp, body: body, key: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// HMAC-SHA256 of "id.timestamp.body": what both signature headers carry, each in its encoding.
    static func code(id: String, timestamp: Int, body: String, key: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key)))
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
        let key = HookConfig.standardWebhookKey(secret) ?? Data(secret.utf8)
        return "v1," + HookSignature.code(id: id, timestamp: timestamp, body: body, key: key).base64EncodedString()
    }

    /// The secret as a Standard Webhooks library takes it (`whsec_` + base64 of the key).
    public static func receiverSecret(_ secret: String) -> String {
        HookConfig.standardWebhookKey(secret) != nil ? secret : HookConfig.standardWebhookPrefix + Data(secret.utf8).base64EncodedString()
    }
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
