/// A Noise handshake pattern: the tokens of each message, initiator first.
public struct HandshakePattern: Hashable, Sendable {
    /// One token.
    public enum Token: String, Hashable, Sendable {
        case e, s, ee, es, se, ss
    }

    /// The pattern's name (`XX`, `NN`).
    public let name: String
    /// The tokens of each message, alternating initiator → responder, responder → initiator.
    public let messages: [[Token]]

    /// `-> e` / `<- e, ee, s, es` / `-> s, se`: mutual authentication, static keys sent encrypted.
    public static let xx = HandshakePattern(name: "XX", messages: [[.e], [.e, .ee, .s, .es], [.s, .se]])
    /// `-> e` / `<- e, ee`: no static keys (for the published vectors).
    public static let nn = HandshakePattern(name: "NN", messages: [[.e], [.e, .ee]])

    /// The pattern a protocol name like `Noise_XX_25519_ChaChaPoly_SHA256` names, if supported.
    public static func named(_ protocolName: String) -> HandshakePattern? {
        switch protocolName {
        case "Noise_XX_25519_ChaChaPoly_SHA256": .xx
        case "Noise_NN_25519_ChaChaPoly_SHA256": .nn
        default: nil
        }
    }
}
