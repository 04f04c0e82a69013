import SourceVerification
import Testing

@Suite("allowed_signers parsing")
struct AllowedSignersTests {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHrdY8Up6sLI3/LIbP9JvwbphmQnP0eCROB2yagYnbUI"
    static let p256 =
        "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGva78yWiGLo6UJbK6qXoTykvrpiew5SnWqLsj5EbcknIaMAsuwVc4cUxJ6CDOB9C9OnqDthqVoSo1gBZG1zsPQ="
    static let rsa =
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDkhOtR9rjhqQpCbFl4ON/g2GJXPH5JaUwcnZg8JYMRXoqkaBXDTxpjuPju1iVUXtI/VF91vGMSWMqK77wTk85RhBAP7bNyq7RG6GhWm4BK5P84QcsqEZcffn7Sf7goYYA6XrB0xjXBzmG6IYeWIrJbBLab59MNxsXGqaiumyHG+Q=="

    @Test("a file with comments, blank lines, options, quoting and CRLF")
    func wellFormed() throws {
        let text = """
            # fleet signers

              \t# indented comment
            alice@example.com,*@ops.example.com \(Self.ed25519) alice's laptop  \r
            "bob smith@example.com" NAMESPACES="git,file",Valid-After="20240101Z",valid-before="203001011230Z" \(Self.p256)
            legacy@example.com \(Self.rsa)
            """
        let signers = try AllowedSigners(parsing: text)
        #expect(signers.entries.count == 3)
        let alice = signers.entries[0]
        #expect(alice.principals.patterns == ["alice@example.com", "*@ops.example.com"])
        #expect(alice.key.algorithm == .ed25519)
        #expect(alice.key.fingerprint == "SHA256:u9ihOFczoDTW9Hjdfp+3/NiiK8DMZ9NarmrRhn/1LG4")
        #expect(alice.namespaces == nil && alice.validAfter == nil && alice.validBefore == nil)
        #expect(alice.comment == "alice's laptop")
        #expect(alice.line == 4)
        let bob = signers.entries[1]
        #expect(bob.principals.patterns == ["bob smith@example.com"])
        #expect(bob.key.algorithm == .ecdsaP256)
        #expect(bob.namespaces?.patterns == ["git", "file"])
        #expect(bob.validAfter == 1_704_067_200)
        #expect(bob.validBefore == 1_893_501_000)
        #expect(bob.allows(namespace: "git") && !bob.allows(namespace: "ssh"))
        #expect(bob.isValid(at: 1_704_067_200) && !bob.isValid(at: 1_704_067_199) && !bob.isValid(at: 1_893_501_001))
        let legacy = signers.entries[2]
        #expect(legacy.key.typeName == "ssh-rsa" && legacy.key.algorithm == nil)
    }

    @Test("UTC times in all three forms")
    func times() throws {
        let text = """
            a valid-after="19991231235959Z",valid-before="20000229Z" \(Self.ed25519)
            b valid-after="200002291200z" \(Self.ed25519)
            """
        let signers = try AllowedSigners(parsing: text)
        #expect(signers.entries[0].validAfter == 946_684_799)
        #expect(signers.entries[0].validBefore == 951_782_400)
        #expect(signers.entries[1].validAfter == 951_825_600)
    }

    struct BadLine: Sendable, CustomStringConvertible {
        var text: String
        var code: AllowedSignersError.Code
        var line: Int
        var column: Int
        var description: String { self.text }
    }

    static let badLines: [BadLine] = [
        BadLine(text: "alice@example.com", code: .missingKey, line: 1, column: 18),
        BadLine(text: "# ok\nalice@example.com   ", code: .missingKey, line: 2, column: 21),
        BadLine(text: "alice@example.com namespaces=\"git\"", code: .missingKey, line: 1, column: 35),
        BadLine(text: "alice@example.com ssh-ed25519", code: .missingKey, line: 1, column: 30),
        BadLine(text: "alice,,bob \(ed25519)", code: .badPrincipals, line: 1, column: 1),
        BadLine(text: "\n\n  alice, \(ed25519)", code: .badPrincipals, line: 3, column: 3),
        BadLine(text: "alice ssh-ed25519 AAAA!!!!", code: .badKey, line: 1, column: 19),
        BadLine(text: "alice ssh-rsa \(ed25519.dropFirst("ssh-ed25519 ".count))", code: .badKey, line: 1, column: 15),
        BadLine(text: "alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHrdY8Up6sLI3", code: .badKey, line: 1, column: 19),
        BadLine(text: "alice namespaces=\"git\" AAAAC3NzaC1lZDI1NTE5", code: .unknownKeyType, line: 1, column: 24),
        BadLine(text: "alice cert-authority \(ed25519)", code: .certificateAuthority, line: 1, column: 7),
        BadLine(text: "alice namespaces=\"git\",CERT-AUTHORITY \(ed25519)", code: .certificateAuthority, line: 1, column: 24),
        BadLine(text: "alice no-touch-required \(ed25519)", code: .unknownOption, line: 1, column: 7),
        BadLine(text: "alice namespaces=git \(ed25519)", code: .badOption, line: 1, column: 18),
        BadLine(text: "alice namespaces \(ed25519)", code: .badOption, line: 1, column: 17),
        BadLine(text: "alice namespaces=\"git\",namespaces=\"file\" \(ed25519)", code: .badOption, line: 1, column: 24),
        BadLine(text: "alice namespaces=\"git\", \(ed25519)", code: .badOption, line: 1, column: 23),
        BadLine(text: "alice namespaces=\"git\"x \(ed25519)", code: .badOption, line: 1, column: 23),
        BadLine(text: "alice namespaces=\"\" \(ed25519)", code: .badTime, line: 1, column: 18),
        BadLine(text: "alice valid-after=\"20240101\" \(ed25519)", code: .badTime, line: 1, column: 19),
        BadLine(text: "alice valid-before=\"20240230Z\" \(ed25519)", code: .badTime, line: 1, column: 20),
        BadLine(text: "alice valid-before=\"2024-01-01Z\" \(ed25519)", code: .badTime, line: 1, column: 20),
        BadLine(
            text: "alice valid-after=\"20250101Z\",valid-before=\"20240101Z\" \(ed25519)",
            code: .badTime,
            line: 1,
            column: 7
        ),
        BadLine(text: "alice namespaces=\"git \(ed25519)", code: .unterminatedQuote, line: 1, column: 7),
        BadLine(text: "\"alice \(ed25519)", code: .unterminatedQuote, line: 1, column: 1),
    ]

    @Test("bad lines are refused with their line, column and fix", arguments: badLines)
    func badLine(_ bad: BadLine) {
        do {
            let signers = try AllowedSigners(parsing: bad.text)
            Issue.record("accepted: \(signers)")
        } catch {
            #expect(error.code == bad.code, "\(error)")
            #expect(error.line == bad.line, "\(error)")
            #expect(error.column == bad.column, "\(error)")
            #expect(error.description.hasPrefix("allowed_signers:\(bad.line):\(bad.column): "))
        }
    }
}
