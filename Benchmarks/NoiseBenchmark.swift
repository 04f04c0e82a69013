import Crypto
import Foundation
import Noise
import Spec

/// Full Noise XX handshakes per second (both sides in one process) against Python's
/// `noiseprotocol` in the same run, and against the floor of the 8 X25519 operations a handshake
/// needs (2 ephemeral key generations, ee/es/se on both sides). The peer's own floor (the same 8
/// operations through `cryptography`, i.e. OpenSSL) is measured too, and with it the ceiling:
/// the ratio to the peer a handshake costing nothing but its 8 X25519 operations would reach.
/// Prints one JSON line.
struct NoiseBenchmark {
    var python: String
    /// Seconds per measured round (three rounds each of ours and the floor, interleaved).
    var seconds: Double = 1

    func run() throws {
        let initiatorStatic = Curve25519.KeyAgreement.PrivateKey()
        let responderStatic = Curve25519.KeyAgreement.PrivateKey()
        let handshake = {
            var initiator = try HandshakeState(role: .initiator, staticKey: initiatorStatic)
            var responder = try HandshakeState(role: .responder, staticKey: responderStatic)
            _ = try responder.readMessage(try initiator.writeMessage())
            _ = try initiator.readMessage(try responder.writeMessage())
            _ = try responder.readMessage(try initiator.writeMessage())
            _ = try initiator.transport()
            _ = try responder.transport()
        }
        let peerPublic = Curve25519.KeyAgreement.PrivateKey().publicKey
        let eightOperations = {
            let first = Curve25519.KeyAgreement.PrivateKey()
            let second = Curve25519.KeyAgreement.PrivateKey()
            for key in [first, second, initiatorStatic, responderStatic, first, second] {
                _ = try key.sharedSecretFromKeyAgreement(with: peerPublic)
            }
        }
        // Interleaved rounds, median of each: the two figures see the same machine weather.
        var oursRounds: [Double] = []
        var floorRounds: [Double] = []
        for _ in 0..<3 {
            oursRounds.append(try self.rate(handshake))
            floorRounds.append(try self.rate(eightOperations))
        }
        let ours = oursRounds.sorted()[1]
        let floor = floorRounds.sorted()[1]
        let peer = try self.noiseprotocol()
        let line = StructuredValue.object([
            ("benchmark", .string("noise.xx_handshake")),
            ("ours_per_s", .string(SpecBenchmark.format(ours))),
            ("floor_8_x25519_per_s", .string(SpecBenchmark.format(floor))),
            ("peer", .string("noiseprotocol \(peer.version) (Python, cryptography backend), both sides")),
            ("peer_per_s", .string(SpecBenchmark.format(peer.rate))),
            ("peer_floor_8_x25519_per_s", .string(SpecBenchmark.format(peer.floor))),
            ("ratio_to_peer", .string(SpecBenchmark.format(ours / peer.rate, digits: 2))),
            ("ratio_ceiling_at_floor", .string(SpecBenchmark.format(floor / peer.rate, digits: 2))),
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

    private func noiseprotocol() throws -> (rate: Double, floor: Double, version: String) {
        let script = """
            import json, sys, time
            from importlib.metadata import version
            from noise.connection import NoiseConnection, Keypair
            from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
            seconds = float(sys.argv[1])
            def handshake():
                a = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
                b = NoiseConnection.from_name(b"Noise_XX_25519_ChaChaPoly_SHA256")
                a.set_keypair_from_private_bytes(Keypair.STATIC, bytes(range(1, 33)))
                b.set_keypair_from_private_bytes(Keypair.STATIC, bytes(range(2, 34)))
                a.set_as_initiator(); b.set_as_responder(); a.start_handshake(); b.start_handshake()
                b.read_message(a.write_message()); a.read_message(b.write_message()); b.read_message(a.write_message())
            statics = [X25519PrivateKey.from_private_bytes(bytes(range(n, n + 32))) for n in (1, 2)]
            peer = X25519PrivateKey.generate().public_key()
            def floor():
                first = X25519PrivateKey.generate(); first.public_key().public_bytes_raw()
                second = X25519PrivateKey.generate(); second.public_key().public_bytes_raw()
                for key in (first, second, statics[0], statics[1], first, second): key.exchange(peer)
            def rate(body):
                for _ in range(20): body()
                count, start = 0, time.perf_counter()
                while time.perf_counter() - start < seconds:
                    for _ in range(20): body()
                    count += 20
                return count / (time.perf_counter() - start)
            print(json.dumps({"rate": rate(handshake), "floor": rate(floor), "version": version("noiseprotocol")}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.python)
        process.arguments = ["-c", script, String(self.seconds * 2)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rate = result["rate"] as? Double, let floor = result["floor"] as? Double, let version = result["version"] as? String
        else { throw BenchmarkError(message: "the noiseprotocol peer failed; run `make prereqs` to create .build/venv") }
        return (rate, floor, version)
    }
}
