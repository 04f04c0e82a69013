import Attestation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: parse arbitrary bytes as a TDX quote and touch every parsed field.
/// Any trap, out-of-bounds access or leak (under ASan) is a finding; a thrown
/// ``QuoteParseError`` is the expected outcome for malformed input.
///
/// Build and run (see docs/attestation.md):
///   swift build -c release --product dd-fuzz-quote --build-path .build-fuzz \
///     -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
///   .build-fuzz/release/dd-fuzz-quote CORPUS_DIR -max_total_time=600
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuoteParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    QuoteParserFuzzer.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

enum QuoteParserFuzzer {
    static func run(_ bytes: [UInt8]) {
        guard let quote = try? TDXQuote(bytes) else { return }
        var checksum = quote.body.mrTD.hex.count + quote.body.reportData.hex.count + quote.trailingByteCount
        checksum &+= quote.body.rtmr.reduce(0) { $0 &+ $1.bytes.count }
        checksum &+= quote.signatureData.qeReport.reportData.bytes.count + quote.signatureData.pckCertificateChainPEM.count
        checksum &+= quote.signedBytes.count + (quote.body.teeTCBSVN2?.bytes.count ?? 0)
        precondition(checksum > 0)
        precondition(quote.signedRange.upperBound <= bytes.count && quote.signatureDataRange.upperBound <= bytes.count)
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; hand control to libFuzzer's driver.
@_cdecl("QuoteParserFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runLibFuzzer(&count, &arguments) { data, size in fuzzQuoteParser(data, size) }
}
#else
/// Without libFuzzer: replay the given files (a corpus or a crash reproducer) through the same code.
@main
enum QuoteParserReplay {
    static func main() throws {
        let paths = CommandLine.arguments.dropFirst()
        for path in paths {
            guard let handle = fopen(path, "rb") else { throw ReplayError(path: path) }
            defer { fclose(handle) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = fread(&buffer, 1, buffer.count, handle)
                if count == 0 { break }
                bytes += buffer[0..<count]
            }
            QuoteParserFuzzer.run(bytes)
        }
        print("replayed \(paths.count) input(s) without a crash")
    }

    struct ReplayError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot open \(self.path)" }
    }
}
#endif
