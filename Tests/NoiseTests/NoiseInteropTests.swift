import Crypto
import Encoding
import Foundation
import Noise
import TestSupport
import Testing

/// Ours against the Python `noiseprotocol` package over a real TCP socket, in both roles.
@Suite("Noise interop with noiseprotocol")
struct NoiseInteropTests {
    static let pythonStaticPublic = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Array(1...32)).publicKey.rawRepresentation

    static func python() -> String? { TestEnvironment.python(for: "noiseprotocol") }

    static func peer(_ python: String, _ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("noise_peer.py").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    @Test("ours as responder, noiseprotocol as initiator")
    func oursResponds() async throws {
        guard let python = Self.python() else { return }
        let key = Curve25519.KeyAgreement.PrivateKey()
        let (ours, summaryText) = try await TestEnvironment.offPool { () throws -> ((hash: [UInt8], remote: [UInt8]?, payloads: [String]), String) in
            let (listener, port) = try FramedSocket.listen()
            defer { listener.close() }
            let (process, output) = try Self.peer(python, ["initiator", String(port)])
            let connection = try listener.accept()
            defer { connection.close() }
            var handshake = try HandshakeState(role: .responder, staticKey: key)
            var payloads = [String(decoding: try handshake.readMessage(try connection.receive()), as: UTF8.self)]
            try connection.send(try handshake.writeMessage(payload: Array("resp-hello".utf8)))
            payloads.append(String(decoding: try handshake.readMessage(try connection.receive()), as: UTF8.self))
            var transport = try handshake.transport()
            for _ in 0..<5 {
                let ping = String(decoding: try transport.decrypt(try connection.receive()), as: UTF8.self)
                try connection.send(try transport.encrypt(Array(ping.replacingOccurrences(of: "ping", with: "pong").utf8)))
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return ((transport.handshakeHash, transport.remoteStaticKey, payloads), text)
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(summaryText.utf8)) as? [String: Any])
        #expect(ours.payloads == ["init-hello", "init-done"])
        #expect(summary["handshake_payload"] as? String == "resp-hello")
        #expect(summary["replies"] as? [String] == (0..<5).map { "pong \($0)" })
        #expect(summary["handshake_hash"] as? String == Hex.encode(ours.hash))
        #expect(summary["remote_static"] as? String == Hex.encode(key.publicKey.rawRepresentation))
        #expect(ours.remote.map { Data($0) } == Self.pythonStaticPublic)
    }

    @Test("ours as initiator, noiseprotocol as responder")
    func oursInitiates() async throws {
        guard let python = Self.python() else { return }
        let key = Curve25519.KeyAgreement.PrivateKey()
        let (ours, summaryText) = try await TestEnvironment.offPool {
            () throws -> ((hash: [UInt8], remote: [UInt8]?, payload: String, pongs: [String]), String) in
            let (process, output) = try Self.peer(python, ["responder"])
            var portLine = ""
            while !portLine.hasSuffix("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                portLine += String(decoding: chunk, as: UTF8.self)
            }
            let connection = try FramedSocket.connect(port: Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0)
            defer { connection.close() }
            var handshake = try HandshakeState(role: .initiator, staticKey: key)
            try connection.send(try handshake.writeMessage(payload: Array("init-hello".utf8)))
            let payload = String(decoding: try handshake.readMessage(try connection.receive()), as: UTF8.self)
            try connection.send(try handshake.writeMessage(payload: Array("init-done".utf8)))
            var transport = try handshake.transport()
            var pongs: [String] = []
            for index in 0..<5 {
                try connection.send(try transport.encrypt(Array("ping \(index)".utf8)))
                pongs.append(String(decoding: try transport.decrypt(try connection.receive()), as: UTF8.self))
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return ((transport.handshakeHash, transport.remoteStaticKey, payload, pongs), text)
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(summaryText.utf8)) as? [String: Any])
        #expect(ours.payload == "resp-hello")
        #expect(ours.pongs == (0..<5).map { "pong \($0)" })
        #expect(summary["handshake_payloads"] as? [String] == ["init-hello", "init-done"])
        #expect(summary["received"] as? [String] == (0..<5).map { "ping \($0)" })
        #expect(summary["handshake_hash"] as? String == Hex.encode(ours.hash))
        #expect(ours.remote.map { Data($0) } == Self.pythonStaticPublic)
    }
}
