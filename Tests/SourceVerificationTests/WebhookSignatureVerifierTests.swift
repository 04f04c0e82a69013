import Crypto
import Encoding
import SourceVerification
import Testing

@Suite("GitHub webhook signatures")
struct WebhookSignatureVerifierTests {
    /// GitHub's published example ("Validating webhook deliveries").
    static let secret = "It's a Secret to Everybody"
    static let body = Array("Hello, World!".utf8)
    static let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    let verifier = WebhookSignatureVerifier(secret: Self.secret)

    @Test("GitHub's published vector is valid")
    func publishedVector() {
        #expect(self.verifier.verify(body: Self.body, signature256: Self.signature, legacySignature: nil) == .valid)
    }

    @Test("the vector is what HMAC-SHA256 computes")
    func vectorIsHMAC() {
        let mac = HMAC<SHA256>.authenticationCode(for: Self.body, using: SymmetricKey(data: Array(Self.secret.utf8)))
        #expect("sha256=" + Hex.encode(mac) == Self.signature)
    }

    @Test("a wrong secret is a mismatch")
    func wrongSecret() {
        let other = WebhookSignatureVerifier(secret: "It's a secret to everybody")
        #expect(other.verify(body: Self.body, signature256: Self.signature, legacySignature: nil) == .mismatch)
    }

    @Test("a tampered body is a mismatch", arguments: ["Hello, World", "Hello, World!!", "hello, World!", ""])
    func tamperedBody(body: String) {
        #expect(self.verifier.verify(body: Array(body.utf8), signature256: Self.signature, legacySignature: nil) == .mismatch)
    }

    @Test("uppercase hex digits are accepted")
    func uppercaseHex() {
        let upper = "sha256=" + Self.signature.dropFirst("sha256=".count).uppercased()
        #expect(self.verifier.verify(body: Self.body, signature256: upper, legacySignature: nil) == .valid)
    }

    @Test("only the SHA-1 header is refused")
    func onlySHA1() {
        let sha1 = "sha1=" + String(repeating: "0", count: 40)
        #expect(self.verifier.verify(body: Self.body, signature256: nil, legacySignature: sha1) == .onlySHA1)
    }

    @Test("no signature header is missing")
    func missing() {
        #expect(self.verifier.verify(body: Self.body, signature256: nil, legacySignature: nil) == .missing)
    }

    @Test(
        "garbage is malformed",
        arguments: [
            "", "sha256=", "sha256", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17 ",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1g",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1700",
        ]
    )
    func garbage(header: String) {
        let verdict = self.verifier.verify(body: Self.body, signature256: header, legacySignature: nil)
        guard case .malformed = verdict else {
            Issue.record("\(header.debugDescription) gave \(verdict)")
            return
        }
    }

    @Test("a valid SHA-256 header wins over a SHA-1 one beside it")
    func bothHeaders() {
        let sha1 = "sha1=" + String(repeating: "0", count: 40)
        #expect(self.verifier.verify(body: Self.body, signature256: Self.signature, legacySignature: sha1) == .valid)
    }

    @Test("header names are case-insensitive; a repeated signature header is malformed")
    func headerFields() {
        let lower = [(name: "x-hub-signature-256", value: Self.signature), (name: "X-GitHub-Event", value: "push")]
        #expect(self.verifier.verify(body: Self.body, headers: lower) == .valid)
        let sha1Only = [(name: "X-Hub-Signature", value: "sha1=00")]
        #expect(self.verifier.verify(body: Self.body, headers: sha1Only) == .onlySHA1)
        #expect(self.verifier.verify(body: Self.body, headers: [(name: "X-GitHub-Event", value: "push")]) == .missing)
        let twice = [(name: "X-Hub-Signature-256", value: Self.signature), (name: "x-hub-signature-256", value: Self.signature)]
        guard case .malformed = self.verifier.verify(body: Self.body, headers: twice) else {
            Issue.record("a repeated header was not refused")
            return
        }
    }
}
