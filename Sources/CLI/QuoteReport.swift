import Attestation
import Encoding
import Foundation
import Spec

/// A quote's parsed measurements and verdict, rendered for people (text) or tools (JSON).
struct QuoteReport {
    var file: String
    var verification: QuoteVerification
    var time: Date
    var policySource: String?

    private var quote: TDXQuote { self.verification.quote }

    private var measurements: [(String, String)] {
        let body = self.quote.body
        var rows: [(String, String)] = [
            ("MRTD", body.mrTD.hex),
            ("RTMR0", body.rtmr[0].hex),
            ("RTMR1", body.rtmr[1].hex),
            ("RTMR2", body.rtmr[2].hex),
            ("RTMR3", body.rtmr[3].hex),
            ("MRCONFIGID", body.mrConfigID.hex),
            ("MROWNER", body.mrOwner.hex),
            ("MROWNERCONFIG", body.mrOwnerConfig.hex),
            ("MRSEAM", body.mrSeam.hex),
            ("MRSIGNERSEAM", body.mrSignerSeam.hex),
            ("TEE_TCB_SVN", body.teeTCBSVN.hex),
            ("TDATTRIBUTES", String(format: "%016llx", body.tdAttributes.rawValue) + " (\(body.tdAttributes))"),
            ("XFAM", body.xfam.hex),
            ("REPORTDATA", body.reportData.hex),
        ]
        if let svn2 = body.teeTCBSVN2 { rows.append(("TEE_TCB_SVN2", svn2.hex)) }
        if let service = body.mrServiceTD { rows.append(("MRSERVICETD", service.hex)) }
        return rows
    }

    private var anchorDescription: String {
        let anchor = self.verification.trustAnchor
        return anchor.isIntelSGXRoot
            ? "Intel SGX Root CA (pinned, SHA-256 \(anchor.fingerprintHex))"
            : "custom root (SHA-256 \(anchor.fingerprintHex)) — not Intel's"
    }

    func text(useColor: Bool) -> String {
        let quote = self.quote
        var out = "\(self.file): TDX quote v\(quote.header.version), \(quote.body.kind) body, \(quote.raw.count) bytes"
        if quote.trailingByteCount > 0 { out += " (\(quote.trailingByteCount) trailing bytes ignored)" }
        out += "\n"
        for (name, value) in self.measurements {
            out += "  " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n"
        }
        let qe = quote.signatureData.qeReport
        out += "  QE            ISVPRODID \(qe.isvProdID), ISVSVN \(qe.isvSVN), MRSIGNER \(qe.mrSigner)\n"
        if let pck = self.verification.pck {
            out += "  PCK           FMSPC \(Hex.encode(pck.fmspc)), PCE-ID \(Hex.encode(pck.pceID)), PCESVN \(pck.pceSVN)\n"
        }
        out += "  trust anchor  \(self.anchorDescription)\n"
        out += "  checked at    \(CivilTime.formatRFC3339(self.time))\n"
        if let tcb = self.verification.tcb {
            let advisories = tcb.advisoryIDs.isEmpty ? "no advisories" : tcb.advisoryIDs.joined(separator: ", ")
            out += "  TCB status    \(tcb.status) (TCB date \(tcb.tcbDate), evaluation data \(tcb.tcbEvaluationDataNumber); \(advisories))\n"
        } else if !self.verification.collateralChecked {
            out += "  TCB status    not checked (no --collateral)\n"
        }
        out += "  policy        \(self.policySource.map { "attestation.policy of \($0)" } ?? "none (only DEBUG refused; give --policy fleet.yaml)")\n"
        let (green, red, reset) = useColor ? ("\u{1B}[32m", "\u{1B}[31m", "\u{1B}[0m") : ("", "", "")
        if self.verification.isAccepted {
            out += "verdict: \(green)ACCEPTED\(reset)\n"
        } else {
            let count = self.verification.reasons.count
            out += "verdict: \(red)REJECTED\(reset) (\(count) reason\(count == 1 ? "" : "s"))\n"
            for reason in self.verification.reasons {
                out += "  - \(reason.message) [\(reason.code)]\n"
            }
        }
        return out
    }

    var structured: StructuredValue {
        let quote = self.quote
        let qe = quote.signatureData.qeReport
        return .object([
            ("file", .string(self.file)),
            ("accepted", .boolean(self.verification.isAccepted)),
            (
                "reasons",
                .array(self.verification.reasons.map { .object([("code", .string($0.code.description)), ("message", .string($0.message))]) })
            ),
            (
                "quote",
                .object([
                    ("version", .integer(Int(quote.header.version))),
                    ("bodyType", .string(quote.body.kind.description)),
                    ("size", .integer(quote.raw.count)),
                    ("trailingBytes", .integer(quote.trailingByteCount)),
                    ("qeVendorId", .string(quote.header.qeVendorID.hex)),
                ])
            ),
            ("measurements", .object(self.measurements.map { ($0.0.lowercased(), .string($0.1)) })),
            ("tdAttributes", .string(quote.body.tdAttributes.description)),
            (
                "qe",
                .object([("isvProdId", .integer(Int(qe.isvProdID))), ("isvSvn", .integer(Int(qe.isvSVN))), ("mrSigner", .string(qe.mrSigner.hex))])
            ),
            (
                "pck",
                self.verification.pck.map {
                    .object([("fmspc", .string(Hex.encode($0.fmspc))), ("pceId", .string(Hex.encode($0.pceID))), ("pceSvn", .integer($0.pceSVN))])
                }
            ),
            (
                "tcb",
                self.verification.tcb.map {
                    .object([
                        ("status", .string($0.status.rawValue)),
                        ("advisoryIds", .array($0.advisoryIDs.map(StructuredValue.string))),
                        ("tcbDate", .string($0.tcbDate)),
                    ])
                }
            ),
            (
                "trustAnchor",
                .object([
                    ("sha256", .string(self.verification.trustAnchor.fingerprintHex)),
                    ("intelSgxRootCa", .boolean(self.verification.trustAnchor.isIntelSGXRoot)),
                ])
            ),
            ("checkedAt", .string(CivilTime.formatRFC3339(self.time))),
        ])
    }
}
