import Crypto

extension SSHSignature {
    /// The bytes the signer signed (PROTOCOL.sshsig): `"SSHSIG" ‖ string(namespace) ‖
    /// string(reserved = "") ‖ string(hash_algorithm) ‖ string(H(message))`.
    func signedData(for message: [UInt8]) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeBytes(Self.magic)
        writer.writeString(self.namespace)
        writer.writeString([UInt8]())
        writer.writeString(self.hashAlgorithm.rawValue)
        switch self.hashAlgorithm {
        case .sha256: writer.writeString(Array(SHA256.hash(data: message)))
        case .sha512: writer.writeString(Array(SHA512.hash(data: message)))
        }
        return writer.bytes
    }

    /// True when the signature verifies over `message` with the embedded key. False for a key
    /// type this module does not verify with, or a signature type that does not match the key.
    func isValid(over message: [UInt8]) -> Bool {
        let data = self.signedData(for: message)
        switch self.publicKey.verifier {
        case .ed25519(let key):
            guard self.signatureType == SSHPublicKey.Algorithm.ed25519.rawValue, self.signatureBytes.count == 64 else { return false }
            return key.isValidSignature(self.signatureBytes, for: data)
        case .ecdsaP256(let key):
            guard self.signatureType == SSHPublicKey.Algorithm.ecdsaP256.rawValue,
                let raw = Self.rawP256Signature(fromSSH: self.signatureBytes),
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
            else { return false }
            return key.isValidSignature(signature, for: data)
        case nil:
            return false
        }
    }

    /// Converts SSH's ECDSA signature (`mpint r ‖ mpint s`, RFC 5656 §3.1.2) to the 64 raw bytes
    /// `r ‖ s` CryptoKit takes: each mpint loses its sign byte (a leading zero when the top bit
    /// is set) and is left-padded with zeros to 32 bytes when shorter. Nil when either is
    /// negative, longer than 32 bytes, or followed by trailing bytes.
    static func rawP256Signature(fromSSH bytes: [UInt8]) -> [UInt8]? {
        var reader = SSHWireReader(bytes)
        guard let r = reader.readUnsignedMPInt(), let s = reader.readUnsignedMPInt(), reader.isAtEnd, r.count <= 32,
            s.count <= 32
        else { return nil }
        return [UInt8](repeating: 0, count: 32 - r.count) + r + [UInt8](repeating: 0, count: 32 - s.count) + s
    }
}
