import Foundation
import Reconciler
import Testing

@testable import SourceVerification

/// Our verdicts against the real tools: every case asserts that ``CommitSignatureVerifier`` and
/// `git verify-commit` (with `gpg.ssh.allowedSignersFile`, i.e. `ssh-keygen -Y find-principals`
/// then `-Y verify`) agree, except the cases named "disagreement", which pin down where we
/// deliberately differ.
@Suite("SSH commit signatures against git and ssh-keygen", .serialized)
struct SSHCommitSignatureOracleTests {
    /// Verifies as the daemon would: validity windows at a fixed "now".
    static func daemon(_ signers: URL) throws -> CommitSignatureVerifier {
        let text = try String(contentsOf: signers, encoding: .utf8)
        let verifier = SSHSignatureVerifier(allowedSigners: try AllowedSigners(parsing: text))
        return CommitSignatureVerifier(verifier: verifier, validityTime: .fixed(Int64(Date().timeIntervalSince1970)))
    }

    /// Verifies as git does: validity windows at the commit's committer date.
    static func gitLike(_ signers: URL) throws -> CommitSignatureVerifier {
        var verifier = try Self.daemon(signers)
        verifier.validityTime = .committerDate
        return verifier
    }

    /// Asserts that our verdict is `expected` and that git agrees on good versus not good.
    static func expectAgreement(
        _ workspace: SigningWorkspace,
        _ revision: Revision,
        _ signers: URL,
        _ expected: SSHSignatureVerdict,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let verdict = try Self.gitLike(signers).verify(try workspace.record(revision))
        #expect(verdict == expected, sourceLocation: sourceLocation)
        let gitSaysGood = try workspace.gitVerifies(revision, allowedSigners: signers)
        #expect(gitSaysGood == verdict.isGood, "git says \(gitSaysGood ? "good" : "not good"), we say \(verdict)", sourceLocation: sourceLocation)
    }

