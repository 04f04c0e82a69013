/// Where a TD gets quotes for its own REPORTDATA: the kernel's configfs-tsm interface on a TDX
/// VM, EasyEnclave's socket, or — only when explicitly configured — the simulated issuer.
public protocol QuoteSource: Sendable {
    /// A quote whose REPORTDATA is `reportData` (64 bytes).
    func quote(reportData: [UInt8]) async throws -> [UInt8]
}

/// Quotes from a ``SimulatedTDXAuthority``: for local fleets and tests. A verifier accepts them
/// only when it trusts that authority's root.
public struct SimulatedQuoteSource: QuoteSource {
    /// The issuer.
    public var authority: SimulatedTDXAuthority
    /// The MRTD the simulated TD reports.
    public var mrTD: [UInt8]

    /// Creates a source.
    public init(authority: SimulatedTDXAuthority, mrTD: [UInt8]) {
        self.authority = authority
        self.mrTD = mrTD
    }

    public func quote(reportData: [UInt8]) async throws -> [UInt8] {
        try self.authority.quote(SimulatedQuoteRequest(mrTD: self.mrTD, reportData: reportData))
    }
}
