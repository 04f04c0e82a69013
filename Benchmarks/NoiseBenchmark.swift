import Crypto
import Foundation
import Noise
import Spec

/// Full Noise XX handshakes per second (both sides in one process) against Python's
/// `noiseprotocol` in the same run, and against the floor of the 8 X25519 operations a handshake
/// needs (2 ephemeral key generations, ee/es/se on both sides). Prints one JSON line.
struct NoiseBenchmark {
    var python: String
    var seconds: Double = 2

    func run() throws {
        let initiatorStatic = Curve25519.KeyAgreement.PrivateKey()
        let responderStatic = Curve25519.KeyAgreement.PrivateKey()
        let ours = try self.rate {
            var initiator = try HandshakeState(role: .initiator, staticKey: initiatorStatic)
            var responder = try HandshakeState(role: .responder, staticKey: responderStatic)
            _ = try responder.readMessage(try initiator.writeMessage())
            _ = try initiator.readMessage(try responder.writeMessage())
            _ = try responder.readMessage(try initiator.writeMessage())
            _ = try initiator.transport()
            _ = try responder.transport()
        }
        let peerPublic = Curve25519.KeyAgreement.PrivateKey().publicKey
        let floor = try self.rate {
            let first = Curve25519.KeyAgreement.PrivateKey()
            let second = Curve25519.KeyAgreement.PrivateKey()
            for key in [first, second, initiatorStatic, responderStatic, first, second] {
                _ = try key.sharedSecretFromKeyAgreement(with: peerPublic)
            }
        }
        let peer = try self.noiseprotocol()
        let line = StructuredValue.object([
            ("benchmark", .string("noise.xx_handshake")),
            ("ours_per_s", .string(SpecBenchmark.format(ours))),
            ("floor_8_x25519_per_s", .string(SpecBenchmark.format(floor))),
            ("peer", .string("noiseprotocol \(peer.version) (Python, cryptography backend), both sides")),
            ("peer_per_s", .string(SpecBenchmark.format(peer.rate))),
            ("ratio_to_peer", .string(SpecBenchmark.format(ours / peer.rate, digits: 2))),
            ("ratio_time_to_floor", .string(SpecBenchmark.format(floor / ours, digits: 2))),
            ("goal", .string(">= 3x noiseprotocol, <= 1.3x the floor's time")),
        ])
        print(line.json())
    }

    private func rate(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<50 { try body() }
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        while (clock.now - start).milliseconds < self.seconds * 1000 {
            for _ in 0..<100 { try body() }
            count += 100
        }
        return Double(count) / ((clock.now - start).milliseconds / 1000)
    }

    private func noiseprotocol() throws -> (rate: Double, version: String) {
        let script = """
            import json, sys, time
            from importlib.metadata import version
            from noise.connection import NoiseConnection, Keypair
            seconds = float(sys.argv[1])
            def handshake():
                a = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
                b = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
                a.set_keypair_from_private_bytes(Keypair.STATIC, bytes(range(1, 33)))
                b.set_keypair_from_private_bytes(Keypair.STATIC, bytes(range(2, 34)))
                a.set_as_initiator(); b.set_as_responder(); a.start_handshake(); b.start_handshake()
                b.read_message(a.write_message()); a.read_message(b.write_message()); b.read_message(a.write_message())
            for _ in range(20): handshake()
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                for _ in range(20): handshake()
                count += 20
            print(json.dumps({"rate": count / (time.perf_counter() - start), "version": version("noiseprotocol")}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.python)
        process.arguments = ["-c", script, String(self.seconds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rate = result["rate"] as? Double, let version = result["version"] as? String
        else { throw BenchmarkError(message: "the noiseprotocol peer failed; run `make prereqs` to create .build/venv") }
        return (rate, version)
    }
}
