import Foundation
import ProviderSupport
import Spec

/// The GCE metadata server, as the agent reads it.
public struct MetadataClient: Sendable {
    /// The server (`metadata.google.internal`, or `host:port` in tests and local fleets).
    public var host: String
    /// HTTP.
    public var http: any HTTPSending
    /// The waits before a read is tried again, after no answer (a timeout, a refused
    /// connection) or a 5xx: a metadata server busy while the VM boots is not a missing one.
    public var retryDelays: [Duration] = [.seconds(1), .seconds(2)]
    /// The clock the waits run on.
    public var clock: any Clock<Duration> = ContinuousClock()

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

    /// One value, like `instance/id`; tried again after each of ``retryDelays`` while the
    /// server gives no answer or a 5xx. Any other status is an answer, and final.
    public func get(_ path: String) async throws -> String {
        let url = "http://\(self.host)/computeMetadata/v1/\(path)"
        var delays = self.retryDelays[...]
        while true {
            let failure: any Error
            do {
                let response = try await self.http.send(method: "GET", url: url, headers: [("Metadata-Flavor", "Google")], body: nil)
                if response.status == 200 { return String(decoding: response.body, as: UTF8.self) }
                let refused = Failure(description: "\(url): HTTP \(response.status)")
                guard response.status >= 500 else { throw refused }
                failure = refused
            } catch let error as Failure {
                throw error
            } catch {
                failure = error
            }
            guard let delay = delays.popFirst() else { throw failure }
            try await self.clock.sleep(for: delay)
        }
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
