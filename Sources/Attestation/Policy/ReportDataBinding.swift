import Crypto

/// How a TD binds its Noise static key and a per-session value into REPORTDATA.
///
/// ```
/// REPORTDATA[0..<32]  = SHA-256("devopsdefender/reportdata/v1/noise-static" ‖ static X25519 public key)
/// REPORTDATA[32..<64] = SHA-256("devopsdefender/reportdata/v1/session" ‖ session value)
/// ```
///
/// The session value is the verifier's single-use nonce (registration) or any value both sides
/// agree on. The first half proves which Noise key the TD holds; the second proves the quote was
/// made for this session, so an old quote cannot be replayed. Labels are ASCII without a NUL.
public enum ReportDataBinding {
    /// The label hashed before the static key.
    public static let staticKeyLabel = "devopsdefender/reportdata/v1/noise-static"
    /// The label hashed before the session value.
    public static let sessionLabel = "devopsdefender/reportdata/v1/session"

    /// The 64 REPORTDATA bytes binding `staticKey` (32 bytes) and `session`.
    public static func reportData(noiseStaticKey staticKey: [UInt8], session: [UInt8]) -> [UInt8] {
        var keyHash = SHA256()
        keyHash.update(data: Array(self.staticKeyLabel.utf8))
        keyHash.update(data: staticKey)
        var sessionHash = SHA256()
        sessionHash.update(data: Array(self.sessionLabel.utf8))
        sessionHash.update(data: session)
        return Array(keyHash.finalize()) + Array(sessionHash.finalize())
    }
}
