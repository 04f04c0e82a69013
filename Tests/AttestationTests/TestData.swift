import Foundation
import Testing

/// The shared third-party test data (real TDX quotes, Intel's root), read in place from
/// `DD_TESTDATA` (default `../shared/testdata` beside the repository). With `CI=true` a missing
/// file fails the test; elsewhere the test is skipped with a message saying what is missing.
enum TestData {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["DD_TESTDATA"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, relativeTo: repositoryRoot)
        }
        return repositoryRoot.appendingPathComponent("../shared/testdata")
    }

    static let v4QuoteName = "go-tdx-guest_tdx_prod_quote_SPR_E4.dat"
    static let v5QuoteName = "go-tdx-guest_quote_v5_sample.dat"

    /// The bytes of `tdx/<name>`, or nil (after recording a failure under CI) when missing.
    static func tdx(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        let url = self.directory.appendingPathComponent("tdx").appendingPathComponent(name)
        if let data = try? Data(contentsOf: url) { return [UInt8](data) }
        let message = "test data \(url.standardizedFileURL.path) is missing (set DD_TESTDATA to the shared testdata directory)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
        return nil
    }

    /// The validation time the real samples are checked at: inside every sample's PCK validity.
    static let sampleTime = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
}
