import Foundation
import TestSupport
import Testing

/// The real TDX quotes in the shared test data (read in place, see ``TestEnvironment``).
enum TestData {
    static let v4QuoteName = "go-tdx-guest_tdx_prod_quote_SPR_E4.dat"
    static let v5QuoteName = "go-tdx-guest_quote_v5_sample.dat"

    /// The bytes of `tdx/<name>`, or nil (a failure under CI, a skip elsewhere) when missing.
    static func tdx(_ name: String) -> [UInt8]? {
        TestEnvironment.testdata("tdx/\(name)").map { [UInt8]($0) }
    }

    /// The validation time the real samples are checked at: inside every sample's PCK validity.
    static let sampleTime = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
}
