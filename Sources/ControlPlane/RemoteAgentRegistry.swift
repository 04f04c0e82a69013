import Foundation
import ProviderSupport
import Reconciler

/// The agent registry of a running control plane, read from its `GET /health`: what `plan`
/// and `apply` see with `--control-plane URL`.
public struct RemoteAgentRegistry: AgentRegistryPort {
    /// An answer that is not the control plane's health document.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// The control plane's base URL (`http://host:port`).
    public var baseURL: String
    /// HTTP.
    public var http: any HTTPSending

    /// Creates a registry reader.
    public init(baseURL: String, http: any HTTPSending) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
    }

    public func listAgents() async throws -> [ObservedAgent] {
        let response = try await self.http.send(method: "GET", url: "\(self.baseURL)/health", headers: [], body: nil)
        guard response.status == 200 else { throw Failure(description: "\(self.baseURL)/health answered HTTP \(response.status)") }
        guard let document = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let list = document["list"] as? [[String: Any]]
        else { throw Failure(description: "\(self.baseURL)/health is not a devopsdefender control plane's health document") }
        return list.compactMap { entry in
            guard let vm = entry["vm"] as? String else { return nil }
            let lastSeen = (entry["lastSeen"] as? NSNumber)?.int64Value ?? 0
            return ObservedAgent(vm: vm, health: entry["stale"] as? Bool == true ? .stale : .healthy, lastSeen: lastSeen)
        }
    }
}
