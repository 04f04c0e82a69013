import Foundation
import ProviderSupport
import Spec

/// The GCE metadata server, as the agent reads it.
public struct MetadataClient: Sendable {
    /// The server (`metadata.google.internal`, or `host:port` in tests and local fleets).
    public var host: String
    /// HTTP.
    public var http: any HTTPSending

    /// A metadata read that failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// Creates a client.
    public init(host: String, http: any HTTPSending) {
        self.host = host
        self.http = http
    }

    /// One value, like `instance/id`.
    public func get(_ path: String) async throws -> String {
        let url = "http://\(self.host)/computeMetadata/v1/\(path)"
        let response = try await self.http.send(method: "GET", url: url, headers: [("Metadata-Flavor", "Google")], body: nil)
        guard response.status == 200 else { throw Failure(description: "\(url): HTTP \(response.status)") }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The devopsdefender workload's environment from the `ee-config` attribute.
    public func eeConfigVariables() async throws -> BootEnvironment {
        let text = try await self.get("instance/attributes/ee-config")
        guard let config = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let workloadsText = config["EE_BOOT_WORKLOADS"] as? String,
            let workloads = try? JSONSerialization.jsonObject(with: Data(workloadsText.utf8)) as? [[String: Any]]
        else { throw Failure(description: "the ee-config metadata attribute is not EasyEnclave's format") }
        let ours = workloads.first { $0["app_name"] as? String == "devopsdefender" }
        return BootEnvironment(parsing: ours?["env"] as? [String] ?? [])
    }
}
