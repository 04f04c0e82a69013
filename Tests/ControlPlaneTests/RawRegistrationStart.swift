import Crypto
import Foundation
import Registration

/// A registration that stops after its first message, over a raw socket: the cheapest way to make
/// the control plane quote. Blocking; run it on a thread of its own.
enum RawRegistrationStart {
    /// What one such connection saw.
    struct Outcome: Sendable {
        /// The server answered the upgrade with 101.
        var upgraded: Bool
        /// From sending the first message until the server ended the connection (nil when it
        /// was still open after the read timeout).
        var heldFor: Duration?
    }

    /// Upgrades `GET /register`, sends a valid Noise message 1 in a masked binary frame, then
    /// reads (and ignores) everything until the server ends the connection.
    static func run(port: Int, readTimeoutSeconds: Int) -> Outcome {
        guard let socket = try? RawSocket(port: port) else { return Outcome(upgraded: false, heldFor: nil) }
        try? socket.send(RawSocket.registerUpgradeRequest)
        let head = (try? socket.receive()) ?? []
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101"),
            var handshake = try? RegistrationHandshake(side: .agent, staticKey: Curve25519.KeyAgreement.PrivateKey()),
            let first = try? handshake.start(),
            (try? socket.sendBytes(Self.maskedBinaryFrame(first))) != nil
        else { return Outcome(upgraded: false, heldFor: nil) }
        let clock = ContinuousClock()
        let sent = clock.now
        let closed = (try? socket.readUntilClosed(timeoutSeconds: readTimeoutSeconds)) == true
        return Outcome(upgraded: true, heldFor: closed ? sent.duration(to: clock.now) : nil)
    }

    /// A client frame as RFC 6455 §5.2 requires: FIN, opcode 2, the mask bit and a random key.
    /// Payloads under 126 bytes only (message 1 is 32).
    static func maskedBinaryFrame(_ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count < 126)
        let key = (0..<4).map { _ in UInt8.random(in: 0...255) }
        let masked = payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return [0x82, 0x80 | UInt8(payload.count)] + key + masked
    }
}
