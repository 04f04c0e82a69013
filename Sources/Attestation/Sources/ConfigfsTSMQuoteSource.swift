import Foundation

/// Quotes from the Linux configfs-tsm interface (`/sys/kernel/config/tsm/report`) of a TDX
/// guest: make a report entry, write the 64-byte REPORTDATA to `inblob`, read the quote from
/// `outblob`, remove the entry.
public struct ConfigfsTSMQuoteSource: QuoteSource {
    /// A failure of the interface, with the path involved.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// The configfs-tsm report directory.
    public var root: String

    /// Creates a source over `root` (default `/sys/kernel/config/tsm/report`).
    public init(root: String = "/sys/kernel/config/tsm/report") {
        self.root = root
    }

    public func quote(reportData: [UInt8]) async throws -> [UInt8] {
        guard reportData.count == 64 else { throw Failure(description: "REPORTDATA must be 64 bytes, not \(reportData.count)") }
        let files = FileManager.default
        guard files.fileExists(atPath: self.root) else {
            throw Failure(description: "\(self.root) does not exist: not a TDX guest with configfs-tsm (mount configfs, load tdx_guest)")
        }
        let entry = "\(self.root)/dd-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try files.createDirectory(atPath: entry, withIntermediateDirectories: false)
        } catch {
            throw Failure(description: "cannot create \(entry): \(error.localizedDescription)")
        }
        defer { try? files.removeItem(atPath: entry) }
        do {
            try Data(reportData).write(to: URL(fileURLWithPath: "\(entry)/inblob"))
        } catch {
            throw Failure(description: "cannot write \(entry)/inblob: \(error.localizedDescription)")
        }
        guard let quote = files.contents(atPath: "\(entry)/outblob"), !quote.isEmpty else {
            throw Failure(description: "\(entry)/outblob gave no quote (is the TDX quoting service reachable?)")
        }
        return [UInt8](quote)
    }
}
