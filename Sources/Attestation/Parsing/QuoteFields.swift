import Encoding

/// A fixed-size byte field of a quote, viewed in place.
///
/// The typed wrappers below (``Measurement``, ``ReportData``, ``TCBSVN``, ``ByteField``) share
/// this behaviour; the type says what the bytes mean and how long they must be.
public protocol QuoteField: Hashable, Sendable, CustomStringConvertible {
    /// The field's bytes, a slice of the quote (no copy).
    var bytes: ArraySlice<UInt8> { get }
}

extension QuoteField {
    /// The bytes as lowercase hex.
    public var hex: String { Hex.encode(self.bytes) }
    public var description: String { self.hex }
    /// True when every byte is zero.
    public var isZero: Bool { self.bytes.allSatisfy { $0 == 0 } }
}

/// A 48-byte SHA-384 measurement register: MRTD, RTMR0..3, MRSEAM, MRCONFIGID, MROWNER, ….
public struct Measurement: QuoteField {
    /// The register's 48 bytes.
    public let bytes: ArraySlice<UInt8>
    /// Wraps 48 bytes.
    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
}

/// The 64 bytes of REPORTDATA a TD (or the quoting enclave) chose when its report was made.
public struct ReportData: QuoteField {
    /// The 64 bytes.
    public let bytes: ArraySlice<UInt8>
    /// Wraps 64 bytes.
    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
}

/// A 16-byte TCB security-version vector (TEE_TCB_SVN, CPUSVN), compared component by component.
public struct TCBSVN: QuoteField {
    /// The 16 components, one byte each.
    public let bytes: ArraySlice<UInt8>
    /// Wraps 16 bytes.
    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    /// The component at `index` (0..<16).
    public subscript(index: Int) -> UInt8 { self.bytes[self.bytes.startIndex + index] }

    /// True when every component is at least the matching component of `other`.
    public func isAtLeast(_ other: [UInt8]) -> Bool {
        zip(self.bytes, other).allSatisfy { $0 >= $1 }
    }
}

/// Any other fixed-size field (vendor ids, user data, attribute masks, signatures, keys).
public struct ByteField: QuoteField {
    /// The bytes.
    public let bytes: ArraySlice<UInt8>
    /// Wraps bytes.
    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
}

/// TDATTRIBUTES: the TD's attribute flags.
public struct TDAttributes: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0: the TD is debuggable, so its memory is not confidential.
    public static let debug = TDAttributes(rawValue: 1 << 0)
    /// Bit 28: #VE on EPT violations disabled.
    public static let septVEDisable = TDAttributes(rawValue: 1 << 28)
    /// Bit 30: protection keys for supervisor pages.
    public static let pks = TDAttributes(rawValue: 1 << 30)
    /// Bit 31: key locker.
    public static let keyLocker = TDAttributes(rawValue: 1 << 31)
    /// Bit 63: performance monitoring.
    public static let perfmon = TDAttributes(rawValue: 1 << 63)

    public var description: String {
        var names: [String] = []
        if self.contains(.debug) { names.append("DEBUG") }
        if self.contains(.septVEDisable) { names.append("SEPT_VE_DISABLE") }
        if self.contains(.pks) { names.append("PKS") }
        if self.contains(.keyLocker) { names.append("KL") }
        if self.contains(.perfmon) { names.append("PERFMON") }
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}
