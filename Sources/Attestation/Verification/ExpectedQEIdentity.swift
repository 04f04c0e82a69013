import Encoding

/// The quoting enclave a quote must come from, pinned without collateral.
public struct ExpectedQEIdentity: Hashable, Sendable {
    /// The QE signer's MRSIGNER (32 bytes).
    public var mrSigner: [UInt8]
    /// The QE's product id.
    public var isvProdID: UInt16

    /// Creates a pin.
    public init(mrSigner: [UInt8], isvProdID: UInt16) {
        self.mrSigner = mrSigner
        self.isvProdID = isvProdID
    }

    /// Intel's TD quoting enclave ("TD_QE"): MRSIGNER `dc9e2a7c…a8c5`, ISVPRODID 2.
    public static let intelTDQE = ExpectedQEIdentity(
        mrSigner: Hex.decode("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5") ?? [],
        isvProdID: 2
    )
}
