import Foundation

extension RegistrationMessage {
    /// The control plane's answer to a registration (message 4, encrypted): a bootstrap config
    /// or a refusal, tagged by `type`.
    public enum Reply: Codable, Hashable, Sendable {
        /// Accepted: what the agent needs to serve.
        case bootstrap(BootstrapConfig)
        /// Refused, with every reason.
        case refusal(Refusal)

        private enum CodingKeys: String, CodingKey {
            case type
            case bootstrap
            case refusal
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .type) {
            case "bootstrap": self = .bootstrap(try container.decode(BootstrapConfig.self, forKey: .bootstrap))
            case "refusal": self = .refusal(try container.decode(Refusal.self, forKey: .refusal))
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown reply type \(other)")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .bootstrap(let config):
                try container.encode("bootstrap", forKey: .type)
                try container.encode(config, forKey: .bootstrap)
            case .refusal(let refusal):
                try container.encode("refusal", forKey: .type)
                try container.encode(refusal, forKey: .refusal)
            }
        }
    }

    /// An agent's periodic report on the registered channel.
    public struct Heartbeat: Codable, Hashable, Sendable {
        /// Increments with every heartbeat of a session (the control plane refuses going back).
        public var sequence: Int
        /// `ready` once the tunnel connector is connected, else `starting` or `degraded`.
        public var status: String
        /// The workloads running, by app name.
        public var workloads: [String]

        /// Creates a heartbeat.
        public init(sequence: Int, status: String, workloads: [String]) {
            self.sequence = sequence
            self.status = status
            self.workloads = workloads
        }
    }

    /// The control plane's acknowledgement of a heartbeat.
    public struct HeartbeatAck: Codable, Hashable, Sendable {
        /// The acknowledged sequence number.
        public var sequence: Int

        /// Creates an acknowledgement.
        public init(sequence: Int) { self.sequence = sequence }
    }
}
