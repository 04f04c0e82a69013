import X509

/// What the per-platform checks established for one quote's certification data: the QE report
/// binds the attestation key, the PCK leaf signed the QE report, and the PCK chain validates to
/// the trust anchor during ``window``.
struct PlatformVerification: Sendable {
    var window: CertificateChainValidator.ValidityWindow
    var leaf: Certificate
    var intermediate: Certificate
    var sgxExtension: SGXExtension?
}
