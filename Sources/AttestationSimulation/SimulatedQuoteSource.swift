import Attestation

/// Quotes from a ``SimulatedTDXAuthority``: for local fleets and tests. A verifier accepts them
/// only when it trusts that authority's root.
public struct SimulatedQuoteSource: QuoteSource {
    /// The issuer.
    public var authority: SimulatedTDXAuthority
    /// The MRTD the simulated TD reports.
    public var mrTD: [UInt8]
    /// RTMR0–3 the simulated TD reports.
    public var rtmr: [[UInt8]]

    /// Creates a source.
    public init(authority: SimulatedTDXAuthority, mrTD: [UInt8], rtmr: [[UInt8]] = Array(repeating: Array(repeating: 0, count: 48), count: 4)) {
        self.authority = authority
        self.mrTD = mrTD
        self.rtmr = rtmr
    }

    /// A simulated TD whose measurements meet `policy`: its first allowed MRTD and, for each
    /// pinned RTMR, the first allowed value.
    public init(authority: SimulatedTDXAuthority, meeting policy: AttestationPolicy) {
        let first = { (values: Set<[UInt8]>) in values.sorted { $0.lexicographicallyPrecedes($1) }.first }
        self.init(
            authority: authority,
            mrTD: first(policy.allowedMRTD) ?? Array(repeating: 0, count: 48),
            rtmr: (0..<4).map { index in
                (index < policy.allowedRTMR.count ? first(policy.allowedRTMR[index]) : nil) ?? Array(repeating: 0, count: 48)
            }
        )
    }

    public func quote(reportData: [UInt8]) async throws -> [UInt8] {
        try self.authority.quote(SimulatedQuoteRequest(mrTD: self.mrTD, rtmr: self.rtmr, reportData: reportData))
    }
}
