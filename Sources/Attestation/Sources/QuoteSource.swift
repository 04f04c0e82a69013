/// Where a TD gets quotes for its own REPORTDATA: the kernel's configfs-tsm interface on a TDX
/// VM, EasyEnclave's socket, or — only when explicitly configured — the simulated issuer.
public protocol QuoteSource: Sendable {
    /// A quote whose REPORTDATA is `reportData` (64 bytes).
    func quote(reportData: [UInt8]) async throws -> [UInt8]
}
