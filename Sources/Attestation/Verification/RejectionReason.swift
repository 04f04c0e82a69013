/// One reason a quote was not accepted. A verification lists every reason it found, not only the
/// first, so an operator sees at once everything that must change.
public struct RejectionReason: Error, Hashable, Sendable, CustomStringConvertible {
    /// The check that failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as a kebab-case identifier, stable for JSON output and scripts.
        public let description: String
        private init(_ description: String) { self.description = description }

        // MARK: Signatures and chain

        /// The quote signature does not verify with the attestation key.
        public static let quoteSignature = Code("quote-signature")
        /// The QE report's REPORTDATA is not SHA-256(attestation key ‖ QE auth data) ‖ zeros.
        public static let attestationKeyBinding = Code("attestation-key-binding")
        /// The QE report signature does not verify with the PCK leaf key.
        public static let qeReportSignature = Code("qe-report-signature")
        /// The embedded PCK chain is not three parseable certificates with a P-256 leaf.
        public static let pckChainMalformed = Code("pck-chain-malformed")
        /// The PCK chain does not validate to the trust anchor (signatures, dates, CA constraints).
        public static let pckChainUntrusted = Code("pck-chain-untrusted")
        /// The quoting enclave is not Intel's TD QE (MRSIGNER, ISVPRODID).
        public static let qeIdentity = Code("qe-identity")
        /// The TD has the DEBUG attribute.
        public static let debugTD = Code("debug-td")

        // MARK: Collateral

        /// The collateral bundle is not in the expected form.
        public static let collateralMalformed = Code("collateral-malformed")
        /// A collateral signature or issuer chain does not verify to the trust anchor.
        public static let collateralSignature = Code("collateral-signature")
        /// A collateral item or CRL is outside its validity window at the verification time.
        public static let collateralExpired = Code("collateral-expired")
        /// The collateral is for another platform (FMSPC, PCE-ID) or another enclave.
        public static let collateralMismatch = Code("collateral-mismatch")
        /// A certificate of the PCK chain is on a CRL.
        public static let revoked = Code("revoked")
        /// The platform's TCB status is not one the policy accepts.
        public static let tcbStatus = Code("tcb-status")

        // MARK: Policy

        /// MRTD is not on the allowlist.
        public static let mrtd = Code("mrtd")
        /// An RTMR is not on its allowlist.
        public static let rtmr = Code("rtmr")
        /// MRCONFIGID differs from the pinned value.
        public static let mrConfigID = Code("mrconfigid")
        /// MROWNER differs from the pinned value.
        public static let mrOwner = Code("mrowner")
        /// TEE_TCB_SVN is below the policy's minimum.
        public static let teeTCBSVN = Code("tee-tcb-svn")
        /// REPORTDATA does not carry the expected binding.
        public static let reportData = Code("report-data")
    }

    /// The check that failed.
    public var code: Code
    /// What was found and what was expected.
    public var message: String

    /// Creates a reason.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.message) [\(self.code)]" }
}
