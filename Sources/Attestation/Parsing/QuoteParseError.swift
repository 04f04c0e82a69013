/// Why a byte string is not a well-formed TDX quote.
///
/// Every malformed input maps to one of these codes, with the byte offset where the problem was
/// found and a sentence saying what was expected. Equality compares only the code.
public struct QuoteParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of malformation.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case truncated
            case unsupportedVersion
            case unsupportedAttestationKeyType
            case notTDX
            case unsupportedBodyType
            case bodySizeMismatch
            case lengthOutOfBounds
            case unsupportedCertificationDataType
            case malformedCertificateChain
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The input ends before a field it must hold.
        public static let truncated = Code(.truncated)
        /// The header's version is neither 4 nor 5.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The attestation key type is not 2 (ECDSA-256 with P-256).
        public static let unsupportedAttestationKeyType = Code(.unsupportedAttestationKeyType)
        /// The TEE type is not 0x81 (TDX).
        public static let notTDX = Code(.notTDX)
        /// A v5 body type other than 2 (TDX 1.0) or 3 (TDX 1.5).
        public static let unsupportedBodyType = Code(.unsupportedBodyType)
        /// A v5 body size that does not match its body type.
        public static let bodySizeMismatch = Code(.bodySizeMismatch)
        /// A length field points past the end of its enclosing structure.
        public static let lengthOutOfBounds = Code(.lengthOutOfBounds)
        /// Certification data of a type other than 6 (QE report) or 5 (PCK chain) inside it.
        public static let unsupportedCertificationDataType = Code(.unsupportedCertificationDataType)
        /// The PCK certificate chain is not three PEM certificates.
        public static let malformedCertificateChain = Code(.malformedCertificateChain)

        /// The code as a kebab-case identifier, used in JSON output.
        public var description: String {
            self.kind.rawValue.replacing(/[A-Z]/) { "-" + $0.output.lowercased() }
        }
    }

    /// The kind of malformation.
    public var code: Code
    /// The byte offset in the quote where the problem was found.
    public var offset: Int
    /// What was found and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(self.message) (at byte \(self.offset), \(self.code))" }

    public static func == (lhs: QuoteParseError, rhs: QuoteParseError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
