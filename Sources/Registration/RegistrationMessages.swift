import Foundation

/// The messages of the registration protocol, carried as JSON in Noise payloads (see
/// docs/registration.md). Binary fields are base64.
public enum RegistrationMessage {
    /// The protocol version both sides speak.
    public static let version = 1

    /// Message 2's payload (control plane → agent, encrypted): a single-use nonce and the control
    /// plane's own quote, whose REPORTDATA binds its Noise static key and that nonce.
    public struct ControlPlaneHello: Codable, Hashable, Sendable {
        /// The protocol version.
        public var version: Int
        /// A fresh single-use nonce (32 bytes) the agent's quote must bind.
        public var nonce: Data
        /// The control plane's TDX quote.
        public var quote: Data

        /// Creates a hello.
        public init(version: Int = RegistrationMessage.version, nonce: Data, quote: Data) {
            self.version = version
            self.nonce = nonce
            self.quote = quote
        }
    }

    /// Message 3's payload (agent → control plane, encrypted): the agent's quote binding its Noise
    /// static key and the nonce, and who it says it is.
    public struct AgentRegistration: Codable, Hashable, Sendable {
        /// The protocol version.
        public var version: Int
        /// The agent's TDX quote.
        public var quote: Data
        /// The VM's name (the fleet's deterministic name).
        public var vmName: String
        /// The GCE instance id.
        public var instanceID: String
        /// The spec generation the VM was created from (`dd-spec` label).
        public var specGeneration: String

        /// Creates a registration.
        public init(version: Int = RegistrationMessage.version, quote: Data, vmName: String, instanceID: String, specGeneration: String) {
            self.version = version
            self.quote = quote
            self.vmName = vmName
            self.instanceID = instanceID
            self.specGeneration = specGeneration
        }
    }

    /// The control plane's answer once the agent is accepted (a transport message).
    public struct BootstrapConfig: Codable, Hashable, Sendable, CustomStringConvertible {
        /// The agent's id in the registry.
        public var agentID: String
        /// The public hostname routed to the agent.
        public var hostname: String
        /// The tunnel token the connector runs with. A secret: never logged.
        public var tunnelToken: String
        /// The Ed25519 public key (32 bytes) whose signatures the agent accepts on commands.
        public var commandKey: Data

        /// Creates a config.
        public init(agentID: String, hostname: String, tunnelToken: String, commandKey: Data) {
            self.agentID = agentID
            self.hostname = hostname
            self.tunnelToken = tunnelToken
            self.commandKey = commandKey
        }

        /// Everything but the token.
        public var description: String { "BootstrapConfig(agent \(self.agentID), \(self.hostname), token redacted)" }
    }

    /// Why a registration was refused (a transport message, then the connection closes).
    public struct Refusal: Codable, Hashable, Sendable {
        /// Every reason, in the order found.
        public var codes: [RefusalCode]
        /// A sentence for the agent's log.
        public var message: String

        /// Creates a refusal.
        public init(codes: [RefusalCode], message: String) {
            self.codes = codes
            self.message = message
        }
    }

    /// Encodes a message as compact JSON.
    public static func encode(_ message: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(message))
    }

    /// Decodes a message.
    public static func decode<Message: Decodable>(_ type: Message.Type, from bytes: [UInt8]) throws -> Message {
        try JSONDecoder().decode(Message.self, from: Data(bytes))
    }
}