    @Test("good signatures from git commit -S, Ed25519 and ECDSA P-256")
    func good() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let ed25519 = try workspace.makeKey("alice", type: "ed25519")
        let p256 = try workspace.makeKey("bob", type: "ecdsa")
        let signers = try workspace.allowedSigners(
            "allowed",
            ["# the fleet's signers", "alice@example.com \(ed25519.publicKey)", "bob@example.com \(p256.publicKey) bob's key"]
        )
        let first = try workspace.commit("one", signedWith: ed25519)
        try Self.expectAgreement(workspace, first, signers, .good(principals: "alice@example.com", fingerprint: ed25519.fingerprint))
        let second = try workspace.commit("two", signedWith: p256)
        try Self.expectAgreement(workspace, second, signers, .good(principals: "bob@example.com", fingerprint: p256.fingerprint))
        let record = try workspace.record(second)
        #expect(try SSHSignature(armored: try #require(record.signature)).hashAlgorithm == .sha512)
    }

    @Test("an unsigned commit")
    func unsigned() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        try Self.expectAgreement(workspace, try workspace.commit("plain", signedWith: nil), signers, .unsigned)
    }

    @Test("a signer that allowed_signers does not list")
    func unknownSigner() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let listed = try workspace.makeKey("alice", type: "ed25519")
        let stranger = try workspace.makeKey("mallory", type: "ecdsa")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(listed.publicKey)"])
        let revision = try workspace.commit("sneaky", signedWith: stranger)
        try Self.expectAgreement(workspace, revision, signers, .unknownSigner(fingerprint: stranger.fingerprint))
    }

    @Test("a tampered commit: message, tree line or author changed under the signature", arguments: ["ed25519", "ecdsa"])
    func tampered(keyType: String) throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: keyType)
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let original = String(decoding: try workspace.commitObject(try workspace.commit("deploy v1", signedWith: key)), as: UTF8.self)
        for (from, to) in [("deploy v1", "deploy v2"), ("author Alice", "author Alicf"), ("+0000\n", "+0100\n")] {
            let altered = original.replacingOccurrences(of: from, with: to)
            #expect(altered != original)
            let revision = try workspace.writeCommitObject(Array(altered.utf8))
            try Self.expectAgreement(workspace, revision, signers, .badSignature)
        }
    }

    @Test("a signature made for another namespace (ssh-keygen -Y sign -n file)")
    func wrongNamespace() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let payload = try workspace.record(try workspace.commit("one", signedWith: key)).signedPayload
        let signature = try workspace.sign(payload, with: key, namespace: "file")
        let revision = try workspace.writeCommitObject(CommitObject.signed(payload, signature: signature))
        try Self.expectAgreement(workspace, revision, signers, .wrongNamespace(found: "file"))
    }

    @Test("sha256 and sha512 message hashes", arguments: ["sha256", "sha512"], ["ed25519", "ecdsa"])
    func hashAlgorithms(hash: String, keyType: String) throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: keyType)
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let payload = try workspace.record(try workspace.commit("one", signedWith: key)).signedPayload
        let signature = try workspace.sign(payload, with: key, hashAlgorithm: hash)
        #expect(try SSHSignature(armored: signature).hashAlgorithm.rawValue == hash)
        let revision = try workspace.writeCommitObject(CommitObject.signed(payload, signature: signature))
        try Self.expectAgreement(workspace, revision, signers, .good(principals: "alice@example.com", fingerprint: key.fingerprint))
    }

    /// r and s as the SSH signature encodes them (mpints, sign byte included).
    static func mpints(_ armored: String) throws -> (r: [UInt8], s: [UInt8]) {
        var reader = SSHWireReader(try SSHSignature(armored: armored).signatureBytes)
        let r = reader.readString()
        let s = reader.readString()
        return (try #require(r), try #require(s))
    }

    @Test("ECDSA signatures whose r or s has a sign byte or fewer than 32 bytes")
    func ecdsaEncodings() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ecdsa")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let payload = try workspace.record(try workspace.commit("one", signedWith: key)).signedPayload
        let verifier = try Self.daemon(signers).verifier
        let good = SSHSignatureVerdict.good(principals: "alice@example.com", fingerprint: key.fingerprint)
        var signByte: String?
        var short: String?
        // A 33-byte mpint (top bit set) comes every other signature; a value under 2^248 about
        // one in 128: 8 batches of 128 miss it with probability about 3 in 10,000.
        for _ in 0..<8 where short == nil {
            for signature in try workspace.signRepeatedly(payload, with: key, count: 128) {
                #expect(verifier.verify(message: payload, armoredSignature: signature, at: 0) == good)
                let (r, s) = try Self.mpints(signature)
                if r.count == 33 || s.count == 33 { signByte = signByte ?? signature }
                if r.count < 32 || s.count < 32 { short = short ?? signature }
            }
        }
        for signature in [signByte, short].compactMap({ $0 }) {
            #expect(try workspace.sshKeygenVerifies(payload, signature: signature, allowedSigners: signers, principal: "alice@example.com"))
            let revision = try workspace.writeCommitObject(CommitObject.signed(payload, signature: signature))
            try Self.expectAgreement(workspace, revision, signers, good)
        }
        #expect(signByte != nil)
        if short == nil { print("skipped: no ECDSA signature with r or s under 2^248 in 1,024 tries") }
    }

    @Test("namespaces, principals patterns and several lines for one key")
    func allowedSignersOptions() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let revision = try workspace.commit("one", signedWith: key)
        let cases: [([String], SSHSignatureVerdict)] = [
            (
                ["alice@example.com,bob@example.com namespaces=\"git\" \(key.publicKey)"],
                .good(principals: "alice@example.com,bob@example.com", fingerprint: key.fingerprint)
            ),
            (["*@example.com NAMESPACES=\"file,g?t\" \(key.publicKey)"], .good(principals: "*@example.com", fingerprint: key.fingerprint)),
            (["\"alice@example.com\" \(key.publicKey)"], .good(principals: "alice@example.com", fingerprint: key.fingerprint)),
            (
                ["alice@example.com namespaces=\"file\" \(key.publicKey)"],
                .signerNotAllowed(fingerprint: key.fingerprint, reason: "allowed_signers line 1 allows only namespaces \"file\", not \"git\"")
            ),
            (
                ["alice@example.com namespaces=\"*,!git\" \(key.publicKey)"],
                .signerNotAllowed(fingerprint: key.fingerprint, reason: "allowed_signers line 1 allows only namespaces \"*,!git\", not \"git\"")
            ),
            (
                ["alice@example.com namespaces=\"git\" \(key.publicKey)", "alice@example.com namespaces=\"file\" \(key.publicKey)"],
                .good(principals: "alice@example.com", fingerprint: key.fingerprint)
            ),
        ]
        for (index, (lines, expected)) in cases.enumerated() {
            try Self.expectAgreement(workspace, revision, try workspace.allowedSigners("allowed\(index)", lines), expected)
        }
    }

    @Test("valid-after and valid-before, at the committer date as git checks them")
    func validityWindows() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let revision = try workspace.commit("one", signedWith: key)  // committed 2023-01-01T00:00:00Z
        let good = SSHSignatureVerdict.good(principals: "alice@example.com", fingerprint: key.fingerprint)
        let cases: [(String, Bool)] = [
            ("valid-after=\"20220101Z\"", true),
            ("valid-after=\"20230101Z\"", true),  // both ends included, as OpenSSH does
            ("valid-after=\"20230101000001Z\"", false),
            ("valid-before=\"20230101Z\"", true),
            ("valid-before=\"202212312359Z\"", false),
            ("valid-after=\"20220101Z\",valid-before=\"20240101Z\"", true),
        ]
        for (index, (options, isGood)) in cases.enumerated() {
            let signers = try workspace.allowedSigners("allowed\(index)", ["alice@example.com \(options) \(key.publicKey)"])
            let verdict = try Self.gitLike(signers).verify(try workspace.record(revision))
            #expect(verdict.isGood == isGood, "\(options): \(verdict)")
            if isGood { #expect(verdict == good) }
            #expect(try workspace.gitVerifies(revision, allowedSigners: signers) == isGood, "\(options)")
        }
    }

    @Test("disagreement: the daemon checks validity at its own time, git at the signer-chosen committer date")
    func validityAtNow() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let revision = try workspace.commit("back-dated", signedWith: key)  // committed 2023-01-01
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com valid-before=\"20240101Z\" \(key.publicKey)"])
        #expect(try workspace.gitVerifies(revision, allowedSigners: signers))
        let verdict = try Self.daemon(signers).verify(try workspace.record(revision))
        guard case .signerNotAllowed(fingerprint: key.fingerprint, _) = verdict else {
            Issue.record("expected the expired key to be refused now, got \(verdict)")
            return
        }
    }

    @Test("disagreement: a key whose first line excludes git but a later line allows it")
    func shadowedLine() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let revision = try workspace.commit("one", signedWith: key)
        let signers = try workspace.allowedSigners(
            "allowed",
            ["files@example.com namespaces=\"file\" \(key.publicKey)", "alice@example.com namespaces=\"git\" \(key.publicKey)"]
        )
        // find-principals answers with line 1's principal, then verify -I files@example.com -n git
        // finds no line for that principal allowing git.
        #expect(try !workspace.gitVerifies(revision, allowedSigners: signers))
        #expect(
            try Self.gitLike(signers).verify(try workspace.record(revision)) == .good(principals: "alice@example.com", fingerprint: key.fingerprint)
        )
        // ssh-keygen itself, asked for the right principal, agrees with us.
        let record = try workspace.record(revision)
        #expect(
            try workspace.sshKeygenVerifies(
                record.signedPayload,
                signature: try #require(record.signature),
                allowedSigners: signers,
                principal: "alice@example.com"
            )
        )
    }

    @Test("disagreement: RSA keys are not supported (git accepts rsa-sha2-512)")
    func rsaUnsupported() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("carol", type: "rsa")
        let signers = try workspace.allowedSigners("allowed", ["carol@example.com \(key.publicKey)"])
        let revision = try workspace.commit("one", signedWith: key)
        #expect(try workspace.gitVerifies(revision, allowedSigners: signers))
        #expect(try Self.daemon(signers).verify(try workspace.record(revision)) == .unsupportedKey(type: "ssh-rsa"))
    }

    @Test("disagreement: a non-empty reserved field is malformed (OpenSSH ignores its content)")
    func reservedField() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let payload = try workspace.record(try workspace.commit("one", signedWith: key)).signedPayload
        let signature = try SSHSignature(armored: try workspace.sign(payload, with: key))
        var writer = SSHWireWriter()
        writer.writeBytes(Array("SSHSIG".utf8) + [0, 0, 0, 1])
        writer.writeString(signature.publicKey.blob)
        writer.writeString(signature.namespace)
        writer.writeString(Array("x".utf8))
        writer.writeString(signature.hashAlgorithm.rawValue)
        var inner = SSHWireWriter()
        inner.writeString(signature.signatureType)
        inner.writeString(signature.signatureBytes)
        writer.writeString(inner.bytes)
        let armored =
            "-----BEGIN SSH SIGNATURE-----\n"
            + Data(writer.bytes).base64EncodedString(options: .lineLength76Characters)
            .replacingOccurrences(of: "\r\n", with: "\n") + "\n-----END SSH SIGNATURE-----\n"
        let revision = try workspace.writeCommitObject(CommitObject.signed(payload, signature: armored))
        #expect(try workspace.gitVerifies(revision, allowedSigners: signers))
        guard case .malformed = try Self.daemon(signers).verify(try workspace.record(revision)) else {
            Issue.record("a non-empty reserved field was accepted")
            return
        }
    }

    @Test("a run of commits stops at the first that is not good")
    func commitRun() throws {
        guard let workspace = try SigningWorkspace.make() else { return }
        defer { workspace.remove() }
        let key = try workspace.makeKey("alice", type: "ed25519")
        let stranger = try workspace.makeKey("mallory", type: "ed25519")
        let signers = try workspace.allowedSigners("allowed", ["alice@example.com \(key.publicKey)"])
        let verifier = try Self.daemon(signers)
        let first = try workspace.record(try workspace.commit("one", signedWith: key))
        let second = try workspace.record(try workspace.commit("two", signedWith: key))
        let unsigned = try workspace.record(try workspace.commit("three", signedWith: nil))
        let foreign = try workspace.record(try workspace.commit("four", signedWith: stranger))
        #expect(verifier.verify([]) == .verified(count: 0))
        #expect(verifier.verify([first, second]) == .verified(count: 2))
        #expect(verifier.verify([first, second, unsigned, foreign]) == .failed(revision: unsigned.revision, verdict: .unsigned))
        #expect(
            verifier.verify([first, foreign, unsigned])
                == .failed(revision: foreign.revision, verdict: .unknownSigner(fingerprint: stranger.fingerprint))
        )
    }
}
