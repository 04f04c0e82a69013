/// Registration's provisioning refused to act.
public struct ProvisioningError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error class.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case notInSpec
        }

        private let value: Value

        /// The spec wants no tunnel for the VM: nothing is created.
        public static let notInSpec = Code(value: .notInSpec)

        /// `not-in-spec`.
        public var description: String {
            switch self.value {
            case .notInSpec: "not-in-spec"
            }
        }
    }

    /// The class.
    public var code: Code
    /// What was refused.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Equality compares the code only.
    public static func == (lhs: ProvisioningError, rhs: ProvisioningError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// `provisioning refused (not-in-spec): …`
    public var description: String { "provisioning refused (\(self.code)): \(self.message)" }
}
