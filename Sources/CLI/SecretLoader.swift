import Spec

/// Reads secrets from their references, under the operator's ``SecretPolicy``, and checks them
/// as they are loaded: a secret that cannot be used is an error naming only its reference (the
/// field and `env:NAME` / `file:PATH`), never a byte of its value.
struct SecretLoader: Sendable {
    /// A secret that could not be loaded or is not usable.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest secret read (a service-account key is about 2.4 KB).
    static let maximumBytes = 64 * 1024
    /// The longest API token accepted.
    static let maximumTokenLength = 4096

    var policy: SecretPolicy
    var environment: ProcessEnvironment

    /// The bytes `reference` gives, for `field` (`providers.cloudflare.apiToken`): `fromSpec`
    /// when the fleet file chose the reference, so the policy decides whether it is read.
    func bytes(_ reference: SecretReference, field: String, fromSpec: Bool) throws(Failure) -> [UInt8] {
        let named = "\(field) (\(reference))"
        if fromSpec, let refusal = self.policy.refusal(of: reference) {
            throw Failure(description: "\(named) is not read: \(refusal)")
        }
        switch reference {
        case .environment(let name):
            guard let value = self.environment[name], !value.isEmpty else {
                throw Failure(description: "\(named) is unset or empty; export \(name)")
            }
            guard value.utf8.count <= Self.maximumBytes else {
                throw Failure(description: "\(named) is longer than \(Self.maximumBytes) bytes")
            }
            return Array(value.utf8)
        case .file(let path):
            do {
                return try BoundedFile.read(path, maximumBytes: Self.maximumBytes)
            } catch {
                throw Failure(description: "\(named): the file \(error.explanation)")
            }
        }
    }

    /// An API token: surrounding whitespace (a file's trailing newline) dropped; what is left
    /// must be one non-empty run of printable ASCII — no line break, space, control or
    /// non-ASCII character, which HTTP headers cannot carry or which mean the wrong file.
    func token(_ reference: SecretReference, field: String, fromSpec: Bool) throws(Failure) -> String {
        let bytes = try self.bytes(reference, field: field, fromSpec: fromSpec)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let trimmed = bytes.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        let named = "\(field) (\(reference))"
        guard !trimmed.isEmpty else { throw Failure(description: "\(named) is empty") }
        guard trimmed.count <= Self.maximumTokenLength else {
            throw Failure(description: "\(named) is not an API token: it is longer than \(Self.maximumTokenLength) characters")
        }
        guard trimmed.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Failure(
                description:
                    "\(named) is not an API token: it holds a line break, a space, a control or a non-ASCII character (the value is not shown); it must hold the token alone"
            )
        }
        return String(decoding: trimmed, as: UTF8.self)
    }
}
