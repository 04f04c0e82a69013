import SourceVerification
import Testing

/// Verdicts without the tools, on a signature `ssh-keygen -Y sign -n git` made over "hello\n".
@Suite("SSH signature verdicts")
struct SSHSignatureVerifierTests {
    static let publicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDqRDUEoT84VL7d3h6TnwI8VYzZrXc4QgjnnqYlG7vma"
    static let message = Array("hello\n".utf8)
    static let body = [
        "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgOpENQShPzhUvt3eHpOfAjxVjNm",
        "tdzhCCOeepiUbu+ZoAAAADZ2l0AAAAAAAAAAZzaGE1MTIAAABTAAAAC3NzaC1lZDI1NTE5",
        "AAAAQAnmwLOgcIzYh1SgAwzrTNeQy17PM1/ZzWSO3K+uRVWyKD7g4nkASDHV/uAvqc4aCp",
        "rJ59ZjShIAwITdOWAUugc=",
    ]
    static func armored(_ lines: [String], newline: String = "\n") -> String {
        (["-----BEGIN SSH SIGNATURE-----"] + lines + ["-----END SSH SIGNATURE-----"]).joined(separator: newline) + newline
    }

    let verifier: SSHSignatureVerifier

    init() throws {
        self.verifier = SSHSignatureVerifier(allowedSigners: try AllowedSigners(parsing: "k@example.com \(Self.publicKey)\n"))
    }

    @Test("the signature is good, with LF or CRLF armor")
    func good() throws {
        let key = try #require(try AllowedSigners(parsing: "k \(Self.publicKey)").entries.first?.key)
        for newline in ["\n", "\r\n"] {
            let verdict = self.verifier.verify(message: Self.message, armoredSignature: Self.armored(Self.body, newline: newline), at: 0)
            #expect(verdict == .good(principals: "k@example.com", fingerprint: key.fingerprint))
        }
    }

    @Test("another namespace is refused when the verifier expects it")
    func configuredNamespace() {
        var verifier = self.verifier
        verifier.namespace = "file"
        #expect(verifier.verify(message: Self.message, armoredSignature: Self.armored(Self.body), at: 0) == .wrongNamespace(found: "git"))
    }

    @Test("no signature, or an empty one, is unsigned")
    func unsigned() {
        #expect(self.verifier.verify(message: Self.message, armoredSignature: nil, at: 0) == .unsigned)
        #expect(self.verifier.verify(message: Self.message, armoredSignature: "", at: 0) == .unsigned)
    }

    @Test("a changed message is a bad signature")
    func changedMessage() {
        #expect(self.verifier.verify(message: Array("hello".utf8), armoredSignature: Self.armored(Self.body), at: 0) == .badSignature)
    }

    @Test("OpenPGP and X.509 signatures are unsupported, not malformed")
    func foreignArmor() {
        let pgp = "-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n"
        #expect(self.verifier.verify(message: Self.message, armoredSignature: pgp, at: 0) == .unsupportedKey(type: "openpgp"))
        let x509 = "-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n"
        #expect(self.verifier.verify(message: Self.message, armoredSignature: x509, at: 0) == .unsupportedKey(type: "x509"))
    }

    @Test(
        "broken armor or blobs are malformed",
        arguments: [
            "garbage",
            "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n",
            armored(["!!!!"]),
            armored(["U1NIU0lHAAAAAg=="]),  // "SSHSIG", version 2
            armored(["U1NIU0lHAAAAAQ=="]),  // "SSHSIG", version 1, then nothing
            armored(Array(body.dropLast())),  // cut short
            armored(["AAAA" + body[0]] + body.dropFirst()),  // no magic
        ]
    )
    func malformed(armored: String) {
        let verdict = self.verifier.verify(message: Self.message, armoredSignature: armored, at: 0)
        guard case .malformed = verdict else {
            Issue.record("\(armored.debugDescription) gave \(verdict)")
            return
        }
    }
}
