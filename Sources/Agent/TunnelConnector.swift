import Encoding
import Foundation
import Logging
import ProviderSupport

/// Runs the tunnel connector for the bootstrap token and says when it is ready.
public enum TunnelConnector: Sendable {
    /// `cloudflared tunnel --no-autoupdate run` (token in `TUNNEL_TOKEN`, never on the command
    /// line), ready when its metrics server's `/ready` answers 200.
    case cloudflared(path: String, metricsPort: Int)
    /// The local fleet's stand-in: reports a connection for the tunnel to the Cloudflare
    /// emulator's admin API, as a connected cloudflared would appear, with where this VM's
    /// `localhost` ports listen on the machine, so the emulated edge reaches them.
    case emulator(adminBaseURL: String, ports: ConnectorPorts)
    /// No connector (tests).
    case none

    /// The tunnel id inside a connector token (base64 JSON `{"a":account,"t":tunnel,"s":secret}`).
    public static func tunnelID(fromToken token: String) -> String? {
        guard let bytes = Base64URL.decodeLenient(token),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return nil }
        return object["t"] as? String
    }

    /// Starts the connector; returns once it is ready (or throws). For `cloudflared` the process
    /// is returned so its supervisor can watch and restart it.
    public func start(token: String, http: any HTTPSending, logger: Logger) async throws -> Process? {
        switch self {
        case .none:
            return nil
        case .emulator(let base, let ports):
            guard let id = Self.tunnelID(fromToken: token) else {
                throw ConnectorError(description: "the tunnel token does not name a tunnel")
            }
            let mapped = Dictionary(uniqueKeysWithValues: ports.snapshot.map { (String($0.key), $0.value) })
            // One stand-in per tunnel: a restarted agent replaces its connector rather than adding one.
            let body = try JSONSerialization.data(withJSONObject: ["client_id": "dd-stand-in-\(id)", "ports": mapped], options: [.sortedKeys])
            let response = try await http.send(
                method: "POST",
                url: "\(base)/_emulator/cloudflare/tunnels/\(id)/connectors",
                headers: [("Content-Type", "application/json")],
                body: Array(body)
            )
            guard response.status < 300 else {
                throw ConnectorError(description: "the Cloudflare emulator refused the stand-in connector for tunnel \(id)")
            }
            logger.info("stand-in connector connected", metadata: ["tunnel.id": "\(id)", "connector.ports": "\(ports.snapshot)"])
            return nil
        case .cloudflared(let path, let metricsPort):
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["tunnel", "--no-autoupdate", "--metrics", "127.0.0.1:\(metricsPort)", "run"]
            process.environment = ProcessInfo.processInfo.environment.merging(["TUNNEL_TOKEN": token]) { _, new in new }
            try process.run()
            return process
        }
    }

    /// For `cloudflared`: whether `/ready` answers 200 now.
    public func isReady(http: any HTTPSending) async -> Bool {
        guard case .cloudflared(_, let port) = self else { return true }
        return (try? await http.send(method: "GET", url: "http://127.0.0.1:\(port)/ready", headers: [], body: nil))?.status == 200
    }

    struct ConnectorError: Error, CustomStringConvertible {
        var description: String
    }
}
