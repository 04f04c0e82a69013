import FleetSource
import Foundation
import Reconciler
import Testing

/// Commit signatures as git writes them (SSH, via `ssh-keygen -Y sign`), checked with
/// `ssh-keygen -Y verify` as the oracle.
@Suite struct SignatureTests {
    @Test func aSignedCommitsPayloadVerifiesAndAnUnsignedOneHasNone() async throws {
        let fixture = try GitFixture()
        let key = fixture.root + "/signing_key"
        try Command.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f", key], home: fixture.root)
        let unsigned = try fixture.commit("unsigned", files: ["fleet.yaml": "1\n"])
        let signed = try fixture.commit(
            "signed",
            files: ["fleet.yaml": "2\n"],
            gitOptions: ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)"],
            commitOptions: ["-S"]
        )
        let head = try fixture.push()
        let source = try fixture.source()
        _ = try await source.fetch()

        let records = try await source.commits(from: nil, to: head)
        #expect(records.count == 2)
        #expect(records[0].revision == unsigned)
        #expect(records[0].signature == nil && records[0].signedPayload.isEmpty)
        let record = try #require(records.last)
        #expect(record.revision == signed && signed == head)
        let signature = try #require(record.signature)
        #expect(signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        #expect(!String(decoding: record.signedPayload, as: UTF8.self).contains("gpgsig"))
        try Self.verify(record, publicKey: String(contentsOfFile: key + ".pub", encoding: .utf8), in: fixture.root)
    }

    /// Runs `ssh-keygen -Y verify` on the record's payload and signature; throws unless it verifies.
    private static func verify(_ record: CommitRecord, publicKey: String, in directory: String) throws {
        let payload = directory + "/payload"
        let signature = directory + "/payload.sig"
        let allowed = directory + "/allowed_signers"
        try Data(record.signedPayload).write(to: URL(fileURLWithPath: payload))
        try Data((record.signature ?? "").utf8).write(to: URL(fileURLWithPath: signature))
        try Data("signer@example.com \(publicKey)".utf8).write(to: URL(fileURLWithPath: allowed))
        let output = try Command.run(
            ["ssh-keygen", "-Y", "verify", "-n", "git", "-f", allowed, "-I", "signer@example.com", "-s", signature],
            home: directory,
            stdin: payload
        )
        #expect(output.contains("Good \"git\" signature"))
    }
}
