import Attestation

/// Named corruptions of a quote: bit flips in every region, truncations and lying length fields.
/// Deterministic (a fixed-seed generator), so a failing case can be reproduced by name.
struct QuoteMutation: Sendable {
    var name: String
    var bytes: [UInt8]
}

enum QuoteMutations {
    /// The byte ranges of a quote's regions, from its parse.
    static func regions(of quote: TDXQuote) -> [(String, Range<Int>)] {
        let bodyStart = quote.header.version == 5 ? 54 : 48
        let signatureStart = quote.signatureDataRange.lowerBound
        let qeReportStart = signatureStart + 134
        let authLengthStart = qeReportStart + 384 + 64
        let authEnd = authLengthStart + 2 + quote.signatureData.qeAuthData.count
        let pemStart = authEnd + 6
        var regions: [(String, Range<Int>)] = [
            ("header", 0..<48),
            ("body", bodyStart..<quote.signedRange.upperBound),
            ("signature-length", quote.signedRange.upperBound..<signatureStart),
            ("quote-signature", signatureStart..<signatureStart + 64),
            ("attestation-key", signatureStart + 64..<signatureStart + 128),
            ("certification-type", signatureStart + 128..<signatureStart + 130),
            ("certification-size", signatureStart + 130..<signatureStart + 134),
            ("qe-report", qeReportStart..<qeReportStart + 384),
            ("qe-report-signature", qeReportStart + 384..<authLengthStart),
            ("qe-auth-length", authLengthStart..<authLengthStart + 2),
            ("qe-auth-data", authLengthStart + 2..<authEnd),
            ("pck-type-and-size", authEnd..<pemStart),
            ("pck-chain", pemStart..<quote.signatureDataRange.upperBound),
        ]
        if quote.header.version == 5 { regions.append(("body-descriptor", 48..<54)) }
        if quote.trailingByteCount > 0 { regions.append(("trailing", quote.signatureDataRange.upperBound..<quote.raw.count)) }
        return regions
    }

    /// `flipsPerRegion` single-bit flips in each region, truncations, and length fields that lie.
    static func generate(_ quote: TDXQuote, flipsPerRegion: Int, seed: UInt64) -> [QuoteMutation] {
        var random = SplitMix64(seed: seed)
        var mutations: [QuoteMutation] = []
        let raw = quote.raw
        for (region, range) in self.regions(of: quote) {
            for _ in 0..<min(flipsPerRegion, range.count * 8) {
                let offset = range.lowerBound + Int(random.next() % UInt64(range.count))
                let bit = Int(random.next() % 8)
                var bytes = raw
                bytes[offset] ^= 1 << bit
                mutations.append(QuoteMutation(name: "flip-\(region)-\(offset)-\(bit)", bytes: bytes))
            }
        }
        for length in [
            0, 1, 47, 48, 100, quote.signedRange.upperBound, quote.signedRange.upperBound + 3, quote.signatureDataRange.lowerBound + 100,
            quote.signatureDataRange.upperBound - 1,
        ] {
            mutations.append(QuoteMutation(name: "truncate-\(length)", bytes: Array(raw.prefix(length))))
        }
        let signatureStart = quote.signatureDataRange.lowerBound
        let authLengthStart = signatureStart + 134 + 384 + 64
        let pemSizeStart = authLengthStart + 2 + quote.signatureData.qeAuthData.count + 2
        let fields: [(String, Int, Int)] =
            [
                ("signature-length", quote.signedRange.upperBound, 4),
                ("certification-size", signatureStart + 130, 4),
                ("qe-auth-length", authLengthStart, 2),
                ("pck-chain-size", pemSizeStart, 4),
            ] + (quote.header.version == 5 ? [("body-size", 50, 4)] : [])
        for (name, offset, width) in fields {
            let value = raw[offset..<offset + width].reversed().reduce(0) { $0 << 8 | Int($1) }
            for lie in [value + 1, value - 1, value * 2, (1 << (width * 8)) - 1, 0] where lie >= 0 && lie < 1 << (width * 8) {
                var bytes = raw
                for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: lie >> (8 * index)) }
                mutations.append(QuoteMutation(name: "length-\(name)-\(lie)", bytes: bytes))
            }
        }
        var seen: Set<String> = []
        return mutations.filter { seen.insert($0.name).inserted }
    }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = self.state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
