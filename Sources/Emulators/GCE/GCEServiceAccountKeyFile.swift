import Foundation

/// A service-account JSON key file as Google issues it. The emulator keeps its own copy of the
/// format rather than the client's type, so a mistake in how the client reads key files is not
/// mirrored here: hand ``json`` (or this value encoded) to the client as a real key file.
public struct GCEServiceAccountKeyFile: Codable, Hashable, Sendable, CustomStringConvertible {
    /// "service_account".
    public var type: String
    /// The project the account belongs to.
    public var projectID: String
    /// The key's id (the JWT `kid`).
    public var privateKeyID: String
    /// The RSA private key, PEM (PKCS#8). Never printed.
    public var privateKey: String
    /// The account's email (the JWT `iss`).
    public var clientEmail: String
    /// Where to exchange a signed JWT for an access token.
    public var tokenURI: String

    enum CodingKeys: String, CodingKey {
        case type
        case projectID = "project_id"
        case privateKeyID = "private_key_id"
        case privateKey = "private_key"
        case clientEmail = "client_email"
        case tokenURI = "token_uri"
    }

    init(projectID: String, privateKeyID: String, privateKey: String, clientEmail: String, tokenURI: String) {
        self.type = "service_account"
        self.projectID = projectID
        self.privateKeyID = privateKeyID
        self.privateKey = privateKey
        self.clientEmail = clientEmail
        self.tokenURI = tokenURI
    }

    /// The key file's bytes.
    public var json: Data {
        get throws { try JSONEncoder().encode(self) }
    }

    /// The account and key id, never the key.
    public var description: String { "GCEServiceAccountKeyFile(\(self.clientEmail), kid \(self.privateKeyID))" }
}
