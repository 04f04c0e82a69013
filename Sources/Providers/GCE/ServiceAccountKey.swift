import Foundation

/// A Google service-account JSON key file.
public struct ServiceAccountKey: Codable, Hashable, Sendable, CustomStringConvertible {
    /// "service_account".
    public var type: String
    /// The project the account belongs to.
    public var projectID: String?
    /// The key's id (the JWT `kid`).
    public var privateKeyID: String
    /// The RSA private key, PEM (PKCS#8). A secret: never printed.
    public var privateKey: String
    /// The account's email (the JWT `iss`).
    public var clientEmail: String
    /// Where to exchange the JWT for an access token.
    public var tokenURI: String

    enum CodingKeys: String, CodingKey {
        case type
        case projectID = "project_id"
        case privateKeyID = "private_key_id"
        case privateKey = "private_key"
        case clientEmail = "client_email"
        case tokenURI = "token_uri"
    }

    /// Creates a key value.
    public init(type: String = "service_account", projectID: String?, privateKeyID: String, privateKey: String, clientEmail: String, tokenURI: String)
    {
        self.type = type
        self.projectID = projectID
        self.privateKeyID = privateKeyID
        self.privateKey = privateKey
        self.clientEmail = clientEmail
        self.tokenURI = tokenURI
    }

    /// Reads a key file's JSON.
    public static func decode(_ data: Data) throws -> ServiceAccountKey {
        let key = try JSONDecoder().decode(ServiceAccountKey.self, from: data)
        guard key.type == "service_account" else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.type], debugDescription: "type is \(key.type), not service_account"))
        }
        return key
    }

    /// The account and key id, never the key.
    public var description: String { "ServiceAccountKey(\(self.clientEmail), kid \(self.privateKeyID))" }
}
